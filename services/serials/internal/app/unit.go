package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/serials/internal/apienum"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// Unit event types.
const (
	EventUnitReceived       = "serials.unit.received.v1"
	EventUnitsBatchReceived = "serials.unit.batch_received.v1"
	EventUnitTransitioned   = "serials.unit.transitioned.v1"
	EventUnitsRecalled      = "serials.unit.recalled.v1"
	EventStockLow           = "serials.stock.low.v1"
)

// UnitRepository stores units and their transaction log, and finds them
// by serial number (ValidateSerial). Receiving reads the unit's item and
// its manufacturer's rule to check the serial number against.
type UnitRepository interface {
	GetUnit(ctx context.Context, id string) (*domain.Unit, error)
	ListUnits(ctx context.Context, q UnitQuery) ([]*domain.Unit, error)
	ReceiveUnit(ctx context.Context, u *domain.Unit, actorID, requestID string, requestHash []byte) (*domain.Unit, bool, error)
	BatchReceive(ctx context.Context, units []*domain.Unit, actorID, requestID string, requestHash []byte) ([]string, bool, error)
	ApplyTransaction(ctx context.Context, id string, t domain.UnitTransaction, actorID string, check func(*domain.Unit) error) (Transition, error)
	ListTransactions(ctx context.Context, unitID string, after []string, limit int) ([]*TransactionRecord, error)
	FindSerial(ctx context.Context, serial string) ([]SerialMatch, error)
	GetItem(ctx context.Context, id string) (*domain.Item, error)
	GetManufacturerRule(ctx context.Context, manufacturer string) (*domain.ManufacturerRule, error)
}

// Warehouses answers whether a location is one of the caller's
// warehouses; company owns locations, so the service asks it. A location
// that is not (missing, another company's, a branch, inactive) is an
// errs.Invalid violation of field; an unreachable company is Unavailable.
type Warehouses interface {
	CheckWarehouse(ctx context.Context, field, id string) error
}

// Patients answers whether a patient is one of the caller's; clinical owns
// patients. A patient that is not is an errs.Invalid violation of field.
type Patients interface {
	CheckPatient(ctx context.Context, field, id string) error
}

// Units are the unit commands and queries.
type Units struct{ s *serials }

// Get returns unit id of the caller's company.
func (h Units) Get(ctx context.Context, id string) (*domain.Unit, error) {
	return usecase.Get(ctx, "id", id, h.s.Store.GetUnit)
}

// ListUnits pages through the company's units.
type ListUnits struct {
	PageSize            int32
	PageToken           string
	ItemID, WarehouseID string
	Status              domain.UnitStatus
	// PatientID keeps the units the patient now rents or owns.
	PatientID string
}

// UnitPage is one page of units.
type UnitPage = usecase.Page[*domain.Unit]

// List returns one page, ordered by serial number and id.
func (h Units) List(ctx context.Context, q ListUnits) (UnitPage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return UnitPage{}, err
	}
	if err := usecase.InvalidFields(
		usecase.FieldCheck{Field: "itemId", Err: optionalID(q.ItemID)},
		usecase.FieldCheck{Field: "warehouseId", Err: optionalID(q.WarehouseID)},
		usecase.FieldCheck{Field: "patientId", Err: optionalID(q.PatientID)}); err != nil {
		return UnitPage{}, err
	}
	query := UnitQuery{ItemID: q.ItemID, WarehouseID: q.WarehouseID, Status: q.Status, PatientID: q.PatientID}
	scope := []string{"ListUnits", caller.CompanyID, q.ItemID, q.WarehouseID, string(q.Status), q.PatientID}
	found, next, err := usecase.CompositeKeysetPage(h.s.Pages, q.PageSize, q.PageToken, scope, 2,
		func(keys []string) bool { return usecase.CheckID("", keys[1]) == nil },
		func(after []string, limit int) ([]*domain.Unit, error) {
			query.After, query.Limit = after, limit
			return h.s.Store.ListUnits(ctx, query)
		},
		func(u *domain.Unit) []string { return []string{u.SerialNumber, u.ID} })
	return UnitPage{Items: found, NextPageToken: next}, err
}

// ReceiveUnit receives one unit. Violations name fields of the request
// ("unit.serialNumber").
type ReceiveUnit struct {
	ItemID    string
	Values    domain.UnitValues
	RequestID string
}

// Receive checks the item (active, serialized, its serial rule) and the
// warehouse (with company), stores the unit on hand with its receive
// transaction and stock, and records UnitReceived. A repeated request
// returns the unit received the first time and records nothing.
func (h Units) Receive(ctx context.Context, cmd ReceiveUnit) (*domain.Unit, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	u, err := h.build(ctx, "unit", cmd.ItemID, cmd.Values, itemRules{})
	if err != nil {
		return nil, err
	}
	if err := h.s.Warehouses.CheckWarehouse(ctx, "unit.warehouseId", u.WarehouseID); err != nil {
		return nil, err
	}
	hash, err := usecase.Fingerprint(h.s.Keyring, "serials", "ReceiveUnit", cmd)
	if err != nil {
		return nil, err
	}
	out, err := usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (*domain.Unit, []usecase.Event, error) {
		got, replayed, err := h.s.Store.ReceiveUnit(ctx, u, caller.Subject, cmd.RequestID, hash)
		if replayed {
			usecase.NoteReplay(ctx)
		}
		if err != nil || replayed {
			return got, nil, err
		}
		return got, []usecase.Event{{Type: EventUnitReceived, CompanyID: u.CompanyID, ResourceID: u.ID,
			Payload: &serialsv1.UnitReceived{CompanyId: u.CompanyID, UnitId: u.ID, ActorId: caller.Subject,
				OccurTime: protoconv.Time(u.CreateTime), ItemId: u.ItemID, SerialNumber: u.SerialNumber,
				WarehouseId: u.WarehouseID}}}, nil
	})
	if err == nil {
		h.s.forgetSerial(ctx, out.CompanyID, out.SerialNumber)
	}
	return out, err
}

// itemRule is an item with its compiled serial rule.
type itemRule struct {
	item *domain.Item
	rule *domain.SerialRule
}

// itemRules holds the items of a batch, each looked up and compiled once.
type itemRules map[string]itemRule

// build checks one unit to receive against its item (looked up once per
// batch in items); violations are rooted at field.
func (h Units) build(ctx context.Context, field, itemID string, values domain.UnitValues, items itemRules) (*domain.Unit, error) {
	if err := usecase.CheckID(usecase.JoinField(field, "itemId"), itemID); err != nil {
		return nil, err
	}
	ir, ok := items[itemID]
	if !ok {
		item, err := h.s.Store.GetItem(ctx, itemID)
		if errs.Is(err, errs.KindNotFound) {
			return nil, errs.Invalid(errs.FieldViolation{Field: usecase.JoinField(field, "itemId"), Description: "names no item of the company"})
		}
		if err != nil {
			return nil, err
		}
		maker, err := h.s.makerRule(ctx, item)
		if err != nil {
			return nil, err
		}
		ir.item = item
		// A stored rule compiles; should one not, the unit is refused.
		if ir.rule, err = domain.CompileSerialFormat(item.EffectiveFormat(maker)); err != nil {
			return nil, errs.Invalid(errs.FieldViolation{Field: usecase.JoinField(field, "serialNumber"),
				Description: "cannot be checked: the serial rule of the item or its manufacturer is broken"})
		}
		items[itemID] = ir
	}
	if values.WarehouseID != "" {
		if err := usecase.CheckID(usecase.JoinField(field, "warehouseId"), values.WarehouseID); err != nil {
			return nil, err
		}
	}
	id, err := usecase.NewID()
	if err != nil {
		return nil, err
	}
	u, err := domain.NewUnit(id, ir.item, ir.rule, values, h.s.Now.Stamp())
	if err != nil {
		return nil, usecase.UnderField(field, err)
	}
	return u, nil
}

// MaxBatch is the most units one BatchCreateUnits receives.
const MaxBatch = 10000

// ErrBulkDisabled refuses batch methods while FEATURE_BULK_OPERATIONS is
// off; the boundary maps it to UNIMPLEMENTED.
var ErrBulkDisabled = fmt.Errorf("batch methods are disabled: FEATURE_BULK_OPERATIONS is off")

// BatchCreateUnits receives a shipment into one warehouse.
type BatchCreateUnits struct {
	WarehouseID string
	Units       []BatchUnit
	RequestID   string
}

// BatchUnit is one row of a shipment.
type BatchUnit struct {
	ItemID string
	Values domain.UnitValues
}

// BatchCreate checks every row (its item, its serial rule, a serial
// repeated within the batch), then receives them all in one transaction
// or none; any bad row refuses the batch, naming each bad row
// ("units[41].serialNumber"). It records one UnitsBatchReceived.
func (h Units) BatchCreate(ctx context.Context, cmd BatchCreateUnits) ([]string, error) {
	if !h.s.BulkOperations {
		return nil, ErrBulkDisabled
	}
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := usecase.CheckID("warehouseId", cmd.WarehouseID); err != nil {
		return nil, err
	}
	if len(cmd.Units) == 0 || len(cmd.Units) > MaxBatch {
		return nil, errs.Invalid(errs.FieldViolation{Field: "units", Description: fmt.Sprintf("must hold 1 to %d units", MaxBatch)})
	}
	if err := h.s.Warehouses.CheckWarehouse(ctx, "warehouseId", cmd.WarehouseID); err != nil {
		return nil, err
	}
	units, err := h.buildBatch(ctx, cmd)
	if err != nil {
		return nil, err
	}
	hash, err := usecase.Fingerprint(h.s.Keyring, "serials", "BatchCreateUnits", cmd)
	if err != nil {
		return nil, err
	}
	ids, err := usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) ([]string, []usecase.Event, error) {
		ids, replayed, err := h.s.Store.BatchReceive(ctx, units, caller.Subject, cmd.RequestID, hash)
		if replayed {
			usecase.NoteReplay(ctx)
		}
		if err != nil || replayed {
			return ids, nil, err
		}
		var itemIDs []string
		for _, u := range units {
			if !slices.Contains(itemIDs, u.ItemID) {
				itemIDs = append(itemIDs, u.ItemID)
			}
		}
		return ids, []usecase.Event{{Type: EventUnitsBatchReceived, CompanyID: caller.CompanyID,
			Payload: &serialsv1.UnitsBatchReceived{CompanyId: caller.CompanyID, WarehouseId: cmd.WarehouseID,
				ActorId: caller.Subject, OccurTime: protoconv.Time(units[0].CreateTime), UnitCount: int32(len(units)),
				ItemIds: itemIDs}}}, nil
	})
	if err == nil {
		h.s.forgetCompany(ctx, caller.CompanyID)
	}
	return ids, err
}

// buildBatch checks every row, collecting every bad row's violations.
func (h Units) buildBatch(ctx context.Context, cmd BatchCreateUnits) ([]*domain.Unit, error) {
	var v errs.Violations
	items := itemRules{}
	units := make([]*domain.Unit, len(cmd.Units))
	type key struct{ item, serial string }
	seen := make(map[key]int, len(cmd.Units))
	for i, row := range cmd.Units {
		field := fmt.Sprintf("units[%d]", i)
		values := row.Values
		if values.WarehouseID != "" && values.WarehouseID != cmd.WarehouseID {
			v.Add(field+".warehouseId", "must be empty or the batch's warehouseId")
			continue
		}
		values.WarehouseID = cmd.WarehouseID
		u, err := h.build(ctx, field, row.ItemID, values, items)
		if errs.Is(err, errs.KindInvalid) {
			v.Merge("", err)
			continue
		}
		if err != nil {
			return nil, err
		}
		k := key{u.ItemID, u.SerialNumber}
		if first, dup := seen[k]; dup {
			v.Addf(field+".serialNumber", "repeats units[%d]: a serial number names one unit of an item", first)
			continue
		}
		seen[k] = i
		units[i] = u
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return units, nil
}

// TransitionUnit applies one transaction to a unit.
type TransitionUnit struct {
	ID          string
	Kind        domain.TransactionKind
	PatientID   string
	WarehouseID string
	// Etag, when set, must be the unit's current one.
	Etag string
}

// Transition checks the patient of a rent or sell (with clinical) and the
// destination of a transfer (with company), then applies the transaction
// under the unit's row lock and records UnitTransitioned, and StockLow
// when it took a warehouse's on hand down to the reorder point.
func (h Units) Transition(ctx context.Context, cmd TransitionUnit) (*domain.Unit, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := usecase.InvalidFields(
		usecase.FieldCheck{Field: "id", Err: usecase.CheckID("", cmd.ID)},
		usecase.FieldCheck{Field: "patientId", Err: optionalID(cmd.PatientID)},
		usecase.FieldCheck{Field: "warehouseId", Err: optionalID(cmd.WarehouseID)}); err != nil {
		return nil, err
	}
	if !slices.Contains(domain.TransactionKinds, cmd.Kind) {
		return nil, errs.Invalid(errs.FieldViolation{Field: "kind", Description: "must be a unit transaction other than RECEIVE"})
	}
	if cmd.PatientID != "" && (cmd.Kind == domain.TxRent || cmd.Kind == domain.TxSell) {
		if err := h.s.Patients.CheckPatient(ctx, "patientId", cmd.PatientID); err != nil {
			return nil, err
		}
	}
	if cmd.WarehouseID != "" && cmd.Kind == domain.TxTransferOut {
		if err := h.s.Warehouses.CheckWarehouse(ctx, "warehouseId", cmd.WarehouseID); err != nil {
			return nil, err
		}
	}
	t := domain.UnitTransaction{Kind: cmd.Kind, PatientID: cmd.PatientID, WarehouseID: cmd.WarehouseID, Time: h.s.Now.Stamp()}
	tr, err := usecase.Change(ctx, h.s.UnitOfWork, h.s.Events, func(ctx context.Context) (Transition, []usecase.Event, error) {
		tr, err := h.s.Store.ApplyTransaction(ctx, cmd.ID, t, caller.Subject, func(u *domain.Unit) error {
			if cmd.Etag == "" {
				return nil
			}
			return etag.Check(cmd.Etag, u.Version)
		})
		if err != nil {
			return tr, nil, err
		}
		return tr, transitionEvents(caller, tr, t), nil
	})
	if err != nil {
		return nil, err
	}
	h.s.forgetSerial(ctx, tr.Unit.CompanyID, tr.Unit.SerialNumber)
	return tr.Unit, nil
}

// transitionEvents are the events of one applied transaction.
func transitionEvents(caller identity.Principal, tr Transition, t domain.UnitTransaction) []usecase.Event {
	u := tr.Unit
	events := []usecase.Event{{Type: EventUnitTransitioned, CompanyID: u.CompanyID, ResourceID: u.ID,
		Payload: &serialsv1.UnitTransitioned{CompanyId: u.CompanyID, UnitId: u.ID, ActorId: caller.Subject,
			OccurTime: protoconv.Time(u.UpdateTime), ItemId: u.ItemID, SerialNumber: u.SerialNumber,
			Kind: apienum.TransactionKindProto(t.Kind), FromStatus: apienum.StatusProto(tr.FromStatus), ToStatus: apienum.StatusProto(u.Status),
			FromWarehouseId: tr.FromWarehouse, ToWarehouseId: u.WarehouseID, PatientId: t.PatientID, Version: u.Version,
			OrderLineId: t.OrderLineID}}}
	if l := tr.Low; l != nil {
		events = append(events, stockLowEvent(u.CompanyID, l, u.UpdateTime))
	}
	return events
}

func stockLowEvent(companyID string, l *StockLevel, at time.Time) usecase.Event {
	return usecase.Event{Type: EventStockLow, CompanyID: companyID,
		Payload: &serialsv1.StockLow{CompanyId: companyID, WarehouseId: l.WarehouseID, ItemId: l.ItemID,
			OccurTime: protoconv.Time(at), OnHand: l.OnHand, ReorderPoint: l.ReorderPoint}}
}

// ListUnitTransactions pages through a unit's history.
type ListUnitTransactions struct {
	UnitID    string
	PageSize  int32
	PageToken string
}

// TransactionPage is one page of a unit's transactions.
type TransactionPage = usecase.Page[*TransactionRecord]

// Transactions returns one page of a unit's history, oldest first.
func (h Units) Transactions(ctx context.Context, q ListUnitTransactions) (TransactionPage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return TransactionPage{}, err
	}
	if err := usecase.CheckID("unitId", q.UnitID); err != nil {
		return TransactionPage{}, err
	}
	scope := []string{"ListUnitTransactions", caller.CompanyID, q.UnitID}
	found, next, err := usecase.CompositeKeysetPage(h.s.Pages, q.PageSize, q.PageToken, scope, 2,
		validTimeAndID,
		func(after []string, limit int) ([]*TransactionRecord, error) {
			return h.s.Store.ListTransactions(ctx, q.UnitID, after, limit)
		},
		func(t *TransactionRecord) []string { return []string{timeKey(t.OccurTime), t.ID} })
	return TransactionPage{Items: found, NextPageToken: next}, err
}
