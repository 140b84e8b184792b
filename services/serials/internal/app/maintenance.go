package app

import (
	"context"
	"time"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// Maintenance event types.
const (
	EventMaintenanceRecorded = "serials.maintenance.recorded.v1"
	EventMaintenanceDue      = "serials.maintenance.due.v1"
)

// MaintenanceRepository stores maintenance records and finds, and claims
// for the due sweep, the units due.
type MaintenanceRepository interface {
	CreateMaintenance(ctx context.Context, r *domain.MaintenanceRecord, release bool, requestID string, requestHash []byte) (Maintained, bool, error)
	ListMaintenance(ctx context.Context, unitID string, after []string, limit int) ([]*domain.MaintenanceRecord, error)
	ListDue(ctx context.Context, warehouseID string, through civil.Date, after []string, limit int) ([]DueUnit, error)
	DueTenants(ctx context.Context, today civil.Date) ([]string, error)
	ClaimDue(ctx context.Context, today civil.Date, limit int) ([]DueUnit, error)
}

// Maintenance are the maintenance commands and queries.
type Maintenance struct{ s *serials }

// CreateMaintenance records work on a unit.
type CreateMaintenance struct {
	UnitID    string
	Values    domain.MaintenanceValues
	Release   bool
	RequestID string
}

// Create stores the record, sets the unit's next due date and, with
// Release, puts a unit in maintenance back on hand; it records
// MaintenanceRecorded (and UnitTransitioned, StockLow when released). A
// repeated request returns the first record and records nothing.
func (h Maintenance) Create(ctx context.Context, cmd CreateMaintenance) (*domain.MaintenanceRecord, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := usecase.CheckID("unitId", cmd.UnitID); err != nil {
		return nil, err
	}
	id, err := usecase.NewID()
	if err != nil {
		return nil, err
	}
	r, err := domain.NewMaintenanceRecord(id, caller.CompanyID, cmd.UnitID, caller.Subject, cmd.Values, h.s.today(), h.s.Now.Stamp())
	if err != nil {
		return nil, usecase.UnderField("record", err)
	}
	hash, err := usecase.Fingerprint(h.s.Keyring, "serials", "CreateMaintenanceRecord", cmd)
	if err != nil {
		return nil, err
	}
	m, err := usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (Maintained, []usecase.Event, error) {
		m, replayed, err := h.s.Store.CreateMaintenance(ctx, r, cmd.Release, cmd.RequestID, hash)
		if replayed {
			usecase.NoteReplay(ctx)
		}
		if err != nil || replayed {
			return m, nil, err
		}
		events := []usecase.Event{{Type: EventMaintenanceRecorded, CompanyID: r.CompanyID, ResourceID: r.ID,
			Payload: &serialsv1.MaintenanceRecorded{CompanyId: r.CompanyID, RecordId: r.ID, ActorId: caller.Subject,
				OccurTime: protoconv.Time(r.CreateTime), UnitId: r.UnitID, SerialNumber: m.Unit.SerialNumber,
				NextDue: protoconv.OptionalDateProto(optionalDate(r.NextDue)), Released: r.Released}}}
		if m.Transition != nil {
			events = append(events, transitionEvents(caller, *m.Transition,
				domain.UnitTransaction{Kind: domain.TxMaintenanceIn, Time: r.CreateTime})...)
		}
		return m, events, nil
	})
	if err != nil {
		return nil, err
	}
	if m.Unit != nil {
		h.s.forgetSerial(ctx, m.Unit.CompanyID, m.Unit.SerialNumber)
	}
	return m.Record, nil
}

// MaintenancePage is one page of maintenance records of a unit.
type MaintenancePage = usecase.Page[*domain.MaintenanceRecord]

// List returns one page of a unit's records, newest first.
func (h Maintenance) List(ctx context.Context, unitID string, pageSize int32, pageToken string) (MaintenancePage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return MaintenancePage{}, err
	}
	if err := usecase.CheckID("unitId", unitID); err != nil {
		return MaintenancePage{}, err
	}
	found, next, err := usecase.CompositeKeysetPage(h.s.Pages, pageSize, pageToken, []string{"ListMaintenanceRecords", caller.CompanyID, unitID}, 2,
		validTimeAndID,
		func(after []string, limit int) ([]*domain.MaintenanceRecord, error) {
			return h.s.Store.ListMaintenance(ctx, unitID, after, limit)
		},
		func(r *domain.MaintenanceRecord) []string { return []string{timeKey(r.CreateTime), r.ID} })
	return MaintenancePage{Items: found, NextPageToken: next}, err
}

// DuePage is one page of units due.
type DuePage struct {
	Units         []DueUnit
	NextPageToken string
	// Today is the day "overdue" was judged on.
	Today civil.Date
}

// Due lists a warehouse's units overdue or due within withinDays days,
// soonest first.
func (h Maintenance) Due(ctx context.Context, warehouseID string, withinDays int32, pageSize int32, pageToken string) (DuePage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return DuePage{}, err
	}
	if err := usecase.CheckID("warehouseId", warehouseID); err != nil {
		return DuePage{}, err
	}
	if withinDays < 0 || withinDays > 366 {
		return DuePage{}, errs.Invalid(errs.FieldViolation{Field: "withinDays", Description: "must be between 0 and 366"})
	}
	today := h.s.today()
	through := today.AddDays(int(withinDays))
	scope := []string{"ListMaintenanceDue", caller.CompanyID, warehouseID, through.String()}
	found, next, err := usecase.CompositeKeysetPage(h.s.Pages, pageSize, pageToken, scope, 2,
		func(k []string) bool {
			_, err := civil.Parse(k[0])
			return err == nil && usecase.CheckID("", k[1]) == nil
		},
		func(after []string, limit int) ([]DueUnit, error) {
			return h.s.Store.ListDue(ctx, warehouseID, through, after, limit)
		},
		func(d DueUnit) []string { return []string{d.Due.String(), d.UnitID} })
	return DuePage{Units: found, NextPageToken: next, Today: today}, err
}

// dueSweepBatch is how many units one sweep transaction announces.
const dueSweepBatch = 500

// AnnounceDue publishes serials.maintenance.due.v1 once for every unit
// whose maintenance has fallen due by today and is not yet announced,
// tenant by tenant, each batch in one transaction with its events; it
// returns how many it announced. The service runs it daily and at start.
func (h Maintenance) AnnounceDue(ctx context.Context) (int, error) {
	today := h.s.today()
	tenants, err := h.s.Store.DueTenants(ctx, today)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, company := range tenants {
		tctx := identity.NewContext(ctx, identity.Principal{Subject: "serials", CompanyID: company, Kind: identity.KindService})
		for {
			n, err := usecase.Change(tctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (int, []usecase.Event, error) {
				due, err := h.s.Store.ClaimDue(ctx, today, dueSweepBatch)
				if err != nil {
					return 0, nil, err
				}
				events := make([]usecase.Event, len(due))
				for i, d := range due {
					events[i] = usecase.Event{Type: EventMaintenanceDue, CompanyID: company,
						Payload: &serialsv1.MaintenanceFellDue{CompanyId: company, UnitId: d.UnitID,
							OccurTime: protoconv.Time(h.s.Now.Stamp()), ItemId: d.ItemID, WarehouseId: d.WarehouseID,
							SerialNumber: d.SerialNumber, DueDate: protoconv.DateProto(d.Due)}}
				}
				return len(due), events, nil
			})
			if err != nil {
				return total, err
			}
			total += n
			if n < dueSweepBatch {
				break
			}
		}
	}
	return total, nil
}

func optionalDate(d civil.Date) *civil.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

func timeKey(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func validTimeAndID(k []string) bool {
	_, err := time.Parse(time.RFC3339Nano, k[0])
	return err == nil && usecase.CheckID("", k[1]) == nil
}
