package grpcapi_test

import (
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/serials/internal/serialstest"
)

// TestItems: create is idempotent under a request id and refuses a code
// twice; update checks the etag; bad input names its fields; another
// company sees nothing; a technician may read but not write.
func TestItems(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	req := &serialsv1.CreateItemRequest{Item: &serialsv1.Item{Code: "K0001", Name: "Standard wheelchair", Hcpcs: "K0001"}, RequestId: newID()}
	first, err := f.e.Items.CreateItem(f.a.Warehouse, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.e.Items.CreateItem(f.a.Warehouse, req)
	if err != nil || again.GetId() != first.GetId() {
		t.Fatalf("retry = %v, %v; want the first item", again, err)
	}
	_, err = f.e.Items.CreateItem(f.a.Warehouse, &serialsv1.CreateItemRequest{Item: &serialsv1.Item{Code: "K0001", Name: "Again"}})
	grpcerrtest.WantCode(t, err, codes.AlreadyExists)
	_, err = f.e.Items.CreateItem(f.a.Warehouse, &serialsv1.CreateItemRequest{Item: &serialsv1.Item{Code: "K0002", Name: "x",
		Barcode: "123", SerialRule: &serialsv1.SerialRule{Pattern: "(["}}})
	grpcerrtest.WantInvalid(t, err, "item.barcode", "item.serialRule.pattern")

	upd, err := f.e.Items.UpdateItem(f.a.Warehouse, &serialsv1.UpdateItemRequest{
		Item:       &serialsv1.Item{Id: first.GetId(), Name: "Standard wheelchair, 18in", Etag: first.GetEtag()},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"name"}}})
	if err != nil || upd.GetName() != "Standard wheelchair, 18in" || upd.GetCode() != "K0001" {
		t.Fatalf("update = %v, %v", upd, err)
	}
	_, err = f.e.Items.UpdateItem(f.a.Warehouse, &serialsv1.UpdateItemRequest{
		Item: &serialsv1.Item{Id: first.GetId(), Name: "stale", Etag: first.GetEtag()}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"name"}}})
	grpcerrtest.WantCode(t, err, codes.Aborted)

	// The o2_tank flag is fixed once the item has units.
	f.receive(t, f.item, nextSerial(), f.a.WH1)
	_, err = f.e.Items.UpdateItem(f.a.Warehouse, &serialsv1.UpdateItemRequest{
		Item: &serialsv1.Item{Id: f.item.GetId(), O2Tank: true, Serialized: true}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"o2_tank"}}})
	grpcerrtest.WantReason(t, err, codes.FailedPrecondition, "ITEM_HAS_UNITS")

	list, err := f.e.Items.ListItems(f.a.Auditor, &serialsv1.ListItemsRequest{PageSize: 2})
	if err != nil || len(list.GetItems()) != 2 || list.GetNextPageToken() == "" {
		t.Fatalf("page 1 = %v, %v", list, err)
	}
	rest, err := f.e.Items.ListItems(f.a.Auditor, &serialsv1.ListItemsRequest{PageSize: 2, PageToken: list.GetNextPageToken()})
	if err != nil || len(rest.GetItems()) != 1 || rest.GetNextPageToken() != "" {
		t.Fatalf("page 2 = %v, %v", rest, err)
	}

	b := f.e.NewTenant()
	_, err = f.e.Items.GetItem(b.Warehouse, &serialsv1.GetItemRequest{Id: first.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	other, err := f.e.Items.ListItems(b.Warehouse, &serialsv1.ListItemsRequest{})
	if err != nil || len(other.GetItems()) != 0 {
		t.Errorf("another company lists %v, %v", other, err)
	}
	_, err = f.e.Items.CreateItem(f.a.Technician, &serialsv1.CreateItemRequest{Item: &serialsv1.Item{Code: "T1", Name: "x"}})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
}

// TestUnitsAcrossTenantsAndPeers: another company cannot read, move or
// validate a unit; a warehouse or patient another company owns is a
// violation; a warehouse user, who reads no patients, cannot rent.
func TestUnitsAcrossTenantsAndPeers(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	u := f.receive(t, f.item, nextSerial(), f.a.WH1)
	b := f.e.NewTenant()
	_, err := f.e.Units.GetUnit(b.Admin, &serialsv1.GetUnitRequest{Id: u.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = f.e.Units.TransitionUnit(b.Admin, &serialsv1.TransitionUnitRequest{Id: u.GetId(), Kind: reserve})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = f.e.Units.ListUnitTransactions(b.Admin, &serialsv1.ListUnitTransactionsRequest{UnitId: u.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)

	_, err = f.e.Units.ReceiveUnit(f.a.Warehouse, &serialsv1.ReceiveUnitRequest{Unit: &serialsv1.Unit{
		ItemId: f.item.GetId(), SerialNumber: nextSerial(), WarehouseId: b.WH1}})
	grpcerrtest.WantInvalid(t, err, "unit.warehouseId")
	_, err = f.e.Units.TransitionUnit(f.a.Admin, &serialsv1.TransitionUnitRequest{Id: u.GetId(), Kind: rent, PatientId: b.Patient})
	grpcerrtest.WantInvalid(t, err, "patientId")
	_, err = f.e.Units.TransitionUnit(f.a.Warehouse, &serialsv1.TransitionUnitRequest{Id: u.GetId(), Kind: rent, PatientId: f.a.Patient})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = f.e.Units.TransitionUnit(f.a.Admin, &serialsv1.TransitionUnitRequest{Id: u.GetId(), Kind: rent})
	grpcerrtest.WantInvalid(t, err, "patientId")
	_, err = f.e.Units.TransitionUnit(f.a.Admin, &serialsv1.TransitionUnitRequest{Id: u.GetId(), Kind: reserve, Etag: `"41"`})
	grpcerrtest.WantCode(t, err, codes.Aborted)

	_, err = f.e.Units.ReceiveUnit(f.a.Warehouse, &serialsv1.ReceiveUnitRequest{Unit: &serialsv1.Unit{
		ItemId: f.item.GetId(), SerialNumber: u.GetSerialNumber(), WarehouseId: f.a.WH1}})
	grpcerrtest.WantCode(t, err, codes.AlreadyExists)
}

// TestReturnMaintainAndRelease: a returned unit lands in maintenance,
// recording work with release puts it back on hand and sets its next due
// date, and the due sweep announces a unit fallen due once.
func TestReturnMaintainAndRelease(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	u := f.receive(t, f.item, nextSerial(), f.a.WH1)
	for _, k := range []serialsv1.UnitTransactionKind{rent, serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RETURN} {
		if _, err := f.transition(f.a.Admin, u.GetId(), k); err != nil {
			t.Fatal(err)
		}
	}
	today := time.Now()
	rec, err := f.e.Maintenance.CreateMaintenanceRecord(f.a.Technician, &serialsv1.CreateMaintenanceRecordRequest{
		UnitId: u.GetId(), Release: true, Record: &serialsv1.MaintenanceRecord{Problem: "Returned from rental",
			WorkDone: "Cleaned, disinfected, pressure-tested", Technician: "J. Ortiz", LaborMinutes: 45,
			PerformDate: dateOf(today), NextDue: dateOf(today.AddDate(0, 6, 0))}})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.GetReleased() {
		t.Errorf("record not released: %v", rec)
	}
	got, err := f.e.Units.GetUnit(f.a.Technician, &serialsv1.GetUnitRequest{Id: u.GetId()})
	if err != nil || got.GetStatus() != serialsv1.UnitStatus_UNIT_STATUS_ON_HAND || got.GetNextMaintenanceDue() == nil ||
		got.GetLastPatientId() != f.a.Patient {
		t.Fatalf("after release the unit is %v, %v", got, err)
	}
	// Releasing a unit that is not in maintenance is refused by the table.
	_, err = f.e.Maintenance.CreateMaintenanceRecord(f.a.Technician, &serialsv1.CreateMaintenanceRecordRequest{
		UnitId: u.GetId(), Release: true, Record: &serialsv1.MaintenanceRecord{Problem: "x", WorkDone: "y", Technician: "z",
			PerformDate: dateOf(today)}})
	grpcerrtest.WantCode(t, err, codes.FailedPrecondition)
	records, err := f.e.Maintenance.ListMaintenanceRecords(f.a.Auditor, &serialsv1.ListMaintenanceRecordsRequest{UnitId: u.GetId()})
	if err != nil || len(records.GetRecords()) != 1 {
		t.Fatalf("records = %v, %v", records, err)
	}

	// Make it due: a record dated in the past with a next due of yesterday.
	if _, err := f.e.Maintenance.CreateMaintenanceRecord(f.a.Technician, &serialsv1.CreateMaintenanceRecordRequest{
		UnitId: u.GetId(), Record: &serialsv1.MaintenanceRecord{Problem: "Inspection", WorkDone: "Inspected", Technician: "J. Ortiz",
			PerformDate: dateOf(today.AddDate(0, -6, 0)), NextDue: dateOf(today.AddDate(0, 0, -1))}}); err != nil {
		t.Fatal(err)
	}
	due, err := f.e.Maintenance.ListMaintenanceDue(f.a.Technician, &serialsv1.ListMaintenanceDueRequest{WarehouseId: f.a.WH1})
	if err != nil || len(due.GetUnits()) != 1 || !due.GetUnits()[0].GetOverdue() {
		t.Fatalf("due = %v, %v", due, err)
	}
	for round, want := range []int{1, 0} {
		n, err := f.e.App.Maintenance.AnnounceDue(t.Context())
		if err != nil || n != want {
			t.Fatalf("sweep %d announced %d, %v; want %d", round, n, err, want)
		}
	}
	resp, err := f.e.Units.ValidateSerial(f.a.Warehouse, &serialsv1.ValidateSerialRequest{SerialNumber: u.GetSerialNumber(), Operation: reserve})
	if err != nil || resp.GetValid() {
		t.Errorf("an overdue unit validates for reserve: %v, %v", resp, err)
	}
}

// TestUsageAndCompliance records 30 nights of a rented unit, 21 of them
// over four hours, and finds the patient compliant; 20 would not be.
func TestUsageAndCompliance(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	u := f.receive(t, f.item, nextSerial(), f.a.WH1)
	_, err := f.e.Usage.RecordUsage(f.a.Technician, &serialsv1.RecordUsageRequest{UnitId: u.GetId(),
		Readings: []*serialsv1.NightReading{{Night: dateOf(time.Now()), Minutes: 300}}})
	grpcerrtest.WantReason(t, err, codes.FailedPrecondition, "UNIT_NOT_RENTED")
	if _, err := f.transition(f.a.Admin, u.GetId(), rent); err != nil {
		t.Fatal(err)
	}
	start := time.Now().AddDate(0, 0, -40)
	var readings []*serialsv1.NightReading
	for i := range 30 {
		minutes := int32(120)
		if i%10 < 7 {
			minutes = 241
		}
		readings = append(readings, &serialsv1.NightReading{Night: dateOf(start.AddDate(0, 0, i)), Minutes: minutes})
	}
	resp, err := f.e.Usage.RecordUsage(f.a.Technician, &serialsv1.RecordUsageRequest{UnitId: u.GetId(), Readings: readings})
	if err != nil || resp.GetPatientId() != f.a.Patient || resp.GetRecordedCount() != 30 {
		t.Fatalf("record = %v, %v", resp, err)
	}
	summary := func() *serialsv1.ComplianceSummary {
		s, err := f.e.Usage.GetComplianceSummary(f.a.Technician, &serialsv1.GetComplianceSummaryRequest{UnitId: u.GetId(),
			WindowStart: dateOf(start), WindowEnd: dateOf(start.AddDate(0, 0, 89))})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := summary(); !s.GetCompliant() || s.GetNightsCompliant() != 21 || s.GetBestWindowCompliant() != 21 || s.GetPatientId() != f.a.Patient {
		t.Errorf("summary = %v, want compliant on 21 of 30", s)
	}
	// A device re-uploads one night lower: 20 of 30 is not compliant.
	if _, err := f.e.Usage.RecordUsage(f.a.Technician, &serialsv1.RecordUsageRequest{UnitId: u.GetId(),
		Readings: []*serialsv1.NightReading{{Night: dateOf(start), Minutes: 100}}}); err != nil {
		t.Fatal(err)
	}
	if s := summary(); s.GetCompliant() || s.GetNightsCompliant() != 20 {
		t.Errorf("after the re-upload summary = %v, want 20 and not compliant", s)
	}
	_, err = f.e.Usage.RecordUsage(f.a.Technician, &serialsv1.RecordUsageRequest{UnitId: u.GetId(),
		Readings: []*serialsv1.NightReading{{Night: dateOf(time.Now().AddDate(0, 0, 2)), Minutes: 10},
			{Night: dateOf(start), Minutes: 10}, {Night: dateOf(start), Minutes: 20}}})
	grpcerrtest.WantInvalid(t, err, "readings[0].night", "readings[2].night")
}

// TestRecallOverRPC: the holders of a lot are named with their patients,
// the flag blocks a rent, and clearing it allows one again.
func TestRecallOverRPC(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	held := f.receive(t, f.item, nextSerial(), f.a.WH1)
	free := f.receive(t, f.item, nextSerial(), f.a.WH1)
	if _, err := f.transition(f.a.Admin, held.GetId(), rent); err != nil {
		t.Fatal(err)
	}
	// Renting one of two took on hand to the reorder point (1): stock low.
	if types := f.e.Events.Types(); !slices.Contains(types, "serials.stock.low.v1") {
		t.Errorf("events %v: no stock low", types)
	}
	holders, err := f.e.Recalls.ListRecallHolders(f.a.Auditor, &serialsv1.ListRecallHoldersRequest{Scope: &serialsv1.RecallScope{
		Manufacturer: "resmed", Model: "airsense 11", Lot: "LOT-1"}})
	if err != nil || len(holders.GetHolders()) != 2 || holders.GetHolders()[0].GetPatientId() != f.a.Patient {
		t.Fatalf("holders = %v, %v", holders, err)
	}
	_, err = f.e.Recalls.ListRecallHolders(f.a.Auditor, &serialsv1.ListRecallHoldersRequest{Scope: &serialsv1.RecallScope{Model: "x"}})
	grpcerrtest.WantInvalid(t, err, "scope", "scope.model")
	n, err := f.e.Recalls.RecallUnits(f.a.Warehouse, &serialsv1.RecallUnitsRequest{Scope: &serialsv1.RecallScope{Lot: "LOT-1"}, Recalled: true})
	if err != nil || n.GetChangedCount() != 2 {
		t.Fatalf("recall = %v, %v", n, err)
	}
	_, err = f.transition(f.a.Admin, free.GetId(), rent)
	grpcerrtest.WantReason(t, err, codes.FailedPrecondition, "UNIT_RECALLED")
	if _, err := f.e.Recalls.RecallUnits(f.a.Warehouse, &serialsv1.RecallUnitsRequest{Scope: &serialsv1.RecallScope{Lot: "LOT-1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.transition(f.a.Admin, free.GetId(), rent); err != nil {
		t.Errorf("after the recall is cleared the rent fails: %v", err)
	}
	sum, err := f.e.Stock.SummarizeUnits(f.a.Auditor, &serialsv1.SummarizeUnitsRequest{})
	if err != nil || len(sum.GetItems()) != 1 || sum.GetItems()[0].GetUtilisation() != 1 {
		t.Errorf("summary = %v, %v; want both units rented, utilisation 1", sum, err)
	}
}
