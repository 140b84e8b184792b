package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

var _ app.BillingRepository = (*Store)(nil)

// rentalColumns is the select list scanRental reads. Its ids are text, so
// an ORDER BY names the table's columns qualified (rentals.line_id): a
// bare line_id would sort by the text of the select list.
const rentalColumns = `line_id::text, company_id::text, order_id::text, patient_id::text, type, date_of_service,
	coalesce(continues_line_id::text, ''), prior_months, decided, next_due, pickup_date, pickup_reason,
	close_date, close_month, close_reason, coalesce(coverage_id::text, ''), coalesce(payer_id::text, ''),
	coverage_rank, ordering_npi, rendering_npi, hcpcs, modifiers, quantity, billable_cents, allowable_cents,
	diagnosis_codes, serial_number, coalesce(unit_id::text, '')`

func scanRental(row pgx.Row) (*domain.Rental, error) {
	var r domain.Rental
	var typ, pickupReason, closeReason string
	var dos, nextDue, pickup, closeDate postgres.Date
	var closeMonth int
	err := row.Scan(&r.LineID, &r.CompanyID, &r.OrderID, &r.PatientID, &typ, &dos, &r.ContinuesLineID, &r.PriorMonths,
		&r.Decided, &nextDue, &pickup, &pickupReason, &closeDate, &closeMonth, &closeReason, &r.CoverageID, &r.PayerID,
		&r.CoverageRank, &r.OrderingNPI, &r.RenderingNPI, &r.HCPCS, &r.Modifiers, &r.Quantity, &r.Billable.Cents,
		&r.Allowable.Cents, &r.DiagnosisCodes, &r.SerialNumber, &r.UnitID)
	if err != nil {
		return nil, err
	}
	r.Type, r.PickupReason = domain.LineType(typ), domain.PickupReason(pickupReason)
	r.DateOfService, r.NextDue, r.PickupDate = civil.Date(dos), civil.Date(nextDue), civil.Date(pickup)
	r.Billable.Currency, r.Allowable.Currency = "USD", "USD"
	if closeReason != "" {
		r.Close = &domain.RentalClose{On: civil.Date(closeDate), Month: closeMonth, Reason: domain.RentalCloseReason(closeReason)}
	}
	return &r, nil
}

// OpenRentals inserts the rentals a delivery starts, in the unit of work
// of ctx.
func (s *Store) OpenRentals(ctx context.Context, rentals []domain.Rental) error {
	if len(rentals) == 0 {
		return nil
	}
	return postgres.Wrap("open rentals", s.db.WithTx(ctx, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		for _, r := range rentals {
			batch.Queue(`
				insert into rentals (line_id, company_id, order_id, patient_id, type, date_of_service, continues_line_id,
					prior_months, decided, next_due, coverage_id, payer_id, coverage_rank, ordering_npi, rendering_npi,
					hcpcs, modifiers, quantity, billable_cents, allowable_cents, diagnosis_codes, serial_number, unit_id)
				values ($1, $2, $3, $4, $5, $6, nullif($7, '')::uuid, $8, $9, $10, nullif($11, '')::uuid,
					nullif($12, '')::uuid, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, nullif($23, '')::uuid)`,
				r.LineID, r.CompanyID, r.OrderID, r.PatientID, string(r.Type), postgres.Date(r.DateOfService),
				r.ContinuesLineID, r.PriorMonths, r.Decided, postgres.Date(r.NextDue), r.CoverageID, r.PayerID,
				r.CoverageRank, r.OrderingNPI, r.RenderingNPI, r.HCPCS, nonNil(r.Modifiers), r.Quantity,
				r.Billable.Cents, r.Allowable.Cents, nonNil(r.DiagnosisCodes), r.SerialNumber, r.UnitID)
		}
		return tx.SendBatch(ctx, batch).Close()
	}))
}

// LastRental returns the patient's latest rental of hcpcs and type by date
// of service, nil when there is none.
func (s *Store) LastRental(ctx context.Context, patientID, hcpcs string, typ domain.LineType) (*domain.Rental, error) {
	r, err := postgres.ReadOne(ctx, s.db, "last rental", func(tx pgx.Tx) (*domain.Rental, error) {
		return scanRental(tx.QueryRow(ctx, `select `+rentalColumns+` from rentals
			where patient_id = $1 and hcpcs = $2 and type = $3
			order by rentals.date_of_service desc, rentals.line_id desc limit 1`, patientID, hcpcs, string(typ)))
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// EndRentals records the pickup of lineIDs' rentals, in the unit of work
// of ctx. Their months up to the pickup are still billed; the billing run
// settles them.
func (s *Store) EndRentals(ctx context.Context, lineIDs []string, day civil.Date, reason domain.PickupReason) error {
	return postgres.Wrap("end rentals", s.db.WithTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `update rentals set pickup_date = $2, pickup_reason = $3 where line_id = any($1::uuid[])`,
			lineIDs, postgres.Date(day), string(reason))
		return err
	}))
}

// DueTenants lists up to max tenants with a rental month due on or before
// asOf. It reads across tenants through rentals_due_tenants, which runs as
// the schema's owner and reveals tenant ids only.
func (s *Store) DueTenants(ctx context.Context, asOf civil.Date, max int) ([]string, error) {
	var out []string
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `select company_id::text from rentals_due_tenants($1, $2)`, postgres.Date(asOf), max)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return out, postgres.Wrap("rentals due tenants", err)
}

// ClaimDueRentals locks up to limit of the tenant's rentals with a month
// due on or before asOf, after the key after (nil for the first batch of
// a run), the earliest due first, in the unit of work of ctx. Rows another
// run holds are skipped (FOR UPDATE SKIP LOCKED), so concurrent runs share
// the work instead of waiting for each other; the unique (line, month) of
// claim_lines makes a month billed twice impossible regardless. Walking on
// from the last batch's key keeps each batch's index scan clear of the
// entries the earlier batches left behind (a run updates every row it
// reads, and vacuum catches up only later).
func (s *Store) ClaimDueRentals(ctx context.Context, asOf civil.Date, after *app.RentalKey, limit int) ([]*domain.Rental, error) {
	from := app.RentalKey{NextDue: civil.Date{Year: 1, Month: 1, Day: 1}, LineID: "00000000-0000-0000-0000-000000000000"}
	if after != nil {
		from = *after
	}
	var out []*domain.Rental
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = postgres.QueryAll(ctx, tx, `select `+rentalColumns+` from rentals
			where next_due <= $1 and (next_due, line_id) > ($2::date, $3::uuid)
			order by rentals.next_due, rentals.line_id limit $4 for update skip locked`,
			scanRental, postgres.Date(asOf), postgres.Date(from.NextDue), from.LineID, limit)
		return err
	})
	return out, postgres.Wrap("claim due rentals", err)
}

// CreateClaimLines inserts claims in the unit of work of ctx and returns
// those it created (none billed before).
func (s *Store) CreateClaimLines(ctx context.Context, claims []domain.ClaimLine) ([]domain.ClaimLine, error) {
	var created []domain.ClaimLine
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		created, err = insertClaims(ctx, tx, claims)
		return err
	})
	return created, postgres.Wrap("create claim lines", err)
}

// SaveBilling writes what a billing run decided, in the unit of work of
// ctx: the claim lines (a line and month billed before is skipped) and
// each rental's new state. It returns the claim lines it created.
func (s *Store) SaveBilling(ctx context.Context, rentals []*domain.Rental, claims []domain.ClaimLine) ([]domain.ClaimLine, error) {
	var created []domain.ClaimLine
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		if created, err = insertClaims(ctx, tx, claims); err != nil {
			return err
		}
		return updateRentals(ctx, tx, rentals)
	})
	return created, postgres.Wrap("save billing", err)
}

// insertClaims inserts claims in one statement, the arrays of each row
// joined by commas (codes and modifiers hold none), skipping a rental's
// line and month billed before (or a shipment's line).
func insertClaims(ctx context.Context, tx pgx.Tx, claims []domain.ClaimLine) ([]domain.ClaimLine, error) {
	if len(claims) == 0 {
		return nil, nil
	}
	n := len(claims)
	var (
		ids, companies, orders, lines, patients = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		shipments                               = make([]string, n)
		coverages, payers, ordering, rendering  = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		hcpcs, modifiers, codes, serials, pos   = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		months, ranks, units                    = make([]int32, n), make([]int32, n), make([]int32, n)
		froms, throughs                         = make([]pgtype.Date, n), make([]pgtype.Date, n)
		charges, expected                       = make([]int64, n), make([]int64, n)
		created                                 = make([]time.Time, n)
	)
	for i, c := range claims {
		ids[i], companies[i], orders[i], lines[i], patients[i] = c.ID, c.CompanyID, c.OrderID, c.LineID, c.PatientID
		shipments[i] = c.ShipmentID
		coverages[i], payers[i], ordering[i], rendering[i] = c.CoverageID, c.PayerID, c.OrderingNPI, c.RenderingNPI
		hcpcs[i], modifiers[i], codes[i] = c.HCPCS, strings.Join(c.Modifiers, ","), strings.Join(c.DiagnosisCodes, ",")
		serials[i], pos[i] = c.SerialNumber, c.PlaceOfService
		months[i], ranks[i], units[i] = int32(c.Period.Month), c.CoverageRank, c.Units
		froms[i] = pgtype.Date{Time: c.Period.From.In(time.UTC), Valid: true}
		throughs[i] = pgtype.Date{Time: c.Period.Through.In(time.UTC), Valid: true}
		charges[i], expected[i], created[i] = c.Charge.Cents, c.Expected.Cents, c.CreateTime
	}
	rows, err := tx.Query(ctx, `
		insert into claim_lines (id, company_id, order_id, order_line_id, billing_month, patient_id, coverage_id, payer_id,
			coverage_rank, ordering_npi, rendering_npi, hcpcs, modifiers, units, period_from, period_through,
			charge_cents, expected_cents, diagnosis_codes, place_of_service, serial_number, create_time, shipment_id)
		select id, company, ord, line, month, patient, nullif(coverage, '')::uuid, nullif(payer, '')::uuid, rank,
			ordering, rendering, hcpcs, coalesce(string_to_array(nullif(mods, ''), ','), '{}'), units, pfrom, pthrough,
			charge, expected, coalesce(string_to_array(nullif(codes, ''), ','), '{}'), pos, serial, created,
			nullif(shipment, '')::uuid
		from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::int[], $6::uuid[], $7::text[], $8::text[],
			$9::int[], $10::text[], $11::text[], $12::text[], $13::text[], $14::int[], $15::date[], $16::date[],
			$17::bigint[], $18::bigint[], $19::text[], $20::text[], $21::text[], $22::timestamptz[], $23::text[])
			as c(id, company, ord, line, month, patient, coverage, payer, rank, ordering, rendering, hcpcs, mods, units,
				pfrom, pthrough, charge, expected, codes, pos, serial, created, shipment)
		on conflict do nothing
		returning id::text`,
		ids, companies, orders, lines, months, patients, coverages, payers, ranks, ordering, rendering, hcpcs,
		modifiers, units, froms, throughs, charges, expected, codes, pos, serials, created, shipments)
	if err != nil {
		return nil, err
	}
	inserted, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	if len(inserted) == n {
		return claims, nil
	}
	was := make(map[string]bool, len(inserted))
	for _, id := range inserted {
		was[id] = true
	}
	out := make([]domain.ClaimLine, 0, len(inserted))
	for _, c := range claims {
		if was[c.ID] {
			out = append(out, c)
		}
	}
	return out, nil
}

// updateRentals writes each rental's billing state in one statement.
func updateRentals(ctx context.Context, tx pgx.Tx, rentals []*domain.Rental) error {
	if len(rentals) == 0 {
		return nil
	}
	n := len(rentals)
	lines, reasons := make([]string, n), make([]string, n)
	decided, closeMonths := make([]int32, n), make([]int32, n)
	nextDue, closeDates := make([]pgtype.Date, n), make([]pgtype.Date, n)
	for i, r := range rentals {
		lines[i], decided[i] = r.LineID, int32(r.Decided)
		if !r.NextDue.IsZero() {
			nextDue[i] = pgtype.Date{Time: r.NextDue.In(time.UTC), Valid: true}
		}
		if r.Close != nil {
			reasons[i], closeMonths[i] = string(r.Close.Reason), int32(r.Close.Month)
			closeDates[i] = pgtype.Date{Time: r.Close.On.In(time.UTC), Valid: true}
		}
	}
	_, err := tx.Exec(ctx, `
		update rentals r set decided = u.decided, next_due = u.next_due, close_date = u.close_date,
			close_month = u.close_month, close_reason = u.close_reason
		from unnest($1::uuid[], $2::int[], $3::date[], $4::date[], $5::int[], $6::text[])
			as u(line_id, decided, next_due, close_date, close_month, close_reason)
		where r.line_id = u.line_id`,
		lines, decided, nextDue, closeDates, closeMonths, reasons)
	return err
}

// claimColumns is the select list scanClaim reads.
const claimColumns = `id::text, company_id::text, order_id::text, order_line_id::text, billing_month, patient_id::text,
	coalesce(coverage_id::text, ''), coalesce(payer_id::text, ''), coverage_rank, ordering_npi, rendering_npi, hcpcs,
	modifiers, units, period_from, period_through, charge_cents, expected_cents, diagnosis_codes, place_of_service,
	serial_number, export_count, last_export_time, last_exported_by, create_time, coalesce(shipment_id::text, '')`

func scanClaim(row pgx.Row) (*domain.ClaimLine, error) {
	var c domain.ClaimLine
	var from, through postgres.Date
	var exported pgtype.Timestamptz
	err := row.Scan(&c.ID, &c.CompanyID, &c.OrderID, &c.LineID, &c.Period.Month, &c.PatientID, &c.CoverageID, &c.PayerID,
		&c.CoverageRank, &c.OrderingNPI, &c.RenderingNPI, &c.HCPCS, &c.Modifiers, &c.Units, &from, &through,
		&c.Charge.Cents, &c.Expected.Cents, &c.DiagnosisCodes, &c.PlaceOfService, &c.SerialNumber, &c.ExportCount,
		&exported, &c.LastExportedBy, &c.CreateTime, &c.ShipmentID)
	if err != nil {
		return nil, err
	}
	c.Period.From, c.Period.Through = civil.Date(from), civil.Date(through)
	c.Charge.Currency, c.Expected.Currency = "USD", "USD"
	c.LastExportTime = exported.Time
	return &c, nil
}

// GetClaimLine returns claim line id of the caller's company.
func (s *Store) GetClaimLine(ctx context.Context, id string) (*domain.ClaimLine, error) {
	c, err := postgres.ReadOne(ctx, s.db, "get claim line "+id, func(tx pgx.Tx) (*domain.ClaimLine, error) {
		return scanClaim(tx.QueryRow(ctx, `select `+claimColumns+` from claim_lines where id = $1`, id))
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.NotFound("claim line", id)
	}
	return c, err
}

// ListClaimLines returns up to q.Limit of the caller's claim lines by date
// of service and id, after q.After, narrowed by q's filters.
func (s *Store) ListClaimLines(ctx context.Context, q app.ClaimLineQuery) ([]*domain.ClaimLine, error) {
	return postgres.ReadMany(ctx, s.db, "list claim lines", `
		select `+claimColumns+` from claim_lines
		where ($1 = '' or ($1 = 'open') = (export_count = 0))
		  and ($2 = '' or payer_id = nullif($2, '')::uuid)
		  and ($3::date is null or period_from >= $3::date)
		  and ($4::date is null or period_from <= $4::date)
		  and ($5::date is null or (period_from, id) > ($5::date, $6::uuid))
		order by claim_lines.period_from, claim_lines.id
		limit $7`,
		scanClaim, q.Status, q.PayerID, postgres.Date(q.From), postgres.Date(q.To),
		postgres.AfterKey(q.After, 0), postgres.AfterKey(q.After, 1), q.Limit)
}

// ExportClaimLines marks claim lines ids exported by actor at now, once
// admit accepts them as they were (read under their row locks, in the
// order of ids); nothing is marked when admit refuses. An id the company
// does not have is NOT_FOUND.
func (s *Store) ExportClaimLines(ctx context.Context, ids []string, actor string, now time.Time,
	admit func([]*domain.ClaimLine) error) ([]*domain.ClaimLine, error) {
	var out []*domain.ClaimLine
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		found, err := postgres.QueryAll(ctx, tx, `select `+claimColumns+` from claim_lines where id = any($1::uuid[])
			order by claim_lines.id for update`, scanClaim, ids)
		if err != nil {
			return err
		}
		byID := make(map[string]*domain.ClaimLine, len(found))
		for _, c := range found {
			byID[c.ID] = c
		}
		out = make([]*domain.ClaimLine, len(ids))
		for i, id := range ids {
			if out[i] = byID[id]; out[i] == nil {
				return errs.NotFound("claim line", id)
			}
		}
		if err := admit(out); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `update claim_lines set export_count = export_count + 1, last_export_time = $2,
			last_exported_by = $3 where id = any($1::uuid[])`, ids, now, actor); err != nil {
			return err
		}
		for _, c := range out {
			c.ExportCount++
			c.LastExportTime, c.LastExportedBy = now, actor
		}
		return nil
	})
	return out, postgres.Wrap("export claim lines", err)
}
