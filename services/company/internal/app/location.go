package app

import (
	"context"
	"strconv"
	"time"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// GetLocationHandler returns one location of the caller's company.
type GetLocationHandler struct{ d *directory }

// Handle returns location id, deleted or not; another company's location
// is NOT_FOUND.
func (h GetLocationHandler) Handle(ctx context.Context, id string) (*domain.Location, error) {
	if _, _, err := caller(ctx); err != nil {
		return nil, err
	}
	if err := usecase.CheckID("id", id); err != nil {
		return nil, err
	}
	return h.d.Locations.GetLocation(ctx, id)
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

// ListLocationsHandler runs ListLocations.
type ListLocationsHandler struct{ d *directory }

// Handle returns one page. The page token is bound to the caller's company
// and the filter: reusing it with another filter is an invalid pageToken.
func (h ListLocationsHandler) Handle(ctx context.Context, q ListLocations) (LocationPage, error) {
	_, tenant, err := caller(ctx)
	if err != nil {
		return LocationPage{}, err
	}
	scope := []string{"ListLocations", tenant, string(q.Type), strconv.FormatBool(q.ShowDeleted)}
	locs, next, err := usecase.KeysetPage(h.d.Pages, q.PageSize, q.PageToken, scope, nil,
		func(after string, limit int) ([]*domain.Location, error) {
			return h.d.Locations.ListLocations(ctx, q.Type, q.ShowDeleted, after, limit)
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

// CreateLocationHandler runs CreateLocation.
type CreateLocationHandler struct{ d *directory }

// Handle creates the location and records LocationCreated. A repeated
// request (same request id, same values) returns the location created the
// first time, as it is now, and records nothing.
func (h CreateLocationHandler) Handle(ctx context.Context, cmd CreateLocation) (*domain.Location, error) {
	actor, tenant, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	id, err := usecase.NewID()
	if err != nil {
		return nil, err
	}
	l, err := domain.NewLocation(id, tenant, cmd.Values, h.d.Now.Stamp())
	if err != nil {
		return nil, usecase.UnderField("location", err)
	}
	hash, err := usecase.Fingerprint(h.d.Keyring, "company", "CreateLocation", cmd.Values)
	if err != nil {
		return nil, err
	}
	return usecase.Change(ctx, h.d.UnitOfWork, h.d.Events, func(ctx context.Context) (*domain.Location, []Event, error) {
		created, replayed, err := h.d.Locations.CreateLocation(ctx, l, cmd.RequestID, hash)
		if err != nil || replayed {
			return created, nil, err
		}
		return created, []Event{{
			Type:       EventLocationCreated,
			CompanyID:  tenant,
			ResourceID: created.ID,
			Payload: &companyv1.LocationCreated{
				CompanyId:  tenant,
				LocationId: created.ID,
				ActorId:    actor.ID,
				OccurTime:  timestamp(created.CreateTime),
				Code:       created.Code,
				Name:       created.Name,
				Type:       protoLocationType(created.Type),
				TimeZone:   created.TimeZone,
			},
		}}, nil
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

// UpdateLocationHandler runs UpdateLocation.
type UpdateLocationHandler struct{ d *directory }

// Handle applies cmd and records LocationUpdated.
func (h UpdateLocationHandler) Handle(ctx context.Context, cmd UpdateLocation) (*domain.Location, error) {
	actor, tenant, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := usecase.CheckID("location.id", cmd.ID); err != nil {
		return nil, err
	}
	now := h.d.Now.Stamp()
	return usecase.Change(ctx, h.d.UnitOfWork, h.d.Events, func(ctx context.Context) (*domain.Location, []Event, error) {
		l, err := h.d.Locations.UpdateLocation(ctx, cmd.ID, func(l *domain.Location) error {
			if err := etag.Check(cmd.Etag, l.Version); err != nil {
				return usecase.UnderField("location", err)
			}
			return usecase.UnderField("location", l.Update(cmd.Fields, cmd.Values, now))
		})
		if err != nil {
			return nil, nil, err
		}
		return l, []Event{{
			Type:       EventLocationUpdated,
			CompanyID:  tenant,
			ResourceID: l.ID,
			Payload: &companyv1.LocationUpdated{
				CompanyId:     tenant,
				LocationId:    l.ID,
				ActorId:       actor.ID,
				OccurTime:     timestamp(l.UpdateTime),
				ChangedFields: fieldNames(cmd.Fields),
				Code:          l.Code,
				Name:          l.Name,
				Type:          protoLocationType(l.Type),
				TimeZone:      l.TimeZone,
				Version:       l.Version,
			},
		}}, nil
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

// DeleteLocationHandler runs DeleteLocation.
type DeleteLocationHandler struct{ d *directory }

// Handle soft-deletes the location and records LocationDeleted. Deleting a
// deleted location is FAILED_PRECONDITION.
func (h DeleteLocationHandler) Handle(ctx context.Context, cmd DeleteLocation) (*domain.Location, error) {
	return h.d.changeLocation(ctx, cmd.ID, cmd.Etag, (*domain.Location).Delete, func(l *domain.Location, actor domain.Actor) Event {
		return Event{
			Type:       EventLocationDeleted,
			CompanyID:  l.CompanyID,
			ResourceID: l.ID,
			Payload: &companyv1.LocationDeleted{
				CompanyId:  l.CompanyID,
				LocationId: l.ID,
				ActorId:    actor.ID,
				OccurTime:  timestamp(l.UpdateTime),
				Code:       l.Code,
			},
		}
	})
}

// UndeleteLocationHandler runs UndeleteLocation.
type UndeleteLocationHandler struct{ d *directory }

// Handle restores the location and records LocationUndeleted. Restoring a
// location that is not deleted is ALREADY_EXISTS (AIP-164).
func (h UndeleteLocationHandler) Handle(ctx context.Context, cmd UndeleteLocation) (*domain.Location, error) {
	return h.d.changeLocation(ctx, cmd.ID, cmd.Etag, (*domain.Location).Undelete, func(l *domain.Location, actor domain.Actor) Event {
		return Event{
			Type:       EventLocationUndeleted,
			CompanyID:  l.CompanyID,
			ResourceID: l.ID,
			Payload: &companyv1.LocationUndeleted{
				CompanyId:  l.CompanyID,
				LocationId: l.ID,
				ActorId:    actor.ID,
				OccurTime:  timestamp(l.UpdateTime),
				Code:       l.Code,
			},
		}
	})
}

// changeLocation runs a lifecycle move of location id after checking the
// etag, and records the event that describes the moved location, in one
// unit of work.
func (d *directory) changeLocation(ctx context.Context, id, tag string, move func(*domain.Location, time.Time) error,
	event func(*domain.Location, domain.Actor) Event) (*domain.Location, error) {
	actor, _, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := usecase.CheckID("id", id); err != nil {
		return nil, err
	}
	now := d.Now.Stamp()
	return usecase.Change(ctx, d.UnitOfWork, d.Events, func(ctx context.Context) (*domain.Location, []Event, error) {
		l, err := d.Locations.UpdateLocation(ctx, id, func(l *domain.Location) error {
			if err := etag.Check(tag, l.Version); err != nil {
				return err
			}
			return move(l, now)
		})
		if err != nil {
			return nil, nil, err
		}
		return l, []Event{event(l, actor)}, nil
	})
}
