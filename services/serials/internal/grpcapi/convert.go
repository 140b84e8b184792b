package grpcapi

import (
	"google.golang.org/genproto/googleapis/type/date"

	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/serials/internal/apienum"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

var (
	reasonProto = map[domain.ValidationReason]serialsv1.ValidationReason{
		domain.ReasonUnknownSerial:      serialsv1.ValidationReason_VALIDATION_REASON_UNKNOWN_SERIAL,
		domain.ReasonWrongItem:          serialsv1.ValidationReason_VALIDATION_REASON_WRONG_ITEM,
		domain.ReasonWrongWarehouse:     serialsv1.ValidationReason_VALIDATION_REASON_WRONG_WAREHOUSE,
		domain.ReasonStatusDisallows:    serialsv1.ValidationReason_VALIDATION_REASON_STATUS_DOES_NOT_ALLOW,
		domain.ReasonRecalled:           serialsv1.ValidationReason_VALIDATION_REASON_RECALLED,
		domain.ReasonMaintenanceOverdue: serialsv1.ValidationReason_VALIDATION_REASON_MAINTENANCE_OVERDUE,
		domain.ReasonLotExpired:         serialsv1.ValidationReason_VALIDATION_REASON_LOT_EXPIRED,
	}
)

// money renders cents as US dollars.
func money(cents int64) *commonv1.Money {
	return &commonv1.Money{AmountCents: cents, CurrencyCode: "USD"}
}

// optionalDate renders a date, or nothing for the zero date.
func optionalDate(d civil.Date) *date.Date {
	if d.IsZero() {
		return nil
	}
	return protoconv.DateProto(d)
}

func itemToProto(it *domain.Item) *serialsv1.Item {
	out := &serialsv1.Item{
		Id: it.ID, Code: it.Code, Name: it.Name, Hcpcs: it.HCPCS, Manufacturer: it.Manufacturer, Model: it.Model,
		Serialized: it.Serialized, O2Tank: it.O2Tank, Barcode: it.Barcode, Cost: money(it.CostCents),
		ReorderPoint: it.ReorderPoint, Active: it.Active,
		CreateTime: protoconv.Time(it.CreateTime), UpdateTime: protoconv.Time(it.UpdateTime),
		Etag: etag.FromVersion(it.Version),
	}
	if it.SerialFormat != (domain.SerialFormat{}) {
		out.SerialRule = &serialsv1.SerialRule{Pattern: it.SerialFormat.Pattern, CheckDigit: apienum.CheckDigitProto(it.SerialFormat.CheckDigit)}
	}
	return out
}

// serialFormat reads a serial rule message. An undefined check digit
// scheme (protovalidate refuses it first) reads as unknown, so the domain
// refuses it too.
func serialFormat(r *serialsv1.SerialRule) domain.SerialFormat {
	scheme, ok := apienum.CheckDigitDomain(r.GetCheckDigit())
	if !ok {
		scheme = domain.CheckDigitScheme(r.GetCheckDigit().String())
	}
	return domain.SerialFormat{Pattern: r.GetPattern(), CheckDigit: scheme}
}

// itemValues reads the writable fields of an item message.
func itemValues(it *serialsv1.Item) domain.ItemValues {
	return domain.ItemValues{
		Code: it.GetCode(), Name: it.GetName(), HCPCS: it.GetHcpcs(), Manufacturer: it.GetManufacturer(),
		Model: it.GetModel(), Serialized: it.GetSerialized(), O2Tank: it.GetO2Tank(), Barcode: it.GetBarcode(),
		CostCents: it.GetCost().GetAmountCents(), CostCurrency: it.GetCost().GetCurrencyCode(),
		ReorderPoint: it.GetReorderPoint(),
		SerialFormat: serialFormat(it.GetSerialRule()),
		Active:       it.GetActive(),
	}
}

func unitToProto(u *domain.Unit) *serialsv1.Unit {
	return &serialsv1.Unit{
		Id: u.ID, ItemId: u.ItemID, SerialNumber: u.SerialNumber, ManufacturerSerial: u.ManufacturerSerial,
		Lot: u.Lot, LotExpiry: optionalDate(u.LotExpiry), WarehouseId: u.WarehouseID, Status: apienum.StatusProto(u.Status),
		CurrentPatientId: u.CurrentPatientID, LastPatientId: u.LastPatientID, Recalled: u.Recalled,
		NextMaintenanceDue: optionalDate(u.NextMaintenanceDue), PurchaseDate: optionalDate(u.PurchaseDate),
		PurchaseCost: money(u.PurchaseCostCents), WarrantyEnd: optionalDate(u.WarrantyEnd),
		CreateTime: protoconv.Time(u.CreateTime), UpdateTime: protoconv.Time(u.UpdateTime),
		Etag: etag.FromVersion(u.Version), OrderLineId: u.OrderLineID,
	}
}

// unitValues reads what a client sends to receive a unit.
func unitValues(u *serialsv1.Unit) domain.UnitValues {
	return domain.UnitValues{
		SerialNumber: u.GetSerialNumber(), ManufacturerSerial: u.GetManufacturerSerial(), Lot: u.GetLot(),
		LotExpiry: protoconv.Date(u.GetLotExpiry()), WarehouseID: u.GetWarehouseId(),
		NextMaintenanceDue: protoconv.Date(u.GetNextMaintenanceDue()), PurchaseDate: protoconv.Date(u.GetPurchaseDate()),
		PurchaseCostCents: u.GetPurchaseCost().GetAmountCents(), PurchaseCurrency: u.GetPurchaseCost().GetCurrencyCode(),
		WarrantyEnd: protoconv.Date(u.GetWarrantyEnd()),
	}
}

func transactionToProto(t *app.TransactionRecord) *serialsv1.UnitTransaction {
	return &serialsv1.UnitTransaction{
		Id: t.ID, UnitId: t.UnitID, Kind: apienum.TransactionKindProto(t.Kind),
		FromStatus: apienum.StatusProto(t.FromStatus), ToStatus: apienum.StatusProto(t.ToStatus),
		FromWarehouseId: t.FromWarehouse, ToWarehouseId: t.ToWarehouse, PatientId: t.PatientID, ActorId: t.ActorID,
		OccurTime: protoconv.Time(t.OccurTime), OrderLineId: t.OrderLineID, Note: t.Note,
	}
}

func stockToProto(l *app.StockLevel) *serialsv1.StockLevel {
	return &serialsv1.StockLevel{
		WarehouseId: l.WarehouseID, ItemId: l.ItemID, OnHand: l.OnHand, Committed: l.Committed, Rented: l.Rented,
		Sold: l.Sold, Unavailable: l.Unavailable, OnOrder: l.OnOrder, ReorderPoint: l.ReorderPoint, Low: l.Low,
	}
}

func maintenanceToProto(r *domain.MaintenanceRecord) *serialsv1.MaintenanceRecord {
	return &serialsv1.MaintenanceRecord{
		Id: r.ID, UnitId: r.UnitID, Problem: r.Problem, WorkDone: r.WorkDone, Technician: r.Technician,
		LaborMinutes: r.LaborMinutes, Cost: money(r.CostCents), PerformDate: optionalDate(r.PerformDate),
		NextDue: optionalDate(r.NextDue), Released: r.Released, ActorId: r.ActorID,
		CreateTime: protoconv.Time(r.CreateTime),
	}
}

func recallScope(s *serialsv1.RecallScope) app.RecallQuery {
	return app.RecallQuery{Manufacturer: s.GetManufacturer(), Model: s.GetModel(), Lot: s.GetLot()}
}

// transactionKind reads an API transaction kind; an undefined one keeps a
// name the domain refuses.
func transactionKind(k serialsv1.UnitTransactionKind) domain.TransactionKind {
	if d := apienum.TransactionKindDomain(k); d != "" {
		return d
	}
	return domain.TransactionKind(k.String())
}

func makerRuleToProto(r *domain.ManufacturerRule) *serialsv1.ManufacturerSerialRule {
	return &serialsv1.ManufacturerSerialRule{Manufacturer: r.Manufacturer,
		Rule:       &serialsv1.SerialRule{Pattern: r.Format.Pattern, CheckDigit: apienum.CheckDigitProto(r.Format.CheckDigit)},
		UpdateTime: protoconv.Time(r.UpdateTime), Etag: etag.FromVersion(r.Version)}
}
