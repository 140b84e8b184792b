package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ariesone/ariesone/platform/postgres"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// methodCreateWrittenOrder is the idempotency method key of
// CreateWrittenOrder.
const methodCreateWrittenOrder = "CreateWrittenOrder"

// writtenOrderColumns is the select list scanWrittenOrder reads.
const writtenOrderColumns = `id::text, company_id::text, patient_id::text, prescriber_id::text, items,
	order_date, signature_date, face_to_face_date, coalesce(length_of_need_months, 0), diagnoses,
	status, revoke_reason, version, create_time, update_time`

// storedItem is one item in the items jsonb column.
type storedItem struct {
	HCPCS       string `json:"hcpcs"`
	Description string `json:"description"`
	Quantity    int    `json:"quantity"`
}

func scanWrittenOrder(row pgx.Row) (*domain.WrittenOrder, error) {
	var o domain.WrittenOrder
	var items []byte
	var status string
	targets := []any{&o.ID, &o.CompanyID, &o.PatientID, &o.PrescriberID, &items}
	targets = append(targets, dates(&o.OrderDate, &o.SignatureDate, &o.FaceToFaceDate)...)
	targets = append(targets, &o.LengthOfNeedMonths, &o.Diagnoses, &status, &o.RevokeReason, &o.Version, &o.CreateTime, &o.UpdateTime)
	if err := row.Scan(targets...); err != nil {
		return nil, err
	}
	o.Status = domain.WrittenOrderStatus(status)
	var stored []storedItem
	if err := json.Unmarshal(items, &stored); err != nil {
		return nil, fmt.Errorf("store: items of written order %s: %w", o.ID, err)
	}
	for _, it := range stored {
		o.Items = append(o.Items, domain.WrittenOrderItem{HCPCS: it.HCPCS, Description: it.Description, Quantity: it.Quantity})
	}
	if len(o.Diagnoses) == 0 {
		o.Diagnoses = nil
	}
	return &o, nil
}

// writtenOrderRow is an order's columns as written: items as jsonb, the
// distinct HCPCS codes beside them for the GIN index, and a length of
// need of 0 as NULL.
type writtenOrderRow struct {
	items        []byte
	hcpcsCodes   []string
	diagnoses    []string
	lengthOfNeed any
}

func writtenOrderColumnsOf(o *domain.WrittenOrder) (writtenOrderRow, error) {
	stored := make([]storedItem, len(o.Items))
	codes := []string{}
	for i, it := range o.Items {
		stored[i] = storedItem{HCPCS: it.HCPCS, Description: it.Description, Quantity: it.Quantity}
		if !slices.Contains(codes, it.HCPCS) {
			codes = append(codes, it.HCPCS)
		}
	}
	items, err := json.Marshal(stored)
	if err != nil {
		return writtenOrderRow{}, fmt.Errorf("store: items of written order %s: %w", o.ID, err)
	}
	r := writtenOrderRow{items: items, hcpcsCodes: codes, diagnoses: o.Diagnoses}
	if r.diagnoses == nil {
		r.diagnoses = []string{}
	}
	if o.LengthOfNeedMonths > 0 {
		r.lengthOfNeed = o.LengthOfNeedMonths
	}
	return r, nil
}

// GetWrittenOrder returns written order id of the caller's company.
// Another company's order is NOT_FOUND, exactly like a missing one.
func (s *Store) GetWrittenOrder(ctx context.Context, id string) (*domain.WrittenOrder, error) {
	return postgres.ReadOne(ctx, s.db, "get written order "+id, func(tx pgx.Tx) (*domain.WrittenOrder, error) {
		return getWrittenOrder(ctx, tx, id, "")
	})
}

func getWrittenOrder(ctx context.Context, tx pgx.Tx, id, lock string) (*domain.WrittenOrder, error) {
	o, err := scanWrittenOrder(tx.QueryRow(ctx, `select `+writtenOrderColumns+` from written_orders where id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("written order", id)
	}
	return o, err
}

// expiredOn is the SQL condition "a signed order whose length of need ran
// out before param", the same reading as domain.WrittenOrder.EffectiveStatus:
// Postgres adds months to a date keeping it within the month it lands in,
// as civil.Date.AddMonths does.
func expiredOn(param string) string {
	return fmt.Sprintf(`(status = 'signed' and length_of_need_months < %d
		and (order_date + make_interval(months => length_of_need_months))::date < %s)`, domain.LifetimeLengthOfNeed, param)
}

// ListWrittenOrders returns the caller's written orders q selects, newest
// first (UUIDv7 ids grow with creation time), resuming after q.AfterID.
func (s *Store) ListWrittenOrders(ctx context.Context, q app.WrittenOrderQuery) ([]*domain.WrittenOrder, error) {
	var after any
	if q.AfterID != "" {
		after = q.AfterID
	}
	return postgres.ReadMany(ctx, s.db, "list written orders", `
		select `+writtenOrderColumns+` from written_orders
		where ($1 = '' or patient_id = nullif($1, '')::uuid)
		  and (case $2
		         when '' then true
		         when 'signed' then status = 'signed' and not `+expiredOn("$3::date")+`
		         when 'expired' then `+expiredOn("$3::date")+`
		         else status = $2
		       end)
		  and ($4::uuid is null or id < $4::uuid)
		order by id desc
		limit $5`,
		scanWrittenOrder, q.PatientID, string(q.Status), date(q.Today), after, q.Limit)
}

// PatientWrittenOrders returns every written order of patient patientID
// in the caller's company, whatever its status, oldest first; none for a
// patient of another company.
func (s *Store) PatientWrittenOrders(ctx context.Context, patientID string) ([]domain.WrittenOrder, error) {
	return postgres.ReadMany(ctx, s.db, "patient written orders",
		`select `+writtenOrderColumns+` from written_orders where patient_id = $1 order by id`,
		func(row pgx.Row) (domain.WrittenOrder, error) {
			o, err := scanWrittenOrder(row)
			if err != nil {
				return domain.WrittenOrder{}, err
			}
			return *o, nil
		}, patientID)
}

// CreateWrittenOrder inserts o under the AIP-155 key requestID. The
// patient and the prescriber must be the caller's company's (NOT_FOUND
// otherwise, as for a missing one), and the prescriber active
// (app.PrescriberInactive). A repeated request returns the order created
// the first time, as it is now, with replayed true.
func (s *Store) CreateWrittenOrder(ctx context.Context, o *domain.WrittenOrder, requestID string, requestHash []byte) (*domain.WrittenOrder, bool, error) {
	return postgres.CreateResource(ctx, s.db, methodCreateWrittenOrder, requestID, requestHash, o.ID, o,
		func(tx pgx.Tx) error {
			if err := patientExists(ctx, tx, o.PatientID); err != nil {
				return err
			}
			if err := prescriberMayOrder(ctx, tx, o.PrescriberID); err != nil {
				return err
			}
			r, err := writtenOrderColumnsOf(o)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `
				insert into written_orders (id, company_id, patient_id, prescriber_id, items, hcpcs_codes, order_date,
					signature_date, face_to_face_date, length_of_need_months, diagnoses, status, revoke_reason,
					version, create_time, update_time)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
				o.ID, o.CompanyID, o.PatientID, o.PrescriberID, r.items, r.hcpcsCodes, date(o.OrderDate),
				date(o.SignatureDate), date(o.FaceToFaceDate), r.lengthOfNeed, r.diagnoses, string(o.Status), o.RevokeReason,
				o.Version, o.CreateTime, o.UpdateTime)
			return err
		},
		func(tx pgx.Tx, id string) (*domain.WrittenOrder, error) { return getWrittenOrder(ctx, tx, id, "") })
}

// UpdateWrittenOrder loads written order id for update, lets fn change it
// (fields, sign, revoke), and saves it with its version advanced by one.
// When fn changes the prescriber, the new one must be the company's and
// active. Nothing is written when fn returns an error.
func (s *Store) UpdateWrittenOrder(ctx context.Context, id string, fn func(*domain.WrittenOrder) error) (*domain.WrittenOrder, error) {
	var prescriber string
	return postgres.UpdateResource(ctx, s.db, "update written order",
		func(tx pgx.Tx) (*domain.WrittenOrder, error) {
			o, err := getWrittenOrder(ctx, tx, id, " for update")
			if err == nil {
				prescriber = o.PrescriberID
			}
			return o, err
		},
		fn, func(o *domain.WrittenOrder) { o.Version++ },
		func(tx pgx.Tx, o *domain.WrittenOrder) error {
			if o.PrescriberID != prescriber {
				if err := prescriberMayOrder(ctx, tx, o.PrescriberID); err != nil {
					return err
				}
			}
			r, err := writtenOrderColumnsOf(o)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `
				update written_orders set
					prescriber_id = $2, items = $3, hcpcs_codes = $4, order_date = $5, signature_date = $6,
					face_to_face_date = $7, length_of_need_months = $8, diagnoses = $9, status = $10,
					revoke_reason = $11, version = $12, update_time = $13
				where id = $1`,
				o.ID, o.PrescriberID, r.items, r.hcpcsCodes, date(o.OrderDate), date(o.SignatureDate),
				date(o.FaceToFaceDate), r.lengthOfNeed, r.diagnoses, string(o.Status), o.RevokeReason, o.Version, o.UpdateTime)
			return err
		})
}

// patientExists is NOT_FOUND unless patient id is the caller's company's.
// The row is locked FOR KEY SHARE, as the foreign key would lock it.
func patientExists(ctx context.Context, tx pgx.Tx, id string) error {
	var found bool
	err := tx.QueryRow(ctx, `select true from patients where id = $1 for key share`, id).Scan(&found)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("patient", id)
	}
	return err
}

// prescriberMayOrder is NOT_FOUND unless prescriber id is the caller's
// company's, and app.ErrPrescriberInactive when it is deactivated.
func prescriberMayOrder(ctx context.Context, tx pgx.Tx, id string) error {
	var active bool
	err := tx.QueryRow(ctx, `select active from prescribers where id = $1 for key share`, id).Scan(&active)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("prescriber", id)
	}
	if err != nil {
		return err
	}
	if !active {
		return app.PrescriberInactive(id)
	}
	return nil
}
