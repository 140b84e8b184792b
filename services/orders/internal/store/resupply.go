package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

var _ app.ResupplyRepository = (*Store)(nil)

// Idempotency method keys of the resupply creates.
const (
	methodCreateResupplySchedule = "CreateResupplySchedule"
	methodRecordConfirmation     = "RecordResupplyConfirmation"
	methodRecordShipment         = "RecordResupplyShipment"
)

// storedSupply is one item in a schedule's items column.
type storedSupply struct {
	HCPCS           string `json:"hcpcs"`
	ItemID          string `json:"itemId,omitempty"`
	Quantity        int32  `json:"quantity"`
	IntervalMonths  int    `json:"intervalMonths"`
	SuppliedThrough string `json:"suppliedThrough"`
}

func suppliesJSON(items []domain.ResupplyItem) ([]byte, error) {
	stored := make([]storedSupply, len(items))
	for i, it := range items {
		stored[i] = storedSupply{HCPCS: it.HCPCS, ItemID: it.ItemID, Quantity: it.Quantity, IntervalMonths: it.IntervalMonths,
			SuppliedThrough: it.SuppliedThrough.String()}
	}
	return json.Marshal(stored)
}

func suppliesOf(b []byte) ([]domain.ResupplyItem, error) {
	var stored []storedSupply
	if err := json.Unmarshal(b, &stored); err != nil {
		return nil, err
	}
	out := make([]domain.ResupplyItem, len(stored))
	for i, s := range stored {
		through, err := civil.Parse(s.SuppliedThrough)
		if err != nil {
			return nil, err
		}
		out[i] = domain.ResupplyItem{HCPCS: s.HCPCS, ItemID: s.ItemID, Quantity: s.Quantity, IntervalMonths: s.IntervalMonths,
			SuppliedThrough: through}
	}
	return out, nil
}

// scheduleColumns is the select list scanSchedule reads.
const scheduleColumns = `id::text, company_id::text, patient_id::text, branch_id::text, coalesce(payer_id::text, ''), items,
	status, version, create_time, update_time, coalesce(order_id::text, ''), next_contact`

func scanSchedule(row pgx.Row) (*domain.ResupplySchedule, error) {
	var s domain.ResupplySchedule
	var items []byte
	if err := row.Scan(&s.ID, &s.CompanyID, &s.PatientID, &s.BranchID, &s.PayerID, &items, &s.Status, &s.Version,
		&s.CreateTime, &s.UpdateTime, &s.OrderID, (*postgres.Date)(&s.DueFrom)); err != nil {
		return nil, err
	}
	var err error
	if s.Items, err = suppliesOf(items); err != nil {
		return nil, fmt.Errorf("store: items of resupply schedule %s: %w", s.ID, err)
	}
	return &s, nil
}

func getSchedule(ctx context.Context, tx pgx.Tx, id, lock string) (*domain.ResupplySchedule, error) {
	s, err := scanSchedule(tx.QueryRow(ctx, `select `+scheduleColumns+` from resupply_schedules where id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.NotFound("resupply schedule", id)
	}
	return s, err
}

// GetResupplySchedule returns schedule id of the caller's company.
func (s *Store) GetResupplySchedule(ctx context.Context, id string) (*domain.ResupplySchedule, error) {
	return postgres.ReadOne(ctx, s.db, "get resupply schedule "+id, func(tx pgx.Tx) (*domain.ResupplySchedule, error) {
		return getSchedule(ctx, tx, id, "")
	})
}

// CreateResupplySchedule inserts sc, due for contact on nextContact, under
// the AIP-155 key requestID.
func (s *Store) CreateResupplySchedule(ctx context.Context, sc *domain.ResupplySchedule, nextContact civil.Date, requestID string,
	fingerprint []byte) (*domain.ResupplySchedule, bool, error) {
	return postgres.CreateResource(ctx, s.db, methodCreateResupplySchedule, requestID, fingerprint, sc.ID, sc,
		func(tx pgx.Tx) error {
			items, err := suppliesJSON(sc.Items)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `
				insert into resupply_schedules (id, company_id, patient_id, branch_id, payer_id, items, status, next_contact,
					version, create_time, update_time, order_id)
				values ($1, $2, $3, $4, nullif($5, '')::uuid, $6, $7, $8, $9, $10, $11, nullif($12, '')::uuid)`,
				sc.ID, sc.CompanyID, sc.PatientID, sc.BranchID, sc.PayerID, items, sc.Status, postgres.Date(nextContact),
				sc.Version, sc.CreateTime, sc.UpdateTime, sc.OrderID)
			return err
		},
		func(tx pgx.Tx, id string) (*domain.ResupplySchedule, error) { return getSchedule(ctx, tx, id, "") })
}

// UpdateResupplySchedule loads schedule id for update, lets fn change it
// and say when it is next due for contact, and saves it with its version
// advanced. Nothing is written when fn fails.
func (s *Store) UpdateResupplySchedule(ctx context.Context, id string, fn func(*domain.ResupplySchedule) (civil.Date, error)) (*domain.ResupplySchedule, error) {
	var next civil.Date
	return postgres.UpdateResource(ctx, s.db, "update resupply schedule",
		func(tx pgx.Tx) (*domain.ResupplySchedule, error) { return getSchedule(ctx, tx, id, " for update") },
		func(sc *domain.ResupplySchedule) error {
			var err error
			next, err = fn(sc)
			return err
		},
		func(sc *domain.ResupplySchedule) { sc.Version++ },
		func(tx pgx.Tx, sc *domain.ResupplySchedule) error {
			items, err := suppliesJSON(sc.Items)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `update resupply_schedules set items = $2, status = $3, next_contact = $4, version = $5,
				update_time = $6 where id = $1`, sc.ID, items, sc.Status, postgres.Date(next), sc.Version, sc.UpdateTime)
			return err
		})
}

// ListDueResupplies returns up to q.Limit active schedules of branch
// q.BranchID due for contact by q.AsOf, by next contact and id, after
// q.After.
func (s *Store) ListDueResupplies(ctx context.Context, q app.DueResupplyQuery) ([]*domain.ResupplySchedule, error) {
	return postgres.ReadMany(ctx, s.db, "list due resupplies", `
		select `+scheduleColumns+` from resupply_schedules
		where status = 'active' and branch_id = $1 and next_contact <= $2
		  and ($3::date is null or (next_contact, id) > ($3::date, $4::uuid))
		order by resupply_schedules.next_contact, resupply_schedules.id
		limit $5`,
		scanSchedule, q.BranchID, postgres.Date(q.AsOf), postgres.AfterKey(q.After, 0), postgres.AfterKey(q.After, 1), q.Limit)
}

// ResupplyWindow returns payer payerID's windows, the defaults when it
// has none (or payerID is "").
func (s *Store) ResupplyWindow(ctx context.Context, payerID string) (domain.ResupplyWindow, error) {
	if payerID == "" {
		return domain.DefaultResupplyWindow, nil
	}
	w, err := postgres.ReadOne(ctx, s.db, "resupply window", func(tx pgx.Tx) (domain.ResupplyWindow, error) {
		var w domain.ResupplyWindow
		err := tx.QueryRow(ctx, `select contact_days, ship_lead_days from resupply_windows where payer_id = $1`, payerID).
			Scan(&w.ContactDays, &w.ShipLeadDays)
		return w, err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.DefaultResupplyWindow, nil
	}
	return w, err
}

// SetResupplyWindow sets the company's windows for payerID.
func (s *Store) SetResupplyWindow(ctx context.Context, companyID, payerID string, w domain.ResupplyWindow) error {
	return postgres.Wrap("set resupply window", s.db.WithTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `insert into resupply_windows (company_id, payer_id, contact_days, ship_lead_days)
			values ($1, $2, $3, $4) on conflict (company_id, payer_id) do update
			set contact_days = excluded.contact_days, ship_lead_days = excluded.ship_lead_days`,
			companyID, payerID, w.ContactDays, w.ShipLeadDays)
		return err
	}))
}

// confirmationColumns is the select list scanConfirmation reads.
const confirmationColumns = `id::text, company_id::text, schedule_id::text, channel, confirm_date, items, actor_id, create_time`

// storedConfirmed is one item of a confirmation's items column.
type storedConfirmed struct {
	HCPCS         string `json:"hcpcs"`
	Quantity      int32  `json:"quantity"`
	RemainingDays int32  `json:"remainingDays"`
}

func scanConfirmation(row pgx.Row) (*domain.ResupplyConfirmation, error) {
	var c domain.ResupplyConfirmation
	var day postgres.Date
	var items []byte
	if err := row.Scan(&c.ID, &c.CompanyID, &c.ScheduleID, &c.Channel, &day, &items, &c.ActorID, &c.CreateTime); err != nil {
		return nil, err
	}
	c.ConfirmDate = civil.Date(day)
	var stored []storedConfirmed
	if err := json.Unmarshal(items, &stored); err != nil {
		return nil, fmt.Errorf("store: items of confirmation %s: %w", c.ID, err)
	}
	for _, it := range stored {
		c.Items = append(c.Items, domain.ConfirmedItem(it))
	}
	return &c, nil
}

// CreateResupplyConfirmation inserts c under the AIP-155 key requestID.
func (s *Store) CreateResupplyConfirmation(ctx context.Context, c *domain.ResupplyConfirmation, requestID string,
	fingerprint []byte) (*domain.ResupplyConfirmation, bool, error) {
	return postgres.CreateResource(ctx, s.db, methodRecordConfirmation, requestID, fingerprint, c.ID, c,
		func(tx pgx.Tx) error {
			stored := make([]storedConfirmed, len(c.Items))
			for i, it := range c.Items {
				stored[i] = storedConfirmed(it)
			}
			items, err := json.Marshal(stored)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `insert into resupply_confirmations (id, company_id, schedule_id, channel, confirm_date, items,
				actor_id, create_time) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
				c.ID, c.CompanyID, c.ScheduleID, c.Channel, postgres.Date(c.ConfirmDate), items, c.ActorID, c.CreateTime)
			return err
		},
		func(tx pgx.Tx, id string) (*domain.ResupplyConfirmation, error) {
			return scanConfirmation(tx.QueryRow(ctx, `select `+confirmationColumns+` from resupply_confirmations where id = $1`, id))
		})
}

// LatestConfirmation returns schedule scheduleID's latest confirmation
// made on or before day, nil when there is none.
func (s *Store) LatestConfirmation(ctx context.Context, scheduleID string, day civil.Date) (*domain.ResupplyConfirmation, error) {
	c, err := postgres.ReadOne(ctx, s.db, "latest confirmation", func(tx pgx.Tx) (*domain.ResupplyConfirmation, error) {
		return scanConfirmation(tx.QueryRow(ctx, `select `+confirmationColumns+` from resupply_confirmations
			where schedule_id = $1 and confirm_date <= $2
			order by resupply_confirmations.confirm_date desc, resupply_confirmations.create_time desc limit 1`,
			scheduleID, postgres.Date(day)))
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return c, err
}

// shipmentColumns is the select list scanShipment reads.
const shipmentColumns = `id::text, company_id::text, schedule_id::text, ship_date, items, confirmation_id::text, actor_id, create_time`

func scanShipment(row pgx.Row) (*domain.ResupplyShipment, error) {
	var p domain.ResupplyShipment
	var day postgres.Date
	var items []byte
	if err := row.Scan(&p.ID, &p.CompanyID, &p.ScheduleID, &day, &items, &p.ConfirmationID, &p.ActorID, &p.CreateTime); err != nil {
		return nil, err
	}
	p.ShipDate = civil.Date(day)
	if err := json.Unmarshal(items, &p.Items); err != nil {
		return nil, fmt.Errorf("store: items of shipment %s: %w", p.ID, err)
	}
	return &p, nil
}

// CreateResupplyShipment inserts p under the AIP-155 key requestID.
func (s *Store) CreateResupplyShipment(ctx context.Context, p *domain.ResupplyShipment, requestID string,
	fingerprint []byte) (*domain.ResupplyShipment, bool, error) {
	return postgres.CreateResource(ctx, s.db, methodRecordShipment, requestID, fingerprint, p.ID, p,
		func(tx pgx.Tx) error {
			items, err := json.Marshal(p.Items)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `insert into resupply_shipments (id, company_id, schedule_id, ship_date, items, confirmation_id,
				actor_id, create_time) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
				p.ID, p.CompanyID, p.ScheduleID, postgres.Date(p.ShipDate), items, p.ConfirmationID, p.ActorID, p.CreateTime)
			return err
		},
		func(tx pgx.Tx, id string) (*domain.ResupplyShipment, error) {
			return scanShipment(tx.QueryRow(ctx, `select `+shipmentColumns+` from resupply_shipments where id = $1`, id))
		})
}

// ShipmentRecordedFor returns the shipment a completed
// RecordResupplyShipment with this key and fingerprint recorded, if any.
func (s *Store) ShipmentRecordedFor(ctx context.Context, requestID string, fingerprint []byte) (*domain.ResupplyShipment, bool, error) {
	return replayed(ctx, s, methodRecordShipment, requestID, fingerprint, func(tx pgx.Tx, id string) (*domain.ResupplyShipment, error) {
		return scanShipment(tx.QueryRow(ctx, `select `+shipmentColumns+` from resupply_shipments where id = $1`, id))
	})
}
