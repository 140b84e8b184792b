package app

import (
	"context"
	"strconv"
	"strings"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/platform/usformat"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// Patient event types.
const (
	EventPatientCreated = "clinical.patient.created.v1"
	EventPatientUpdated = "clinical.patient.updated.v1"
)

// PatientRepository stores patients, their PHI sealed.
type PatientRepository interface {
	GetPatient(ctx context.Context, id string) (*domain.Patient, error)
	CreatePatient(ctx context.Context, p *domain.Patient, confirmDuplicate bool, requestID string, requestHash []byte) (out *domain.Patient, replayed bool, err error)
	UpdatePatient(ctx context.Context, id string, fn func(*domain.Patient) error) (*domain.Patient, error)
	FindPatients(ctx context.Context, q PatientQuery) ([]*domain.Patient, error)
}

// PatientQuery selects patients of the caller's company; every criterion
// given must hold. Results are ordered by last name, first name
// (case-insensitive) and id.
type PatientQuery struct {
	BranchID string
	// ShowInactive includes patients inactive or deceased on Today.
	ShowInactive bool
	Today        civil.Date
	// LastNamePrefix and FirstNamePrefix match case-insensitively.
	LastNamePrefix  string
	FirstNamePrefix string
	BirthDate       civil.Date
	AccountNumber   string
	// MBI is normalized (11 characters, no dashes); the store matches it
	// through its blind index.
	MBI   string
	After *PatientCursor
	Limit int
}

// PatientCursor is where a page resumes: after the patient with these
// sort keys (lower-cased names).
type PatientCursor struct {
	LastName, FirstName, ID string
}

// Patients are the patient commands and queries.
type Patients struct{ c *clinic }

// Get returns patient id of the caller's company.
func (h Patients) Get(ctx context.Context, id string) (*domain.Patient, error) {
	if _, err := usecase.Caller(ctx); err != nil {
		return nil, err
	}
	if err := usecase.CheckID("id", id); err != nil {
		return nil, err
	}
	return h.c.Store.GetPatient(ctx, id)
}

// ListPatients pages through the company's patients.
type ListPatients struct {
	PageSize     int32
	PageToken    string
	BranchID     string
	ShowInactive bool
}

// SearchPatients finds patients; at least one criterion is required.
type SearchPatients struct {
	PageSize        int32
	PageToken       string
	LastNamePrefix  string
	FirstNamePrefix string
	BirthDate       civil.Date
	AccountNumber   string
	MBI             string
	ShowInactive    bool
}

// PatientPage is one page of patients.
type PatientPage = usecase.Page[*domain.Patient]

// List returns one page; the token is bound to the tenant and the filter.
func (h Patients) List(ctx context.Context, q ListPatients) (PatientPage, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return PatientPage{}, err
	}
	if q.BranchID != "" {
		if err := usecase.CheckID("branchId", q.BranchID); err != nil {
			return PatientPage{}, err
		}
	}
	scope := []string{"ListPatients", p.CompanyID, q.BranchID, strconv.FormatBool(q.ShowInactive)}
	return h.page(ctx, q.PageSize, q.PageToken, scope, PatientQuery{BranchID: q.BranchID, ShowInactive: q.ShowInactive})
}

// Search returns one page of the patients matching every criterion given.
func (h Patients) Search(ctx context.Context, q SearchPatients) (PatientPage, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return PatientPage{}, err
	}
	query := PatientQuery{
		ShowInactive:    q.ShowInactive,
		LastNamePrefix:  strings.TrimSpace(q.LastNamePrefix),
		FirstNamePrefix: strings.TrimSpace(q.FirstNamePrefix),
		BirthDate:       q.BirthDate,
	}
	var v errs.Violations
	if !q.BirthDate.IsZero() && !q.BirthDate.IsValid() {
		v.Add("birthDate", "must be a calendar date")
	}
	if q.AccountNumber != "" {
		if query.AccountNumber, err = domain.NormalizeAccountNumber(q.AccountNumber); err != nil {
			v.Merge("accountNumber", err)
		}
	}
	if q.MBI != "" {
		mbi, err := usformat.ParseMBI(q.MBI)
		if err != nil {
			v.Merge("mbi", err)
		}
		query.MBI = mbi
	}
	if query == (PatientQuery{ShowInactive: q.ShowInactive}) {
		v.Add("", "give at least one of lastNamePrefix, firstNamePrefix, birthDate, accountNumber, mbi")
	}
	if err := v.Err(); err != nil {
		return PatientPage{}, err
	}
	// The scope binds the token to the criteria through a keyed digest: a
	// token does not carry its scope, but the digest keeps an MBI or a
	// birth date out of every buffer that holds the scope too.
	criteria := h.c.Keyring.BlindIndex("clinical.search_patients", strings.Join([]string{
		query.LastNamePrefix, query.FirstNamePrefix, query.BirthDate.String(), query.AccountNumber, query.MBI,
		strconv.FormatBool(query.ShowInactive)}, "\x1f"))
	scope := []string{"SearchPatients", p.CompanyID, string(criteria)}
	return h.page(ctx, q.PageSize, q.PageToken, scope, query)
}

// page runs one keyset page of query.
func (h Patients) page(ctx context.Context, pageSize int32, token string, scope []string, query PatientQuery) (PatientPage, error) {
	query.Today = h.c.today()
	found, next, err := usecase.CompositeKeysetPage(h.c.Pages, pageSize, token, scope, 3,
		func(keys []string) bool { return usecase.CheckID("", keys[2]) == nil },
		func(after []string, limit int) ([]*domain.Patient, error) {
			if after != nil {
				query.After = &PatientCursor{LastName: after[0], FirstName: after[1], ID: after[2]}
			}
			query.Limit = limit
			return h.c.Store.FindPatients(ctx, query)
		},
		func(p *domain.Patient) []string {
			return []string{strings.ToLower(p.LastName), strings.ToLower(p.FirstName), p.ID}
		})
	return PatientPage{Items: found, NextPageToken: next}, err
}

// CreatePatient registers a patient. Violations name fields of the request
// ("patient.homeAddress.state", "requestId").
type CreatePatient struct {
	Values domain.PatientValues
	// ConfirmDuplicate creates the patient even when one of the company has
	// the same first name, last name and birth date.
	ConfirmDuplicate bool
	RequestID        string
}

// Create registers the patient and records PatientCreated. A possible
// duplicate is FAILED_PRECONDITION naming the matches by id. A repeated
// request returns the patient created the first time and records nothing.
func (h Patients) Create(ctx context.Context, cmd CreatePatient) (*domain.Patient, error) {
	return create(ctx, h.c, creation[*domain.Patient]{
		method: "CreatePatient", field: "patient", requestID: cmd.RequestID,
		fingerprint: struct {
			Values           domain.PatientValues
			ConfirmDuplicate bool
		}{cmd.Values, cmd.ConfirmDuplicate},
		build: func(caller identity.Principal, id string) (*domain.Patient, error) {
			return domain.NewPatient(id, caller.CompanyID, cmd.Values, h.c.today(), h.c.Now.Stamp())
		},
		// The store also takes the confirmation, which lets it skip its
		// duplicate check.
		store: func(ctx context.Context, p *domain.Patient, requestID string, hash []byte) (*domain.Patient, bool, error) {
			return h.c.Store.CreatePatient(ctx, p, cmd.ConfirmDuplicate, requestID, hash)
		},
		event: func(caller identity.Principal, p *domain.Patient) usecase.Event {
			return usecase.Event{Type: EventPatientCreated, CompanyID: p.CompanyID, ResourceID: p.ID,
				Payload: &clinicalv1.PatientCreated{CompanyId: p.CompanyID, PatientId: p.ID, ActorId: caller.Subject,
					OccurTime: timestamp(p.CreateTime), BranchId: p.BranchID, DuplicateConfirmed: cmd.ConfirmDuplicate}}
		},
	})
}

// UpdatePatient changes the named fields of a patient.
type UpdatePatient struct {
	ID     string
	Etag   string
	Fields []domain.PatientField
	Values domain.PatientValues
}

// Update applies cmd and records PatientUpdated, which names the changed
// fields and never their values.
func (h Patients) Update(ctx context.Context, cmd UpdatePatient) (*domain.Patient, error) {
	today, now := h.c.today(), h.c.Now.Stamp()
	return update(ctx, h.c, change[*domain.Patient]{
		field: "patient", idField: "patient.id", id: cmd.ID, etag: cmd.Etag,
		version: func(p *domain.Patient) int64 { return p.Version },
		store:   h.c.Store.UpdatePatient,
		apply:   func(p *domain.Patient) error { return p.Update(cmd.Fields, cmd.Values, today, now) },
		event: func(caller identity.Principal, p *domain.Patient) usecase.Event {
			return usecase.Event{Type: EventPatientUpdated, CompanyID: p.CompanyID, ResourceID: p.ID,
				Payload: &clinicalv1.PatientUpdated{CompanyId: p.CompanyID, PatientId: p.ID, ActorId: caller.Subject,
					OccurTime: timestamp(p.UpdateTime), ChangedFields: fieldNames(cmd.Fields), BranchId: p.BranchID,
					Version: p.Version}}
		},
	})
}
