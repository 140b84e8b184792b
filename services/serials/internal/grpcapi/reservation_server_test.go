package grpcapi_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
	"github.com/ariesone/ariesone/services/serials/internal/serialstest"
)

// billing returns a context of the fixture's company as a billing user,
// who approves orders: it may reserve units and read them, nothing more.
func (f *fixture) billing() context.Context {
	return f.e.As(f.a.CompanyID, newID(), auth.RoleBilling)
}

// history lists a unit's transactions, oldest first, with each one's order
// line and note.
func (f *fixture) history(t *testing.T, unitID string) []*serialsv1.UnitTransaction {
	t.Helper()
	resp, err := f.e.Units.ListUnitTransactions(f.a.Auditor, &serialsv1.ListUnitTransactionsRequest{UnitId: unitID, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetTransactions()
}

func countTypes(types []string, want string) int {
	n := 0
	for _, typ := range types {
		if typ == want {
			n++
		}
	}
	return n
}

// TestReserveUnitRefusals: bad input names its fields, and a unit that
// cannot be held says why.
func TestReserveUnitRefusals(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	elsewhere := f.receive(t, f.item, nextSerial(), f.a.WH2)
	recalled := f.receive(t, f.item, nextSerial(), f.a.WH1)
	if _, err := f.e.Recalls.RecallUnits(f.a.Admin, &serialsv1.RecallUnitsRequest{
		Scope: &serialsv1.RecallScope{Manufacturer: "ResMed", Lot: "LOT-1"}, Recalled: true}); err != nil {
		t.Fatal(err)
	}
	rented := f.receive(t, f.tank, nextSerial(), f.a.WH1)
	if _, err := f.transition(f.a.Admin, rented.GetId(), rent); err != nil {
		t.Fatal(err)
	}
	line := newID()
	tests := []struct {
		name   string
		ctx    context.Context
		req    *serialsv1.ReserveUnitRequest
		code   codes.Code
		fields []string // for INVALID_ARGUMENT
		reason string   // for FAILED_PRECONDITION
	}{
		{name: "nothing", req: &serialsv1.ReserveUnitRequest{}, code: codes.InvalidArgument,
			fields: []string{"orderLineId", "itemId", "warehouseId"}},
		{name: "an unknown item", req: &serialsv1.ReserveUnitRequest{OrderLineId: line, ItemId: newID(), WarehouseId: f.a.WH1},
			code: codes.InvalidArgument, fields: []string{"itemId"}},
		{name: "a serial that is not one", req: &serialsv1.ReserveUnitRequest{OrderLineId: line, ItemId: f.item.GetId(),
			WarehouseId: f.a.WH1, SerialNumber: "#!"}, code: codes.InvalidArgument, fields: []string{"serialNumber"}},
		{name: "a serial the item does not have", req: &serialsv1.ReserveUnitRequest{OrderLineId: line, ItemId: f.item.GetId(),
			WarehouseId: f.a.WH1, SerialNumber: rented.GetSerialNumber()}, code: codes.InvalidArgument, fields: []string{"serialNumber"}},
		{name: "a unit in another warehouse", req: &serialsv1.ReserveUnitRequest{OrderLineId: line, ItemId: f.item.GetId(),
			WarehouseId: f.a.WH1, SerialNumber: elsewhere.GetSerialNumber()}, code: codes.FailedPrecondition, reason: "WRONG_WAREHOUSE"},
		{name: "a recalled unit", req: &serialsv1.ReserveUnitRequest{OrderLineId: line, ItemId: f.item.GetId(),
			WarehouseId: f.a.WH1, SerialNumber: recalled.GetSerialNumber()}, code: codes.FailedPrecondition, reason: "RECALLED"},
		{name: "a rented unit", req: &serialsv1.ReserveUnitRequest{OrderLineId: line, ItemId: f.tank.GetId(),
			WarehouseId: f.a.WH1, SerialNumber: rented.GetSerialNumber()}, code: codes.FailedPrecondition, reason: "STATUS_DOES_NOT_ALLOW"},
		{name: "no free unit (only a recalled one)", req: &serialsv1.ReserveUnitRequest{OrderLineId: line, ItemId: f.item.GetId(),
			WarehouseId: f.a.WH1}, code: codes.FailedPrecondition, reason: domain.ReasonNoUnitAvailable},
		{name: "a technician may not reserve", ctx: f.a.Technician, req: &serialsv1.ReserveUnitRequest{OrderLineId: line,
			ItemId: f.item.GetId(), WarehouseId: f.a.WH2}, code: codes.PermissionDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = f.billing()
			}
			_, err := f.e.Units.ReserveUnit(ctx, tt.req)
			switch tt.code {
			case codes.InvalidArgument:
				grpcerrtest.WantInvalid(t, err, tt.fields...)
			case codes.FailedPrecondition:
				grpcerrtest.WantReason(t, err, tt.code, tt.reason)
			default:
				grpcerrtest.WantCode(t, err, tt.code)
			}
		})
	}
	if n := countTypes(f.e.Events.Types(), "serials.unit.transitioned.v1"); n != 1 {
		t.Errorf("%d transitions recorded, want only the setup's rent", n)
	}
}

// TestReserveUnitOncePerOrderLine: asking twice for one line reserves one
// unit, records one RESERVE and one event; the unit carries the line;
// release puts it back on hand and a second release finds nothing.
func TestReserveUnitOncePerOrderLine(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	f.receive(t, f.item, nextSerial(), f.a.WH1)
	f.receive(t, f.item, nextSerial(), f.a.WH1)
	line := newID()
	req := &serialsv1.ReserveUnitRequest{OrderLineId: line, ItemId: f.item.GetId(), WarehouseId: f.a.WH1}
	first, err := f.e.Units.ReserveUnit(f.billing(), req)
	if err != nil {
		t.Fatal(err)
	}
	if first.GetStatus() != serialsv1.UnitStatus_UNIT_STATUS_RESERVED || first.GetOrderLineId() != line {
		t.Errorf("reserved unit = %v, want RESERVED for the line", first)
	}
	events := len(f.e.Events.Types())
	again, err := f.e.Units.ReserveUnit(f.billing(), req)
	if err != nil || again.GetId() != first.GetId() || again.GetEtag() != first.GetEtag() {
		t.Fatalf("second reservation = %v, %v; want the first unit unchanged", again, err)
	}
	// Naming a serial does not move a line's reservation either.
	bySerial := &serialsv1.ReserveUnitRequest{OrderLineId: line, ItemId: f.item.GetId(), WarehouseId: f.a.WH1,
		SerialNumber: first.GetSerialNumber()}
	if again, err := f.e.Units.ReserveUnit(f.billing(), bySerial); err != nil || again.GetId() != first.GetId() {
		t.Fatalf("reservation by the held serial = %v, %v", again, err)
	}
	if got := len(f.e.Events.Types()); got != events {
		t.Errorf("asking again recorded %v", f.e.Events.Types()[events:])
	}
	_, err = f.e.Units.ReserveUnit(f.billing(), &serialsv1.ReserveUnitRequest{OrderLineId: line, ItemId: f.tank.GetId(), WarehouseId: f.a.WH1})
	grpcerrtest.WantReason(t, err, codes.FailedPrecondition, domain.ReasonOrderLineHoldsAnotherItem)
	if diff := f.stock(t)[f.a.WH1+"/"+f.item.GetId()+"/committed"]; diff != 1 {
		t.Errorf("committed = %d, want 1", diff)
	}

	released, err := f.e.Units.ReleaseUnit(f.billing(), &serialsv1.ReleaseUnitRequest{OrderLineId: line})
	if err != nil || released.GetUnitId() != first.GetId() {
		t.Fatalf("release = %v, %v; want %s", released, err, first.GetId())
	}
	again, err = f.e.Units.GetUnit(f.a.Auditor, &serialsv1.GetUnitRequest{Id: first.GetId()})
	if err != nil || again.GetStatus() != serialsv1.UnitStatus_UNIT_STATUS_ON_HAND || again.GetOrderLineId() != "" {
		t.Errorf("after release: %v, %v; want on hand without a line", again, err)
	}
	released, err = f.e.Units.ReleaseUnit(f.billing(), &serialsv1.ReleaseUnitRequest{OrderLineId: line})
	if err != nil || released.GetUnitId() != "" {
		t.Errorf("second release = %v, %v; want nothing released", released, err)
	}
	_, err = f.e.Units.ReleaseUnit(f.billing(), &serialsv1.ReleaseUnitRequest{OrderLineId: "line-7"})
	grpcerrtest.WantInvalid(t, err, "orderLineId")

	var kinds []serialsv1.UnitTransactionKind
	for _, tx := range f.history(t, first.GetId()) {
		kinds = append(kinds, tx.GetKind())
		if tx.GetKind() != serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RECEIVE && tx.GetOrderLineId() != line {
			t.Errorf("%v transaction has order line %q, want %s", tx.GetKind(), tx.GetOrderLineId(), line)
		}
	}
	if want := []serialsv1.UnitTransactionKind{serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RECEIVE, reserve,
		serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_CANCEL_RESERVATION}; !slices.Equal(kinds, want) {
		t.Errorf("history %v, want %v", kinds, want)
	}
	if n := countTypes(f.e.Events.Types(), "serials.unit.transitioned.v1"); n != 2 {
		t.Errorf("%d UnitTransitioned events, want 2 (reserve, release)", n)
	}
	if diff := f.stock(t)[f.a.WH1+"/"+f.item.GetId()+"/on_hand"]; diff != 2 {
		t.Errorf("on hand = %d, want 2", diff)
	}
}

// TestConcurrentReservationsOfTwoLines: two lines approved at once get
// two different units.
func TestConcurrentReservationsOfTwoLines(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	for range 10 {
		f.receive(t, f.item, nextSerial(), f.a.WH1)
		f.receive(t, f.item, nextSerial(), f.a.WH1)
		var wg sync.WaitGroup
		units := make([]*serialsv1.Unit, 2)
		errs := make([]error, 2)
		for i := range units {
			wg.Add(1)
			go func() {
				defer wg.Done()
				units[i], errs[i] = f.e.Units.ReserveUnit(f.billing(), &serialsv1.ReserveUnitRequest{OrderLineId: newID(),
					ItemId: f.item.GetId(), WarehouseId: f.a.WH1})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if units[0].GetId() == units[1].GetId() {
			t.Fatalf("two lines reserved the same unit %s", units[0].GetId())
		}
	}
	if diff := f.stock(t)[f.a.WH1+"/"+f.item.GetId()+"/committed"]; diff != 20 {
		t.Errorf("committed = %d, want 20", diff)
	}
}

// TestListUnitsByPatient: the patient filter lists what the patient holds,
// and a page token of one patient's listing does not page another's.
func TestListUnitsByPatient(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	var held []string
	for range 3 {
		u := f.receive(t, f.item, nextSerial(), f.a.WH1)
		if _, err := f.transition(f.a.Admin, u.GetId(), rent); err != nil {
			t.Fatal(err)
		}
		held = append(held, u.GetId())
	}
	f.receive(t, f.item, nextSerial(), f.a.WH1)
	page, err := f.e.Units.ListUnits(f.a.Admin, &serialsv1.ListUnitsRequest{PatientId: f.a.Patient, PageSize: 2})
	if err != nil || len(page.GetUnits()) != 2 || page.GetNextPageToken() == "" {
		t.Fatalf("page 1 = %v, %v", page, err)
	}
	rest, err := f.e.Units.ListUnits(f.a.Admin, &serialsv1.ListUnitsRequest{PatientId: f.a.Patient, PageSize: 2, PageToken: page.GetNextPageToken()})
	if err != nil || len(rest.GetUnits()) != 1 {
		t.Fatalf("page 2 = %v, %v", rest, err)
	}
	var got []string
	for _, u := range append(page.GetUnits(), rest.GetUnits()...) {
		got = append(got, u.GetId())
		if u.GetCurrentPatientId() != f.a.Patient {
			t.Errorf("unit %s of patient %q listed", u.GetId(), u.GetCurrentPatientId())
		}
	}
	slices.Sort(got)
	slices.Sort(held)
	if !slices.Equal(got, held) {
		t.Errorf("listed %v, want %v", got, held)
	}
	_, err = f.e.Units.ListUnits(f.a.Admin, &serialsv1.ListUnitsRequest{PatientId: newID(), PageSize: 2, PageToken: page.GetNextPageToken()})
	grpcerrtest.WantInvalid(t, err, "pageToken")
	_, err = f.e.Units.ListUnits(f.a.Admin, &serialsv1.ListUnitsRequest{PatientId: "patient-1"})
	grpcerrtest.WantInvalid(t, err, "patientId")
}
