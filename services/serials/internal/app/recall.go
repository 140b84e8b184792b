package app

import (
	"context"
	"strings"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/platform/usecase"
)

// RecallRepository finds the units a recall names and flags them.
type RecallRepository interface {
	RecallHolders(ctx context.Context, q RecallQuery, after []string, limit int) ([]RecallHolder, error)
	SetRecalled(ctx context.Context, q RecallQuery, recalled bool) (int64, error)
}

// Recalls answer a manufacturer's recall.
type Recalls struct{ s *serials }

// checkScope trims a recall's scope and checks it names units: a
// manufacturer (a model only with it) and/or a lot. Violations name fields
// under "scope".
func checkScope(q RecallQuery) (RecallQuery, error) {
	q = RecallQuery{Manufacturer: strings.TrimSpace(q.Manufacturer), Model: strings.TrimSpace(q.Model), Lot: strings.TrimSpace(q.Lot)}
	var v errs.Violations
	if q.Manufacturer == "" && q.Lot == "" {
		v.Add("scope", "must name a manufacturer, a lot, or both")
	}
	if q.Model != "" && q.Manufacturer == "" {
		v.Add("scope.model", "needs scope.manufacturer: a model is a manufacturer's")
	}
	return q, v.Err()
}

// RecallPage is one page of a recall's units.
type RecallPage = usecase.Page[RecallHolder]

// Holders lists one page of the units a recall names, with the patients
// holding them, ordered by serial number and id.
func (h Recalls) Holders(ctx context.Context, scope RecallQuery, pageSize int32, pageToken string) (RecallPage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return RecallPage{}, err
	}
	q, err := checkScope(scope)
	if err != nil {
		return RecallPage{}, err
	}
	keys := []string{"ListRecallHolders", caller.CompanyID, strings.ToLower(q.Manufacturer), strings.ToLower(q.Model), q.Lot}
	found, next, err := usecase.CompositeKeysetPage(h.s.Pages, pageSize, pageToken, keys, 2,
		func(k []string) bool { return usecase.CheckID("", k[1]) == nil },
		func(after []string, limit int) ([]RecallHolder, error) {
			return h.s.Store.RecallHolders(ctx, q, after, limit)
		},
		func(r RecallHolder) []string { return []string{r.SerialNumber, r.UnitID} })
	return RecallPage{Items: found, NextPageToken: next}, err
}

// Recall flags (or clears) every unit a recall names and records
// UnitsRecalled when any changed; flagged units cannot be rented or sold.
func (h Recalls) Recall(ctx context.Context, scope RecallQuery, recalled bool) (int64, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return 0, err
	}
	q, err := checkScope(scope)
	if err != nil {
		return 0, err
	}
	now := h.s.Now.Stamp()
	n, err := usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (int64, []usecase.Event, error) {
		n, err := h.s.Store.SetRecalled(ctx, q, recalled)
		if err != nil || n == 0 {
			return n, nil, err
		}
		return n, []usecase.Event{{Type: EventUnitsRecalled, CompanyID: caller.CompanyID,
			Payload: &serialsv1.UnitsRecalled{CompanyId: caller.CompanyID, ActorId: caller.Subject,
				OccurTime: protoconv.Time(now), Recalled: recalled, ChangedCount: n,
				Scope: &serialsv1.RecallScope{Manufacturer: q.Manufacturer, Model: q.Model, Lot: q.Lot}}}}, nil
	})
	if err == nil && n > 0 {
		h.s.forgetCompany(ctx, caller.CompanyID)
	}
	return n, err
}
