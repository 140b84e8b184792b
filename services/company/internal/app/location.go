package app

import (
	"context"
	"strconv"
	"time"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// LocationRepository stores locations.
type LocationRepository interface {
	GetLocation(ctx context.Context, id string) (*domain.Location, error)
	ListLocations(ctx context.Context, typ domain.LocationType, showDeleted bool, afterCode string, limit int) ([]*domain.Location, error)
	CreateLocation(ctx context.Context, l *domain.Location, requestID string, requestHash []byte) (out *domain.Location, replayed bool, err error)
	UpdateLocation(ctx context.Context, id string, fn func(*domain.Location) error) (*domain.Location, error)
}

// Locations are the location commands and queries: the caller's company's
// branches and warehouses.
type Locations struct{ r *registry }

// Get returns location id of the caller's company, deleted or not; another
// company's location is NOT_FOUND.
func (h Locations) Get(ctx context.Context, id string) (*domain.Location, error) {
	if _, _, err := caller(ctx); err != nil {
		return nil, err
	}
	if err := usecase.CheckID("id", id); err != nil {
		return nil, err
	}
	return h.r.Store.GetLocation(ctx, id)
}

// ListLocations pages through the caller's locations, ordered by code.
type ListLocations struct {
	PageSize  int32
	PageToken string
	// Type keeps only locations of this type; "" keeps all.
	Type domain.LocationType
	// ShowDeleted includes soft-deleted locations.
	ShowDeleted bool
}

// LocationPage is one page of locations.
type LocationPage struct {
	Locations     []*domain.Location
	NextPageToken string
}

// List returns one page. The page token is bound to the caller's company
// and the filter: reusing it with another filter is an invalid pageToken.
func (h Locations) List(ctx context.Context, q ListLocations) (LocationPage, error) {
	_, tenant, err := caller(ctx)
	if err != nil {
		return LocationPage{}, err
	}
	scope := []string{"ListLocations", tenant, string(q.Type), strconv.FormatBool(q.ShowDeleted)}
	locs, next, err := usecase.KeysetPage(h.r.Pages, q.PageSize, q.PageToken, scope, nil,
		func(after string, limit int) ([]*domain.Location, error) {
			return h.r.Store.ListLocations(ctx, q.Type, q.ShowDeleted, after, limit)
		},
		func(l *domain.Location) string { return l.Code })
	return LocationPage{Locations: locs, NextPageToken: next}, err
}

// CreateLocation adds a branch or warehouse. Violations name fields of the
// request ("location.address.state", "requestId").
type CreateLocation struct {
	Values domain.LocationValues
	// RequestID is the AIP-155 idempotency key; "" means none.
	RequestID string
}

// Create creates the location and records LocationCreated. A repeated
// request (same request id, same values) returns the location created the
// first time, as it is now, and records nothing.
func (h Locations) Create(ctx context.Context, cmd CreateLocation) (*domain.Location, error) {
	return usecase.Create(ctx, h.r.UnitOfWork, h.r.Events, usecase.Creation[*domain.Location]{
		Field: "location", RequestID: cmd.RequestID,
		Fingerprint: func() ([]byte, error) {
			return usecase.Fingerprint(h.r.Keyring, "company", "CreateLocation", cmd.Values)
		},
		Build: func(caller identity.Principal, id string) (*domain.Location, error) {
			return domain.NewLocation(id, caller.CompanyID, cmd.Values, h.r.Now.Stamp())
		},
		Store: h.r.Store.CreateLocation,
		Events: func(caller identity.Principal, created *domain.Location) []Event {
			return []Event{{
				Type:       EventLocationCreated,
				CompanyID:  caller.CompanyID,
				ResourceID: created.ID,
				Payload: &companyv1.LocationCreated{
					CompanyId:  caller.CompanyID,
					LocationId: created.ID,
					ActorId:    caller.Subject,
					OccurTime:  timestamp(created.CreateTime),
					Code:       created.Code,
					Name:       created.Name,
					Type:       protoLocationType(created.Type),
					TimeZone:   created.TimeZone,
				},
			}}
		},
	})
}

// UpdateLocation changes fields of a location. Violations name fields of
// the request ("location.id", "location.etag", "location.timeZone").
type UpdateLocation struct {
	ID   string
	Etag string
	// Fields to write; the caller resolves an empty update mask to every
	// writable field.
	Fields []domain.LocationField
	Values domain.LocationValues
}

// Update applies cmd and records LocationUpdated.
func (h Locations) Update(ctx context.Context, cmd UpdateLocation) (*domain.Location, error) {
	now := h.r.Now.Stamp()
	return usecase.Apply(ctx, h.r.UnitOfWork, h.r.Events, usecase.Update[*domain.Location]{
		Field: "location", IDField: "location.id", ID: cmd.ID, Etag: cmd.Etag,
		Version: func(l *domain.Location) int64 { return l.Version },
		Store:   h.r.Store.UpdateLocation,
		Apply:   func(l *domain.Location) error { return l.Update(cmd.Fields, cmd.Values, now) },
		Events: func(caller identity.Principal, l *domain.Location) []Event {
			return []Event{{
				Type:       EventLocationUpdated,
				CompanyID:  caller.CompanyID,
				ResourceID: l.ID,
				Payload: &companyv1.LocationUpdated{
					CompanyId:     caller.CompanyID,
					LocationId:    l.ID,
					ActorId:       caller.Subject,
					OccurTime:     timestamp(l.UpdateTime),
					ChangedFields: fieldNames(cmd.Fields),
					Code:          l.Code,
					Name:          l.Name,
					Type:          protoLocationType(l.Type),
					TimeZone:      l.TimeZone,
					Version:       l.Version,
				},
			}}
		},
	})
}

// DeleteLocation soft-deletes a location; UndeleteLocation restores one.
// Violations name "id" and "etag".
type DeleteLocation struct {
	ID   string
	Etag string
}

// UndeleteLocation restores a soft-deleted location.
type UndeleteLocation struct {
	ID   string
	Etag string
}

// Delete soft-deletes the location and records LocationDeleted. Deleting a
// deleted location is FAILED_PRECONDITION.
func (h Locations) Delete(ctx context.Context, cmd DeleteLocation) (*domain.Location, error) {
	return h.change(ctx, cmd.ID, cmd.Etag, (*domain.Location).Delete, func(l *domain.Location, caller identity.Principal) Event {
		return Event{
			Type:       EventLocationDeleted,
			CompanyID:  l.CompanyID,
			ResourceID: l.ID,
			Payload: &companyv1.LocationDeleted{
				CompanyId:  l.CompanyID,
				LocationId: l.ID,
				ActorId:    caller.Subject,
				OccurTime:  timestamp(l.UpdateTime),
				Code:       l.Code,
			},
		}
	})
}

// Undelete restores the location and records LocationUndeleted. Restoring a
// location that is not deleted is ALREADY_EXISTS (AIP-164).
func (h Locations) Undelete(ctx context.Context, cmd UndeleteLocation) (*domain.Location, error) {
	return h.change(ctx, cmd.ID, cmd.Etag, (*domain.Location).Undelete, func(l *domain.Location, caller identity.Principal) Event {
		return Event{
			Type:       EventLocationUndeleted,
			CompanyID:  l.CompanyID,
			ResourceID: l.ID,
			Payload: &companyv1.LocationUndeleted{
				CompanyId:  l.CompanyID,
				LocationId: l.ID,
				ActorId:    caller.Subject,
				OccurTime:  timestamp(l.UpdateTime),
				Code:       l.Code,
			},
		}
	})
}

// change runs a lifecycle move of location id after checking the etag,
// and records the event that describes the moved location, in one unit of
// work. An action's request has no location field: its violations name
// "id" and "etag" as they are.
func (h Locations) change(ctx context.Context, id, tag string, move func(*domain.Location, time.Time) error,
	event func(*domain.Location, identity.Principal) Event) (*domain.Location, error) {
	now := h.r.Now.Stamp()
	return usecase.Apply(ctx, h.r.UnitOfWork, h.r.Events, usecase.Update[*domain.Location]{
		IDField: "id", ID: id, Etag: tag,
		Version: func(l *domain.Location) int64 { return l.Version },
		Store:   h.r.Store.UpdateLocation,
		Apply:   func(l *domain.Location) error { return move(l, now) },
		Events: func(caller identity.Principal, l *domain.Location) []Event {
			return []Event{event(l, caller)}
		},
	})
}
