package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// Idempotency method keys of the delivery commands.
const (
	methodRecordDelivery = "RecordDelivery"
	methodRecordPickup   = "RecordPickup"
)

// storedLine is one delivered or picked-up line in a lines jsonb column.
type storedLine struct {
	LineID       string `json:"lineId"`
	Quantity     int32  `json:"quantity,omitempty"`
	SerialNumber string `json:"serialNumber,omitempty"`
}

func linesJSON(lines []domain.DeliveredLine) ([]byte, error) {
	stored := make([]storedLine, len(lines))
	for i, l := range lines {
		stored[i] = storedLine{LineID: l.LineID, Quantity: l.Quantity, SerialNumber: l.SerialNumber}
	}
	return json.Marshal(stored)
}

// linesOf reads a lines column; positions are the app's to resolve (-1).
func linesOf(b []byte) ([]domain.DeliveredLine, error) {
	var stored []storedLine
	if err := json.Unmarshal(b, &stored); err != nil {
		return nil, err
	}
	out := make([]domain.DeliveredLine, len(stored))
	for i, s := range stored {
		out[i] = domain.DeliveredLine{LineID: s.LineID, Line: -1, Quantity: s.Quantity, SerialNumber: s.SerialNumber}
	}
	return out, nil
}

// deliveryColumns is the select list scanDelivery reads.
const deliveryColumns = `id::text, company_id::text, order_id::text, receiver_name, relationship, signature_date,
	address, lines, coalesce(corrects_delivery_id::text, ''), actor_id, create_time`

func scanDelivery(row pgx.Row) (*domain.Delivery, error) {
	var d domain.Delivery
	var signed postgres.Date
	var address, lines []byte
	err := row.Scan(&d.ID, &d.CompanyID, &d.OrderID, &d.ReceiverName, &d.Relationship, &signed, &address, &lines,
		&d.Corrects, &d.ActorID, &d.CreateTime)
	if err != nil {
		return nil, err
	}
	d.SignatureDate = civil.Date(signed)
	var a storedAddress
	if err := json.Unmarshal(address, &a); err != nil {
		return nil, fmt.Errorf("store: address of delivery %s: %w", d.ID, err)
	}
	d.Address = contact.Address(a)
	if d.Lines, err = linesOf(lines); err != nil {
		return nil, fmt.Errorf("store: lines of delivery %s: %w", d.ID, err)
	}
	return &d, nil
}

// storedAddress is a delivery address in the address jsonb column.
type storedAddress struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	State      string `json:"state"`
	PostalCode string `json:"postalCode"`
}

func getDelivery(ctx context.Context, tx pgx.Tx, orderID, id string) (*domain.Delivery, error) {
	d, err := scanDelivery(tx.QueryRow(ctx, `select `+deliveryColumns+` from deliveries where id = $1 and order_id = $2`, id, orderID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.NotFound("delivery", id)
	}
	return d, err
}

// GetDelivery returns delivery id of order orderID in the caller's
// company; anything else is NOT_FOUND.
func (s *Store) GetDelivery(ctx context.Context, orderID, id string) (*domain.Delivery, error) {
	return postgres.ReadOne(ctx, s.db, "get delivery "+id, func(tx pgx.Tx) (*domain.Delivery, error) {
		return getDelivery(ctx, tx, orderID, id)
	})
}

// ListDeliveries returns order orderID's deliveries, oldest first.
func (s *Store) ListDeliveries(ctx context.Context, orderID string) ([]*domain.Delivery, error) {
	return postgres.ReadMany(ctx, s.db, "list deliveries",
		`select `+deliveryColumns+` from deliveries where order_id = $1 order by create_time, id`, scanDelivery, orderID)
}

// CreateDelivery inserts d under the AIP-155 key requestID; a repeated
// request returns the delivery recorded the first time, with replayed
// true.
func (s *Store) CreateDelivery(ctx context.Context, d *domain.Delivery, requestID string, fingerprint []byte) (*domain.Delivery, bool, error) {
	return postgres.CreateResource(ctx, s.db, methodRecordDelivery, requestID, fingerprint, d.ID, d,
		func(tx pgx.Tx) error {
			address, err := json.Marshal(storedAddress(d.Address))
			if err != nil {
				return err
			}
			lines, err := linesJSON(d.Lines)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `
				insert into deliveries (id, company_id, order_id, receiver_name, relationship, signature_date, address,
					lines, corrects_delivery_id, actor_id, create_time)
				values ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, '')::uuid, $10, $11)`,
				d.ID, d.CompanyID, d.OrderID, d.ReceiverName, d.Relationship, postgres.Date(d.SignatureDate), address,
				lines, d.Corrects, d.ActorID, d.CreateTime)
			return err
		},
		func(tx pgx.Tx, id string) (*domain.Delivery, error) { return getDelivery(ctx, tx, d.OrderID, id) })
}

// CreatePickup inserts p under the AIP-155 key requestID; a repeated
// request returns the pickup recorded the first time, with replayed true.
func (s *Store) CreatePickup(ctx context.Context, p *domain.PickupRecord, requestID string, fingerprint []byte) (*domain.PickupRecord, bool, error) {
	return postgres.CreateResource(ctx, s.db, methodRecordPickup, requestID, fingerprint, p.ID, p,
		func(tx pgx.Tx) error {
			lines, err := linesJSON(p.Lines)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `
				insert into pickups (id, company_id, order_id, pickup_date, reason, note, lines, actor_id, create_time)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				p.ID, p.CompanyID, p.OrderID, postgres.Date(p.Date), string(p.Reason), p.Note, lines, p.ActorID, p.CreateTime)
			return err
		},
		func(tx pgx.Tx, id string) (*domain.PickupRecord, error) { return getPickup(ctx, tx, id) })
}

func getPickup(ctx context.Context, tx pgx.Tx, id string) (*domain.PickupRecord, error) {
	var p domain.PickupRecord
	var day postgres.Date
	var reason string
	var lines []byte
	err := tx.QueryRow(ctx, `select id::text, company_id::text, order_id::text, pickup_date, reason, note, lines, actor_id,
		create_time from pickups where id = $1`, id).Scan(&p.ID, &p.CompanyID, &p.OrderID, &day, &reason, &p.Note, &lines,
		&p.ActorID, &p.CreateTime)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.NotFound("pickup", id)
	}
	if err != nil {
		return nil, err
	}
	p.Date, p.Reason = civil.Date(day), domain.PickupReason(reason)
	if p.Lines, err = linesOf(lines); err != nil {
		return nil, fmt.Errorf("store: lines of pickup %s: %w", p.ID, err)
	}
	return &p, nil
}

// DeliveryRecordedFor returns the delivery a completed RecordDelivery with
// this key and fingerprint recorded, if any.
func (s *Store) DeliveryRecordedFor(ctx context.Context, orderID, requestID string, fingerprint []byte) (*domain.Delivery, bool, error) {
	return replayed(ctx, s, methodRecordDelivery, requestID, fingerprint, func(tx pgx.Tx, id string) (*domain.Delivery, error) {
		return getDelivery(ctx, tx, orderID, id)
	})
}

// PickupRecordedFor returns the pickup a completed RecordPickup with this
// key and fingerprint recorded, if any.
func (s *Store) PickupRecordedFor(ctx context.Context, requestID string, fingerprint []byte) (*domain.PickupRecord, bool, error) {
	return replayed(ctx, s, methodRecordPickup, requestID, fingerprint, func(tx pgx.Tx, id string) (*domain.PickupRecord, error) {
		return getPickup(ctx, tx, id)
	})
}

// replayed reads back what a completed request with the key created.
func replayed[T any](ctx context.Context, s *Store, method, requestID string, fingerprint []byte, get func(pgx.Tx, string) (T, error)) (T, bool, error) {
	type found struct {
		r  T
		ok bool
	}
	f, err := postgres.ReadOne(ctx, s.db, "replay "+method, func(tx pgx.Tx) (found, error) {
		id, ok, err := postgres.Replayed(ctx, tx, method, requestID, fingerprint)
		if err != nil || !ok {
			return found{}, err
		}
		r, err := get(tx, string(id))
		return found{r: r, ok: err == nil}, err
	})
	return f.r, f.ok, err
}
