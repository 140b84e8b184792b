package app

import (
	"context"
	"strconv"
	"strings"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// Prescriber event types.
const (
	EventPrescriberCreated = "clinical.prescriber.created.v1"
	EventPrescriberUpdated = "clinical.prescriber.updated.v1"
)

// PrescriberRepository stores prescribers; an NPI is the company's once
// (ALREADY_EXISTS).
type PrescriberRepository interface {
	GetPrescriber(ctx context.Context, id string) (*domain.Prescriber, error)
	ListPrescribers(ctx context.Context, q PrescriberQuery) ([]*domain.Prescriber, error)
	CreatePrescriber(ctx context.Context, p *domain.Prescriber, requestID string, requestHash []byte) (*domain.Prescriber, bool, error)
	UpdatePrescriber(ctx context.Context, id string, fn func(*domain.Prescriber) error) (*domain.Prescriber, error)
}

// PrescriberQuery selects a page of the caller's prescribers, ordered by
// last name, first name (case-insensitive) and id.
type PrescriberQuery struct {
	// LastNamePrefix keeps prescribers whose last name starts with it,
	// case-insensitively; "" keeps all.
	LastNamePrefix string
	// NPI keeps the prescriber with this NPI; "" keeps all.
	NPI          string
	ShowInactive bool
	// After holds the previous page's last (lower-cased last name,
	// lower-cased first name, id); nil for the first page.
	After []string
	Limit int
}

// Prescribers are the prescriber commands and queries.
type Prescribers struct{ c *clinic }

// Get returns prescriber id of the caller's company.
func (h Prescribers) Get(ctx context.Context, id string) (*domain.Prescriber, error) {
	return usecase.Get(ctx, "id", id, h.c.Store.GetPrescriber)
}

// ListPrescribers pages through the company's prescribers.
type ListPrescribers struct {
	PageSize       int32
	PageToken      string
	LastNamePrefix string
	NPI            string
	ShowInactive   bool
}

// PrescriberPage is one page of prescribers.
type PrescriberPage = usecase.Page[*domain.Prescriber]

// List returns one page; the token is bound to the caller's company and
// the filter. An NPI filter that is not a valid NPI is a violation of
// "npi".
func (h Prescribers) List(ctx context.Context, q ListPrescribers) (PrescriberPage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return PrescriberPage{}, err
	}
	query := PrescriberQuery{LastNamePrefix: strings.TrimSpace(q.LastNamePrefix), ShowInactive: q.ShowInactive}
	if q.NPI != "" {
		if query.NPI, err = domain.NormalizeNPI(q.NPI); err != nil {
			return PrescriberPage{}, usecase.UnderField("npi", err)
		}
	}
	scope := []string{"ListPrescribers", caller.CompanyID, strings.ToLower(query.LastNamePrefix), query.NPI,
		strconv.FormatBool(query.ShowInactive)}
	found, next, err := usecase.CompositeKeysetPage(h.c.Pages, q.PageSize, q.PageToken, scope, 3,
		func(keys []string) bool { return usecase.CheckID("", keys[2]) == nil },
		func(after []string, limit int) ([]*domain.Prescriber, error) {
			query.After, query.Limit = after, limit
			return h.c.Store.ListPrescribers(ctx, query)
		},
		func(p *domain.Prescriber) []string {
			return []string{strings.ToLower(p.LastName), strings.ToLower(p.FirstName), p.ID}
		})
	return PrescriberPage{Items: found, NextPageToken: next}, err
}

// CreatePrescriber adds a prescriber. Violations name fields of the
// request ("prescriber.npi", "prescriber.fax.number", "requestId").
type CreatePrescriber struct {
	Values domain.PrescriberValues
	// RequestID is the AIP-155 idempotency key; "" means none.
	RequestID string
}

// Create adds the prescriber, active, and records PrescriberCreated. A
// repeated request returns the prescriber created the first time, as it
// is now, and records nothing.
func (h Prescribers) Create(ctx context.Context, cmd CreatePrescriber) (*domain.Prescriber, error) {
	return create(ctx, h.c, creation[*domain.Prescriber]{
		method: "CreatePrescriber", field: "prescriber", requestID: cmd.RequestID, fingerprint: cmd.Values,
		build: func(caller identity.Principal, id string) (*domain.Prescriber, error) {
			return domain.NewPrescriber(id, caller.CompanyID, cmd.Values, h.c.Now.Stamp())
		},
		store: h.c.Store.CreatePrescriber,
		event: func(caller identity.Principal, p *domain.Prescriber) usecase.Event {
			return usecase.Event{Type: EventPrescriberCreated, CompanyID: p.CompanyID, ResourceID: p.ID,
				Payload: &clinicalv1.PrescriberCreated{CompanyId: p.CompanyID, PrescriberId: p.ID, ActorId: caller.Subject,
					OccurTime: timestamp(p.CreateTime), Npi: p.NPI, PecosEnrolled: p.PECOSEnrolled}}
		},
	})
}

// UpdatePrescriber changes the named fields of a prescriber. Violations
// name fields of the request ("prescriber.id", "prescriber.etag",
// "prescriber.lastName").
type UpdatePrescriber struct {
	ID, Etag string
	// Fields to write; the caller resolves an empty update mask to every
	// writable field.
	Fields []domain.PrescriberField
	Values domain.PrescriberValues
}

// Update applies cmd and records PrescriberUpdated. Setting active to
// false deactivates the prescriber: orders already naming them keep
// doing so, new ones may not.
func (h Prescribers) Update(ctx context.Context, cmd UpdatePrescriber) (*domain.Prescriber, error) {
	now := h.c.Now.Stamp()
	return update(ctx, h.c, change[*domain.Prescriber]{
		field: "prescriber", idField: "prescriber.id", id: cmd.ID, etag: cmd.Etag,
		version: func(p *domain.Prescriber) int64 { return p.Version },
		store:   h.c.Store.UpdatePrescriber,
		apply:   func(p *domain.Prescriber) error { return p.Update(cmd.Fields, cmd.Values, now) },
		event: func(caller identity.Principal, p *domain.Prescriber) usecase.Event {
			return usecase.Event{Type: EventPrescriberUpdated, CompanyID: p.CompanyID, ResourceID: p.ID,
				Payload: &clinicalv1.PrescriberUpdated{CompanyId: p.CompanyID, PrescriberId: p.ID, ActorId: caller.Subject,
					OccurTime: timestamp(p.UpdateTime), ChangedFields: fieldNames(cmd.Fields), Npi: p.NPI,
					PecosEnrolled: p.PECOSEnrolled, Active: p.Active, Version: p.Version}}
		},
	})
}
