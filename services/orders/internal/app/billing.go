package app

import (
	"context"
	"fmt"
	"time"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// Billing event types.
const (
	EventClaimLineCreated = "orders.claim_line.created.v1"
	EventRentalClosed     = "orders.rental.closed.v1"
)

// BillingActor is the actor of what the billing run does: its events and
// the claim lines it creates.
const BillingActor = "orders.billing"

// BillingRepository stores rentals and their claim lines.
type BillingRepository interface {
	// OpenRentals inserts the rentals a delivery starts.
	OpenRentals(ctx context.Context, rentals []domain.Rental) error
	// LastRental is the patient's latest rental of hcpcs and typ, nil
	// when none.
	LastRental(ctx context.Context, patientID, hcpcs string, typ domain.LineType) (*domain.Rental, error)
	// EndRentals records the pickup of the rentals of lineIDs.
	EndRentals(ctx context.Context, lineIDs []string, day civil.Date, reason domain.PickupReason) error
	// DueTenants lists up to max tenants with a rental month due by asOf,
	// across tenants.
	DueTenants(ctx context.Context, asOf civil.Date, max int) ([]string, error)
	// ClaimDueRentals locks up to limit of the tenant's rentals with a
	// month due by asOf, in (next due, line) order after after (nil from
	// the first), skipping those another run holds.
	ClaimDueRentals(ctx context.Context, asOf civil.Date, after *RentalKey, limit int) ([]*domain.Rental, error)
	// SaveBilling writes claims (skipping a line and month billed before)
	// and the rentals' new state, and returns the claims it created.
	SaveBilling(ctx context.Context, rentals []*domain.Rental, claims []domain.ClaimLine) ([]domain.ClaimLine, error)
	GetClaimLine(ctx context.Context, id string) (*domain.ClaimLine, error)
	ListClaimLines(ctx context.Context, q ClaimLineQuery) ([]*domain.ClaimLine, error)
	// ExportClaimLines marks ids exported by actor at now once admit
	// accepts the lines as they were, under their row locks.
	ExportClaimLines(ctx context.Context, ids []string, actor string, now time.Time,
		admit func([]*domain.ClaimLine) error) ([]*domain.ClaimLine, error)
}

// RentalKey is where a billing run stands in the due rentals: the last
// rental a batch read.
type RentalKey struct {
	NextDue civil.Date
	LineID  string
}

// Claim line statuses as a listing filters them.
const (
	ClaimStatusOpen     = "open"
	ClaimStatusExported = "exported"
)

// ClaimLineQuery selects a page of claim lines by date of service and id.
// After holds the previous page's last keys (date of service, id); nil
// starts at the first.
type ClaimLineQuery struct {
	// Status is "", ClaimStatusOpen or ClaimStatusExported.
	Status   string
	PayerID  string
	From, To civil.Date
	After    []string
	Limit    int
}

// Claims are the billing run and the claim line commands and queries.
type Claims struct{ s *supplier }

// BillingRun is what a billing run did.
type BillingRun struct {
	AsOf civil.Date
	// Rentals is how many rental lines had a month due.
	Rentals int
	// Created is how many claim lines it created; Closed how many rentals
	// its rules closed.
	Created, Closed int
}

// add counts other's work in r.
func (r *BillingRun) add(other BillingRun) {
	r.Rentals += other.Rentals
	r.Created += other.Created
	r.Closed += other.Closed
}

// BillingBatch is how many rentals one transaction of a billing run
// decides: large enough that a run over a hundred thousand rentals is a
// few hundred statements, small enough that a failure redoes little and
// row locks are held briefly.
const BillingBatch = 1000

// RunBillingAsOf is the violation of a billing day after today.
const RunBillingAsOf = "must not be after today: a month is billed once it has started"

// RunBilling bills the caller's company as of asOf (today when zero).
func (h Claims) RunBilling(ctx context.Context, asOf civil.Date) (BillingRun, error) {
	today := h.s.today()
	switch {
	case asOf.IsZero():
		asOf = today
	case !asOf.IsValid():
		return BillingRun{}, errs.Invalid(errs.FieldViolation{Field: "asOf", Description: domain.DateInvalid})
	case asOf.After(today):
		return BillingRun{}, errs.Invalid(errs.FieldViolation{Field: "asOf", Description: RunBillingAsOf})
	}
	if _, err := usecase.Caller(ctx); err != nil {
		return BillingRun{}, err
	}
	return h.bill(ctx, asOf)
}

// BillAll bills every company as of today: the service's daily job. Each
// tenant is billed under the billing actor's principal in that tenant.
// Tenants are taken a hundred at a time until none has a month due, or
// until a round bills nothing (what is due is held by another replica's
// run, which bills it).
func (h Claims) BillAll(ctx context.Context) (BillingRun, error) {
	asOf := h.s.today()
	total := BillingRun{AsOf: asOf}
	for {
		tenants, err := h.s.Store.DueTenants(ctx, asOf, 100)
		if err != nil || len(tenants) == 0 {
			return total, err
		}
		round := BillingRun{}
		for _, company := range tenants {
			tctx := identity.NewContext(ctx, identity.Principal{Subject: BillingActor, CompanyID: company, Kind: identity.KindService})
			run, err := h.bill(tctx, asOf)
			round.add(run)
			if err != nil {
				total.add(round)
				return total, fmt.Errorf("billing company %s as of %s: %w", company, asOf, err)
			}
		}
		total.add(round)
		if round.Rentals == 0 {
			return total, nil
		}
	}
}

// bill bills the tenant of ctx as of asOf, a batch of rentals per unit of
// work: each batch's claim lines, rental states and events commit
// together, so a crash loses nothing and redoes at most one batch, which
// the unique (line, month) of claim lines keeps from billing twice.
func (h Claims) bill(ctx context.Context, asOf civil.Date) (BillingRun, error) {
	run := BillingRun{AsOf: asOf}
	var after *RentalKey
	for {
		batch, err := usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (billed, []usecase.Event, error) {
			return h.billBatch(ctx, asOf, after)
		})
		run.add(batch.BillingRun)
		if err != nil || batch.Rentals < BillingBatch {
			return run, err
		}
		after = &batch.last
	}
}

// billed is what one batch did, and the key of its last rental.
type billed struct {
	BillingRun
	last RentalKey
}

// billBatch decides one batch of due rentals, after after, in the unit of
// work of ctx and returns the events of what it created and closed.
func (h Claims) billBatch(ctx context.Context, asOf civil.Date, after *RentalKey) (billed, []usecase.Event, error) {
	rentals, err := h.s.Store.ClaimDueRentals(ctx, asOf, after, BillingBatch)
	if err != nil || len(rentals) == 0 {
		return billed{}, nil, err
	}
	last := RentalKey{NextDue: rentals[len(rentals)-1].NextDue, LineID: rentals[len(rentals)-1].LineID}
	now := h.s.Now.Stamp()
	var claims []domain.ClaimLine
	var closed []*domain.Rental
	for _, r := range rentals {
		b := domain.BillRental(r.RentalLine, asOf)
		for _, m := range b.Months {
			if !m.Claim {
				continue
			}
			id, err := usecase.NewID()
			if err != nil {
				return billed{}, nil, err
			}
			claims = append(claims, r.Claim(id, m, now))
		}
		r.Apply(b)
		if !r.NextDue.IsZero() && !r.NextDue.After(asOf) {
			return billed{}, nil, fmt.Errorf("billing rental %s as of %s decided nothing (next due %s)", r.LineID, asOf, r.NextDue)
		}
		if b.Close != nil {
			closed = append(closed, r)
		}
	}
	created, err := h.s.Store.SaveBilling(ctx, rentals, claims)
	if err != nil {
		return billed{}, nil, err
	}
	events := make([]usecase.Event, 0, len(created)+len(closed))
	for i := range created {
		events = append(events, claimCreated(&created[i], BillingActor, now))
	}
	for _, r := range closed {
		events = append(events, rentalClosed(r, now))
	}
	return billed{BillingRun{AsOf: asOf, Rentals: len(rentals), Created: len(created), Closed: len(closed)}, last}, events, nil
}

// claimCreated is ClaimLineCreated of c, created by actor.
func claimCreated(c *domain.ClaimLine, actor string, now time.Time) usecase.Event {
	return usecase.Event{Type: EventClaimLineCreated, CompanyID: c.CompanyID, ResourceID: c.ID, Payload: &ordersv1.ClaimLineCreated{
		CompanyId: c.CompanyID, ClaimLineId: c.ID, ActorId: actor, OccurTime: timestamp(now),
		OrderId: c.OrderID, OrderLineId: c.LineID, PatientId: c.PatientID, CoverageId: c.CoverageID, PayerId: c.PayerID,
		Hcpcs: c.HCPCS, Modifiers: c.Modifiers, BillingMonth: int32(c.Period.Month),
		PeriodFrom: protoconv.DateProto(c.Period.From), PeriodThrough: protoconv.DateProto(c.Period.Through),
		ChargeCents: c.Charge.Cents, ExpectedCents: c.Expected.Cents,
	}}
}

// closeReasons maps the domain's close reasons to the API's.
var closeReasons = map[domain.RentalCloseReason]ordersv1.RentalCloseReason{
	domain.CloseCappedRentalPaid:    ordersv1.RentalCloseReason_RENTAL_CLOSE_REASON_CAPPED_RENTAL_PAID,
	domain.ClosePurchased:           ordersv1.RentalCloseReason_RENTAL_CLOSE_REASON_PURCHASED,
	domain.CloseUsefulLifetimeEnded: ordersv1.RentalCloseReason_RENTAL_CLOSE_REASON_USEFUL_LIFETIME_ENDED,
}

// rentalClosed is RentalClosed of r, which its rules closed.
func rentalClosed(r *domain.Rental, now time.Time) usecase.Event {
	return usecase.Event{Type: EventRentalClosed, CompanyID: r.CompanyID, ResourceID: r.LineID, Payload: &ordersv1.RentalClosed{
		CompanyId: r.CompanyID, OrderId: r.OrderID, ActorId: BillingActor, OccurTime: timestamp(now),
		PatientId: r.PatientID, OrderLineId: r.LineID, UnitId: r.UnitID, CloseDate: protoconv.DateProto(r.Close.On),
		BillingMonth: int32(r.Close.Month), Reason: closeReasons[r.Close.Reason], TitleToPatient: r.Close.Reason.TitleToPatient(),
	}}
}

// GetClaimLine returns claim line id of the caller's company.
func (h Claims) GetClaimLine(ctx context.Context, id string) (*domain.ClaimLine, error) {
	return usecase.Get(ctx, "id", id, h.s.Store.GetClaimLine)
}

// ListClaimLines pages through the company's claim lines.
type ListClaimLines struct {
	PageSize  int32
	PageToken string
	Status    string
	PayerID   string
	From, To  civil.Date
}

// ClaimLinePage is one page of claim lines.
type ClaimLinePage = usecase.Page[*domain.ClaimLine]

// ListClaimLines returns one page of claim lines by date of service and
// id. The filters are part of the page token's scope: a token is good
// only for the query that issued it.
func (h Claims) ListClaimLines(ctx context.Context, q ListClaimLines) (ClaimLinePage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return ClaimLinePage{}, err
	}
	var checks []usecase.FieldCheck
	if q.PayerID != "" {
		checks = append(checks, usecase.FieldCheck{Err: usecase.CheckID("payerId", q.PayerID)})
	}
	if !q.From.IsZero() && !q.From.IsValid() {
		checks = append(checks, usecase.FieldCheck{Err: errs.Invalid(errs.FieldViolation{Field: "periodStart", Description: domain.DateInvalid})})
	}
	if !q.To.IsZero() && !q.To.IsValid() {
		checks = append(checks, usecase.FieldCheck{Err: errs.Invalid(errs.FieldViolation{Field: "periodEnd", Description: domain.DateInvalid})})
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		checks = append(checks, usecase.FieldCheck{Err: errs.Invalid(errs.FieldViolation{Field: "periodEnd", Description: "must not be before periodStart"})})
	}
	if err := usecase.InvalidFields(checks...); err != nil {
		return ClaimLinePage{}, err
	}
	scope := []string{"ListClaimLines", caller.CompanyID, q.Status, q.PayerID, q.From.String(), q.To.String()}
	lines, next, err := usecase.CompositeKeysetPage(h.s.Pages, q.PageSize, q.PageToken, scope, 2,
		func(keys []string) bool {
			_, err := civil.Parse(keys[0])
			return err == nil && usecase.CheckID("", keys[1]) == nil
		},
		func(after []string, limit int) ([]*domain.ClaimLine, error) {
			return h.s.Store.ListClaimLines(ctx, ClaimLineQuery{Status: q.Status, PayerID: q.PayerID, From: q.From, To: q.To,
				After: after, Limit: limit})
		},
		func(c *domain.ClaimLine) []string { return []string{c.Period.From.String(), c.ID} })
	return ClaimLinePage{Items: lines, NextPageToken: next}, err
}

// ExportClaimLines marks claim lines exported by the caller. A line
// exported before is refused, naming every such line, unless Force.
type ExportClaimLines struct {
	IDs   []string
	Force bool
}

// MaxExport is how many claim lines one export takes.
const MaxExport = 500

// ExportClaimLines marks the lines exported, all or none.
func (h Claims) ExportClaimLines(ctx context.Context, cmd ExportClaimLines) ([]*domain.ClaimLine, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	var v errs.Violations
	if n := len(cmd.IDs); n < 1 || n > MaxExport {
		v.Add("ids", fmt.Sprintf("must name 1 to %d claim lines", MaxExport))
	}
	seen := map[string]bool{}
	for i, id := range cmd.IDs {
		field := fmt.Sprintf("ids[%d]", i)
		switch {
		case usecase.CheckID("", id) != nil:
			v.Add(field, "must be a claim line id (a UUID)")
		case seen[id]:
			v.Add(field, "repeats an earlier id")
		}
		seen[id] = true
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return h.s.Store.ExportClaimLines(ctx, cmd.IDs, caller.Subject, h.s.Now.Stamp(), func(lines []*domain.ClaimLine) error {
		return domain.CheckExport(lines, cmd.Force)
	})
}
