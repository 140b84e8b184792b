package app

import (
	"context"
	"strconv"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// Coverage event types.
const (
	EventCoverageCreated    = "clinical.coverage.created.v1"
	EventCoverageUpdated    = "clinical.coverage.updated.v1"
	EventCoverageDeleted    = "clinical.coverage.deleted.v1"
	EventCoveragesReordered = "clinical.coverages.reordered.v1"
)

// Reasons a coverage may not be placed under a plan.
const (
	// ReasonPlanInactive: the plan is inactive and takes no new coverages.
	ReasonPlanInactive = "PLAN_INACTIVE"
	// ReasonPayerInactive: the plan's payer is inactive and takes no new
	// coverages.
	ReasonPayerInactive = "PAYER_INACTIVE"
)

// CoverageRepository stores coverages and their eligibility checks. Every
// read and write is of the caller's company; a coverage is named by its
// patient and id, and another patient's coverage is NOT_FOUND like a
// missing one. A coverage read carries its plan's payer id and its member
// id in clear.
type CoverageRepository interface {
	GetCoverage(ctx context.Context, patientID, id string) (*domain.Coverage, error)
	ListCoverages(ctx context.Context, q CoverageQuery) ([]*domain.Coverage, error)
	// PatientCoverages returns the patient's current (not deleted)
	// coverages by rank; none for a patient of another company.
	PatientCoverages(ctx context.Context, patientID string) ([]domain.Coverage, error)
	// LockPatientCoverages locks the patient's coverages against
	// concurrent changes for the rest of the unit of work and returns its
	// current ones by rank; an unknown patient is NOT_FOUND.
	LockPatientCoverages(ctx context.Context, patientID string) ([]domain.Coverage, error)
	// CreateCoverage inserts c under an AIP-155 key; admit runs in the same
	// transaction, only for a new request, before the insert.
	CreateCoverage(ctx context.Context, c *domain.Coverage, requestID string, requestHash []byte, admit func() error) (*domain.Coverage, bool, error)
	UpdateCoverage(ctx context.Context, patientID, id string, fn func(*domain.Coverage) error) (*domain.Coverage, error)
	// SaveCoverageRanks writes the ranks, versions and update times of one
	// patient's current coverages at once.
	SaveCoverageRanks(ctx context.Context, coverages []domain.Coverage) error
	CreateEligibilityCheck(ctx context.Context, check *domain.EligibilityCheck) error
	ListEligibilityChecks(ctx context.Context, q EligibilityCheckQuery) ([]*domain.EligibilityCheck, error)
}

// CoverageQuery selects a page of a patient's coverages ordered by place
// (the rank; MaxRank+1 for a deleted coverage) and id; After holds the
// previous page's last (place, id).
type CoverageQuery struct {
	PatientID   string
	ShowDeleted bool
	After       []string
	Limit       int
}

// Coverages are the coverage and eligibility commands and queries.
type Coverages struct{ c *clinic }

// Get returns coverage id of patient patientID, deleted or not.
func (h Coverages) Get(ctx context.Context, patientID, id string) (*domain.Coverage, error) {
	if err := usecase.CheckID("patientId", patientID); err != nil {
		return nil, err
	}
	return usecase.Get(ctx, "id", id, func(ctx context.Context, id string) (*domain.Coverage, error) {
		return h.c.Store.GetCoverage(ctx, patientID, id)
	})
}

// ListCoverages pages through a patient's coverages.
type ListCoverages struct {
	PatientID   string
	PageSize    int32
	PageToken   string
	ShowDeleted bool
}

// CoveragePage is one page of coverages.
type CoveragePage = usecase.Page[*domain.Coverage]

// List returns one page of a patient's coverages by rank, deleted ones
// (when asked for) last; an unknown patient is NOT_FOUND rather than an
// empty page.
func (h Coverages) List(ctx context.Context, q ListCoverages) (CoveragePage, error) {
	if _, err := usecase.Get(ctx, "patientId", q.PatientID, h.c.Store.GetPatient); err != nil {
		return CoveragePage{}, err
	}
	caller, _ := usecase.Caller(ctx)
	scope := []string{"ListCoverages", caller.CompanyID, q.PatientID, strconv.FormatBool(q.ShowDeleted)}
	coverages, next, err := usecase.CompositeKeysetPage(h.c.Pages, q.PageSize, q.PageToken, scope, 2, validPlaceKey,
		func(after []string, limit int) ([]*domain.Coverage, error) {
			return h.c.Store.ListCoverages(ctx, CoverageQuery{PatientID: q.PatientID, ShowDeleted: q.ShowDeleted, After: after, Limit: limit})
		},
		func(c *domain.Coverage) []string { return []string{coveragePlace(c), c.ID} })
	return CoveragePage{Items: coverages, NextPageToken: next}, err
}

// coveragePlace is the first key of a coverage's place in a patient's
// list: its rank, or MaxRank+1 once deleted.
func coveragePlace(c *domain.Coverage) string {
	if c.Deleted() {
		return strconv.Itoa(domain.MaxRank + 1)
	}
	return strconv.Itoa(c.Rank)
}

// validPlaceKey accepts a (place, id) cursor coveragePlace could have made.
func validPlaceKey(keys []string) bool {
	place, err := strconv.Atoi(keys[0])
	return err == nil && strconv.Itoa(place) == keys[0] && place >= domain.PrimaryRank && place <= domain.MaxRank+1 &&
		usecase.CheckID("", keys[1]) == nil
}

// CreateCoverage adds a coverage to a patient.
type CreateCoverage struct {
	PatientID string
	Values    domain.CoverageValues
	RequestID string
}

// Create adds the coverage and records CoverageCreated. The patient must
// be the company's (NOT_FOUND), the plan too (NOT_FOUND) and active with an
// active payer (FAILED_PRECONDITION), and the rank free among the
// patient's current coverages (ALREADY_EXISTS).
func (h Coverages) Create(ctx context.Context, cmd CreateCoverage) (*domain.Coverage, error) {
	if err := usecase.CheckID("patientId", cmd.PatientID); err != nil {
		return nil, err
	}
	return create(ctx, h.c, creation[*domain.Coverage]{
		method: "CreateCoverage", field: "coverage", requestID: cmd.RequestID,
		fingerprint: struct {
			PatientID string
			Values    domain.CoverageValues
		}{cmd.PatientID, cmd.Values},
		build: func(caller identity.Principal, id string) (*domain.Coverage, error) {
			return domain.NewCoverage(id, caller.CompanyID, cmd.PatientID, cmd.Values, h.c.Now.Stamp())
		},
		store: func(ctx context.Context, c *domain.Coverage, requestID string, hash []byte) (*domain.Coverage, bool, error) {
			return h.c.Store.CreateCoverage(ctx, c, requestID, hash, func() error {
				current, err := h.c.Store.LockPatientCoverages(ctx, c.PatientID)
				if err != nil {
					return err
				}
				if err := h.placeUnderPlan(ctx, c); err != nil {
					return err
				}
				return domain.CheckRankFree(current, c.Rank, c.ID)
			})
		},
		event: func(caller identity.Principal, c *domain.Coverage) usecase.Event {
			return usecase.Event{Type: EventCoverageCreated, CompanyID: c.CompanyID, ResourceID: c.ID,
				Payload: &clinicalv1.CoverageCreated{CompanyId: c.CompanyID, CoverageId: c.ID, ActorId: caller.Subject,
					OccurTime: timestamp(c.CreateTime), PatientId: c.PatientID, PlanId: c.PlanID, PayerId: c.PayerID,
					Rank: int32(c.Rank)}}
		},
	})
}

// placeUnderPlan checks that c's plan is the company's (NOT_FOUND) and
// takes coverages: the plan and its payer are active (FAILED_PRECONDITION
// otherwise); and copies the plan's payer into c.
func (h Coverages) placeUnderPlan(ctx context.Context, c *domain.Coverage) error {
	plan, err := h.c.Store.GetPlan(ctx, "", c.PlanID)
	if err != nil {
		return err
	}
	payer, err := h.c.Store.GetPayer(ctx, plan.PayerID)
	if err != nil {
		return err
	}
	if !plan.Active {
		return errs.FailedPrecondition(ReasonPlanInactive, "the plan is inactive and takes no new coverages").
			With("plan_id", plan.ID)
	}
	if !payer.Active {
		return errs.FailedPrecondition(ReasonPayerInactive, "the plan's payer is inactive and takes no new coverages").
			With("payer_id", payer.ID)
	}
	c.PayerID = plan.PayerID
	return nil
}

// UpdateCoverage changes the named fields of a coverage.
type UpdateCoverage struct {
	PatientID, ID, Etag string
	Fields              []domain.CoverageField
	Values              domain.CoverageValues
}

// Update applies cmd and records CoverageUpdated. A coverage moved to
// another plan is placed under it as on create.
func (h Coverages) Update(ctx context.Context, cmd UpdateCoverage) (*domain.Coverage, error) {
	if err := usecase.CheckID("coverage.patientId", cmd.PatientID); err != nil {
		return nil, err
	}
	now := h.c.Now.Stamp()
	return update(ctx, h.c, change[*domain.Coverage]{
		field: "coverage", idField: "coverage.id", id: cmd.ID, etag: cmd.Etag,
		version: func(c *domain.Coverage) int64 { return c.Version },
		store: func(ctx context.Context, id string, fn func(*domain.Coverage) error) (*domain.Coverage, error) {
			return h.c.Store.UpdateCoverage(ctx, cmd.PatientID, id, func(c *domain.Coverage) error {
				before := c.PlanID
				if err := fn(c); err != nil {
					return err
				}
				if c.PlanID != before {
					return h.placeUnderPlan(ctx, c)
				}
				return nil
			})
		},
		apply: func(c *domain.Coverage) error { return c.Update(cmd.Fields, cmd.Values, now) },
		event: func(caller identity.Principal, c *domain.Coverage) usecase.Event {
			return usecase.Event{Type: EventCoverageUpdated, CompanyID: c.CompanyID, ResourceID: c.ID,
				Payload: &clinicalv1.CoverageUpdated{CompanyId: c.CompanyID, CoverageId: c.ID, ActorId: caller.Subject,
					OccurTime: timestamp(c.UpdateTime), PatientId: c.PatientID, ChangedFields: fieldNames(cmd.Fields),
					PlanId: c.PlanID, PayerId: c.PayerID, Version: c.Version}}
		},
	})
}

// DeleteCoverage soft-deletes a coverage.
type DeleteCoverage struct {
	PatientID, ID, Etag string
}

// Delete deletes the coverage, freeing its rank, and records
// CoverageDeleted; the patient's other coverages keep their ranks.
func (h Coverages) Delete(ctx context.Context, cmd DeleteCoverage) (*domain.Coverage, error) {
	if err := usecase.CheckID("patientId", cmd.PatientID); err != nil {
		return nil, err
	}
	now := h.c.Now.Stamp()
	var previousRank int
	return update(ctx, h.c, change[*domain.Coverage]{
		idField: "id", id: cmd.ID, etag: cmd.Etag,
		version: func(c *domain.Coverage) int64 { return c.Version },
		store: func(ctx context.Context, id string, fn func(*domain.Coverage) error) (*domain.Coverage, error) {
			return h.c.Store.UpdateCoverage(ctx, cmd.PatientID, id, fn)
		},
		apply: func(c *domain.Coverage) error {
			previousRank = c.Rank
			return c.Delete(now)
		},
		event: func(caller identity.Principal, c *domain.Coverage) usecase.Event {
			return usecase.Event{Type: EventCoverageDeleted, CompanyID: c.CompanyID, ResourceID: c.ID,
				Payload: &clinicalv1.CoverageDeleted{CompanyId: c.CompanyID, CoverageId: c.ID, ActorId: caller.Subject,
					OccurTime: timestamp(now), PatientId: c.PatientID, PreviousRank: int32(previousRank)}}
		},
	})
}

// ReorderCoverages gives a patient's current coverages new ranks.
type ReorderCoverages struct {
	PatientID   string
	CoverageIDs []string
}

// Reorder ranks the patient's current coverages in the order of
// cmd.CoverageIDs (the first becomes primary) in one unit of work with
// CoveragesReordered, and returns them by their new rank. The list must
// name every current coverage exactly once (domain.Reorder): otherwise it
// was made from a stale view and is FAILED_PRECONDITION. Coverages whose
// rank changes get a new version; the others are left as they are.
func (h Coverages) Reorder(ctx context.Context, cmd ReorderCoverages) ([]domain.Coverage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := usecase.CheckID("patientId", cmd.PatientID); err != nil {
		return nil, err
	}
	if len(cmd.CoverageIDs) == 0 {
		return nil, errs.Invalid(errs.FieldViolation{Field: "coverageIds", Description: "must list the patient's current coverages"})
	}
	now := h.c.Now.Stamp()
	return usecase.Change(ctx, h.c.UnitOfWork, h.c.Events, func(ctx context.Context) ([]domain.Coverage, []usecase.Event, error) {
		current, err := h.c.Store.LockPatientCoverages(ctx, cmd.PatientID)
		if err != nil {
			return nil, nil, err
		}
		reordered, err := domain.Reorder(current, cmd.CoverageIDs)
		if err != nil {
			return nil, nil, err
		}
		before := make(map[string]int, len(current))
		previous := make([]string, len(current))
		for i, c := range current {
			before[c.ID], previous[i] = c.Rank, c.ID
		}
		var moved []domain.Coverage
		ids := make([]string, len(reordered))
		for i := range reordered {
			c := &reordered[i]
			ids[i] = c.ID
			if c.Rank != before[c.ID] {
				c.Version++
				c.UpdateTime = now
				moved = append(moved, *c)
			}
		}
		if len(moved) > 0 {
			if err := h.c.Store.SaveCoverageRanks(ctx, moved); err != nil {
				return nil, nil, err
			}
		}
		return reordered, []usecase.Event{{Type: EventCoveragesReordered, CompanyID: caller.CompanyID, ResourceID: cmd.PatientID,
			Payload: &clinicalv1.CoveragesReordered{CompanyId: caller.CompanyID, PatientId: cmd.PatientID,
				ActorId: caller.Subject, OccurTime: timestamp(now), CoverageIds: ids, PreviousCoverageIds: previous}}}, nil
	})
}
