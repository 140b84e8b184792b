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

// methodCreateOrder is the idempotency method key of CreateOrder.
const methodCreateOrder = "CreateOrder"

// orderColumns is the select list scanOrder reads.
const orderColumns = `id::text, company_id::text, patient_id::text, branch_id::text, warehouse_id::text,
	written_order_id::text, prescriber_id::text, coverages, order_date, diagnoses, status,
	coalesce(price_list_id::text, ''), override_reason, overridden_gaps, cancel_reason, version, create_time, update_time,
	ordering_npi, rendering_npi`

// storedCoverage is one coverage in the coverages jsonb column.
type storedCoverage struct {
	Rank       int32  `json:"rank"`
	CoverageID string `json:"coverageId"`
	PayerID    string `json:"payerId"`
}

func scanOrder(row pgx.Row) (*domain.Order, error) {
	var o domain.Order
	var coverages []byte
	var status string
	var orderDate postgres.Date
	err := row.Scan(&o.ID, &o.CompanyID, &o.PatientID, &o.BranchID, &o.WarehouseID, &o.WrittenOrderID, &o.PrescriberID,
		&coverages, &orderDate, &o.Diagnoses, &status, &o.PriceListID, &o.OverrideReason, &o.OverriddenGaps,
		&o.CancelReason, &o.Version, &o.CreateTime, &o.UpdateTime, &o.OrderingNPI, &o.RenderingNPI)
	if err != nil {
		return nil, err
	}
	o.Status = domain.OrderStatus(status)
	o.OrderDate = civil.Date(orderDate)
	var stored []storedCoverage
	if err := json.Unmarshal(coverages, &stored); err != nil {
		return nil, fmt.Errorf("store: coverages of order %s: %w", o.ID, err)
	}
	for _, c := range stored {
		o.Coverages = append(o.Coverages, domain.Coverage(c))
	}
	if len(o.OverriddenGaps) == 0 {
		o.OverriddenGaps = nil
	}
	return &o, nil
}

// lineColumns is the select list scanLine reads.
const lineColumns = `order_id::text, id::text, item_id::text, serialized, hcpcs, modifiers, quantity, type,
	diagnosis_pointers, serial_number, coalesce(unit_id::text, ''), billable_cents, allowable_cents,
	billing_start_date, billing_end_date, fulfillment_problem`

// scannedLine is a line and the order it belongs to.
type scannedLine struct {
	orderID string
	line    domain.OrderLine
}

func scanLine(row pgx.Row) (scannedLine, error) {
	var s scannedLine
	l := &s.line
	var typ string
	var start, end postgres.Date
	err := row.Scan(&s.orderID, &l.ID, &l.ItemID, &l.Serialized, &l.HCPCS, &l.Modifiers, &l.Quantity, &typ,
		&l.DiagnosisPointers, &l.SerialNumber, &l.UnitID, &l.Billable.Cents, &l.Allowable.Cents,
		&start, &end, &l.FulfillmentProblem)
	if err != nil {
		return s, err
	}
	l.Type = domain.LineType(typ)
	l.Billable.Currency, l.Allowable.Currency = "USD", "USD"
	l.BillingStart, l.BillingEnd = civil.Date(start), civil.Date(end)
	if len(l.Modifiers) == 0 {
		l.Modifiers = nil
	}
	return s, nil
}

// withLines reads the lines of orders, in their positions.
func withLines(ctx context.Context, tx pgx.Tx, orders []*domain.Order) error {
	if len(orders) == 0 {
		return nil
	}
	ids := make([]string, len(orders))
	byID := make(map[string]*domain.Order, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
		byID[o.ID] = o
	}
	lines, err := postgres.QueryAll(ctx, tx, `select `+lineColumns+` from order_lines
		where order_id = any($1::uuid[]) order by order_id, position`, scanLine, ids)
	if err != nil {
		return err
	}
	for _, l := range lines {
		o := byID[l.orderID]
		o.Lines = append(o.Lines, l.line)
	}
	return nil
}

func getOrder(ctx context.Context, tx pgx.Tx, id, lock string) (*domain.Order, error) {
	o, err := scanOrder(tx.QueryRow(ctx, `select `+orderColumns+` from orders where id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.NotFound("order", id)
	}
	if err != nil {
		return nil, err
	}
	return o, withLines(ctx, tx, []*domain.Order{o})
}

// GetOrder returns order id of the caller's company. Another company's
// order is NOT_FOUND, exactly like a missing one.
func (s *Store) GetOrder(ctx context.Context, id string) (*domain.Order, error) {
	return postgres.ReadOne(ctx, s.db, "get order "+id, func(tx pgx.Tx) (*domain.Order, error) {
		return getOrder(ctx, tx, id, "")
	})
}

// ListOrders returns the caller's orders q selects, newest order date
// first and by id within a day, resuming after q.After.
func (s *Store) ListOrders(ctx context.Context, q app.OrderQuery) ([]*domain.Order, error) {
	return postgres.ReadOne(ctx, s.db, "list orders", func(tx pgx.Tx) ([]*domain.Order, error) {
		found, err := postgres.QueryAll(ctx, tx, `
			select `+orderColumns+` from orders
			where ($1 = '' or patient_id = nullif($1, '')::uuid)
			  and ($2 = '' or branch_id = nullif($2, '')::uuid)
			  and ($3 = '' or status = $3)
			  and ($4::date is null or order_date >= $4::date)
			  and ($5::date is null or order_date <= $5::date)
			  and ($6::date is null or (order_date, id) < ($6::date, $7::uuid))
			order by order_date desc, id desc
			limit $8`, scanOrder,
			q.PatientID, q.BranchID, string(q.Status), postgres.Date(q.From), postgres.Date(q.To),
			afterDate(q.AfterDate), afterID(q.AfterID), q.Limit)
		if err != nil {
			return nil, err
		}
		return found, withLines(ctx, tx, found)
	})
}

// afterDate is a page cursor's date, or NULL on the first page.
func afterDate(d civil.Date) any {
	if d.IsZero() {
		return nil
	}
	return postgres.Date(d)
}

// afterID is a page cursor's id, or NULL on the first page.
func afterID(id string) any {
	if id == "" {
		return nil
	}
	return id
}

// CreateOrder inserts o and its lines under the AIP-155 key requestID. A
// repeated request returns the order created the first time, as it is
// now, with replayed true.
func (s *Store) CreateOrder(ctx context.Context, o *domain.Order, requestID string, fingerprint []byte) (*domain.Order, bool, error) {
	return postgres.CreateResource(ctx, s.db, methodCreateOrder, requestID, fingerprint, o.ID, o,
		func(tx pgx.Tx) error {
			coverages, err := coveragesJSON(o)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `
				insert into orders (id, company_id, patient_id, branch_id, warehouse_id, written_order_id, prescriber_id,
					coverages, order_date, diagnoses, status, price_list_id, override_reason, overridden_gaps,
					cancel_reason, version, create_time, update_time, ordering_npi, rendering_npi)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, nullif($12, '')::uuid, $13, $14, $15, $16, $17, $18, $19, $20)`,
				o.ID, o.CompanyID, o.PatientID, o.BranchID, o.WarehouseID, o.WrittenOrderID, o.PrescriberID,
				coverages, postgres.Date(o.OrderDate), o.Diagnoses, string(o.Status), o.PriceListID, o.OverrideReason,
				nonNil(o.OverriddenGaps), o.CancelReason, o.Version, o.CreateTime, o.UpdateTime, o.OrderingNPI, o.RenderingNPI)
			if err != nil {
				return err
			}
			return saveLines(ctx, tx, o)
		},
		func(tx pgx.Tx, id string) (*domain.Order, error) { return getOrder(ctx, tx, id, "") })
}

// UpdateOrder loads order id for update, lets fn change it (a draft's
// fields, a step of its workflow, its lines' units and billing dates), and
// saves it and its lines with its version advanced by one. Nothing is
// written when fn returns an error.
func (s *Store) UpdateOrder(ctx context.Context, id string, fn func(*domain.Order) error) (*domain.Order, error) {
	return postgres.UpdateResource(ctx, s.db, "update order",
		func(tx pgx.Tx) (*domain.Order, error) { return getOrder(ctx, tx, id, " for update") },
		fn, func(o *domain.Order) { o.Version++ },
		func(tx pgx.Tx, o *domain.Order) error {
			coverages, err := coveragesJSON(o)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `
				update orders set
					branch_id = $2, warehouse_id = $3, coverages = $4, order_date = $5, diagnoses = $6, status = $7,
					price_list_id = nullif($8, '')::uuid, override_reason = $9, overridden_gaps = $10,
					cancel_reason = $11, version = $12, update_time = $13, ordering_npi = $14, rendering_npi = $15
				where id = $1`,
				o.ID, o.BranchID, o.WarehouseID, coverages, postgres.Date(o.OrderDate), o.Diagnoses, string(o.Status),
				o.PriceListID, o.OverrideReason, nonNil(o.OverriddenGaps), o.CancelReason, o.Version, o.UpdateTime,
				o.OrderingNPI, o.RenderingNPI)
			if err != nil {
				return err
			}
			return saveLines(ctx, tx, o)
		})
}

// saveLines writes o's lines as they are: lines no longer on the order go
// (only a draft drops lines), the others are inserted or rewritten in
// their positions. Positions are checked at commit, so lines may trade
// places.
func saveLines(ctx context.Context, tx pgx.Tx, o *domain.Order) error {
	ids := make([]string, len(o.Lines))
	for i, l := range o.Lines {
		ids[i] = l.ID
	}
	if _, err := tx.Exec(ctx, `delete from order_lines where order_id = $1 and id <> all($2::uuid[])`, o.ID, ids); err != nil {
		return err
	}
	batch := &pgx.Batch{}
	for i, l := range o.Lines {
		batch.Queue(`
			insert into order_lines (id, company_id, order_id, position, item_id, serialized, hcpcs, modifiers, quantity,
				type, diagnosis_pointers, serial_number, unit_id, billable_cents, allowable_cents, billing_start_date,
				billing_end_date, fulfillment_problem)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, nullif($13, '')::uuid, $14, $15, $16, $17, $18)
			on conflict (id) do update set
				position = excluded.position, item_id = excluded.item_id, serialized = excluded.serialized,
				hcpcs = excluded.hcpcs, modifiers = excluded.modifiers, quantity = excluded.quantity, type = excluded.type,
				diagnosis_pointers = excluded.diagnosis_pointers, serial_number = excluded.serial_number,
				unit_id = excluded.unit_id, billable_cents = excluded.billable_cents,
				allowable_cents = excluded.allowable_cents, billing_start_date = excluded.billing_start_date,
				billing_end_date = excluded.billing_end_date, fulfillment_problem = excluded.fulfillment_problem
			where order_lines.order_id = excluded.order_id`,
			l.ID, o.CompanyID, o.ID, i, l.ItemID, l.Serialized, l.HCPCS, nonNil(l.Modifiers), l.Quantity, string(l.Type),
			l.DiagnosisPointers, l.SerialNumber, l.UnitID, l.Billable.Cents, l.Allowable.Cents,
			postgres.Date(l.BillingStart), postgres.Date(l.BillingEnd), l.FulfillmentProblem)
	}
	results := tx.SendBatch(ctx, batch)
	for range o.Lines {
		tag, err := results.Exec()
		if err == nil && tag.RowsAffected() != 1 {
			err = errs.AlreadyExists("order line", "id")
		}
		if err != nil {
			results.Close()
			return err
		}
	}
	return results.Close()
}

func coveragesJSON(o *domain.Order) ([]byte, error) {
	stored := make([]storedCoverage, len(o.Coverages))
	for i, c := range o.Coverages {
		stored[i] = storedCoverage(c)
	}
	b, err := json.Marshal(stored)
	if err != nil {
		return nil, fmt.Errorf("store: coverages of order %s: %w", o.ID, err)
	}
	return b, nil
}

// nonNil writes an absent list as an empty array, never NULL.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
