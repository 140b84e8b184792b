package grpcapi_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/cache"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/platform/redistest"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/serialstest"
)

const (
	rent    = serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RENT
	reserve = serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RESERVE
)

func reasons(r *serialsv1.ValidateSerialResponse) []serialsv1.ValidationReason { return r.GetReasons() }

// TestValidateSerial walks the documented flow, cache → database → rules:
// every reason the service gives, the cache answering repeated lookups,
// and a transition making the next lookup see the new status at once.
func TestValidateSerial(t *testing.T) {
	f := newFixture(t, serialstest.Options{Cache: cache.Config[[]app.SerialMatch]{Redis: redistest.Client(t)}})
	u := f.receive(t, f.item, " sn-2301-abc ", f.a.WH1)
	if u.GetSerialNumber() != "SN-2301-ABC" {
		t.Fatalf("serial stored as %q, want it normalized to SN-2301-ABC", u.GetSerialNumber())
	}
	validate := func(req *serialsv1.ValidateSerialRequest) *serialsv1.ValidateSerialResponse {
		t.Helper()
		resp, err := f.e.Units.ValidateSerial(f.a.Warehouse, req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	ok := validate(&serialsv1.ValidateSerialRequest{SerialNumber: "SN-2301-abc", ItemId: f.item.GetId(), Operation: rent, WarehouseId: f.a.WH1})
	if !ok.GetValid() || ok.GetUnitId() != u.GetId() || len(ok.GetReasons()) != 0 {
		t.Fatalf("a rentable unit validates as %v", ok)
	}
	byHCPCS := validate(&serialsv1.ValidateSerialRequest{SerialNumber: "SN-2301-ABC", Hcpcs: "e0601", Operation: rent})
	if !byHCPCS.GetValid() {
		t.Errorf("by HCPCS: %v", byHCPCS)
	}
	for name, tc := range map[string]struct {
		req  *serialsv1.ValidateSerialRequest
		want []serialsv1.ValidationReason
	}{
		"unknown": {&serialsv1.ValidateSerialRequest{SerialNumber: "NOPE", Operation: rent},
			[]serialsv1.ValidationReason{serialsv1.ValidationReason_VALIDATION_REASON_UNKNOWN_SERIAL}},
		"other HCPCS": {&serialsv1.ValidateSerialRequest{SerialNumber: "SN-2301-ABC", Hcpcs: "E0431", Operation: rent},
			[]serialsv1.ValidationReason{serialsv1.ValidationReason_VALIDATION_REASON_UNKNOWN_SERIAL}},
		"wrong item and warehouse": {&serialsv1.ValidateSerialRequest{SerialNumber: "SN-2301-ABC", ItemId: f.tank.GetId(),
			WarehouseId: f.a.WH2, Operation: rent},
			[]serialsv1.ValidationReason{serialsv1.ValidationReason_VALIDATION_REASON_WRONG_ITEM, serialsv1.ValidationReason_VALIDATION_REASON_WRONG_WAREHOUSE}},
		"status": {&serialsv1.ValidateSerialRequest{SerialNumber: "SN-2301-ABC", Operation: serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RETURN},
			[]serialsv1.ValidationReason{serialsv1.ValidationReason_VALIDATION_REASON_STATUS_DOES_NOT_ALLOW}},
	} {
		if got := reasons(validate(tc.req)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: reasons %v, want %v", name, got, tc.want)
		}
	}

	// Rent it: the next lookup must see it rented, not the cached on hand.
	if _, err := f.transition(f.a.Admin, u.GetId(), rent); err != nil {
		t.Fatal(err)
	}
	after := validate(&serialsv1.ValidateSerialRequest{SerialNumber: "SN-2301-ABC", Operation: rent})
	if after.GetValid() || after.GetStatus() != serialsv1.UnitStatus_UNIT_STATUS_RENTED {
		t.Errorf("after the rent the serial validates as %v", after)
	}

	stats := f.e.Cache.Stats()
	if stats.LocalHits == 0 || stats.Misses == 0 {
		t.Errorf("cache stats %+v: repeated lookups were not answered by the cache", stats)
	}
	t.Logf("cache after %d lookups: %+v, hit ratio %.2f", stats.LocalHits+stats.RemoteHits+stats.Misses, stats, f.e.Cache.HitRatio())

	_, err := f.e.Units.ValidateSerial(f.a.Warehouse, &serialsv1.ValidateSerialRequest{SerialNumber: "bad serial!", Operation: rent})
	grpcerrtest.WantInvalid(t, err, "serialNumber")
	_, err = f.e.Units.ValidateSerial(f.a.Warehouse, &serialsv1.ValidateSerialRequest{SerialNumber: "SN1"})
	grpcerrtest.WantInvalid(t, err, "operation")

	// Another tenant knows nothing of the serial.
	b := f.e.NewTenant()
	other, err := f.e.Units.ValidateSerial(b.Warehouse, &serialsv1.ValidateSerialRequest{SerialNumber: "SN-2301-ABC", Operation: rent})
	if err != nil || !slices.Equal(other.GetReasons(), []serialsv1.ValidationReason{serialsv1.ValidationReason_VALIDATION_REASON_UNKNOWN_SERIAL}) || other.GetUnitId() != "" {
		t.Errorf("another company's lookup = %v, %v; want UNKNOWN_SERIAL and no unit", other, err)
	}
}

// TestValidateSerialRulesOnDates: maintenance past due refuses a rent,
// a lot past its expiry refuses it too, and a recall refuses rent and sell.
func TestValidateSerialRulesOnDates(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	past := time.Now().AddDate(0, 0, -3)
	d := func(tm time.Time) *datePB { return dateOf(tm) }
	u, err := f.e.Units.ReceiveUnit(f.a.Warehouse, &serialsv1.ReceiveUnitRequest{Unit: &serialsv1.Unit{
		ItemId: f.item.GetId(), SerialNumber: "OLD1", WarehouseId: f.a.WH1, Lot: "L-OLD",
		LotExpiry: d(past), NextMaintenanceDue: d(past)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Recalls.RecallUnits(f.a.Warehouse, &serialsv1.RecallUnitsRequest{
		Scope: &serialsv1.RecallScope{Lot: "L-OLD"}, Recalled: true}); err != nil {
		t.Fatal(err)
	}
	resp, err := f.e.Units.ValidateSerial(f.a.Warehouse, &serialsv1.ValidateSerialRequest{SerialNumber: "OLD1", Operation: rent})
	if err != nil {
		t.Fatal(err)
	}
	want := []serialsv1.ValidationReason{serialsv1.ValidationReason_VALIDATION_REASON_RECALLED,
		serialsv1.ValidationReason_VALIDATION_REASON_MAINTENANCE_OVERDUE, serialsv1.ValidationReason_VALIDATION_REASON_LOT_EXPIRED}
	if !slices.Equal(resp.GetReasons(), want) {
		t.Errorf("reasons %v, want %v", resp.GetReasons(), want)
	}
	_, err = f.transition(f.a.Admin, u.GetId(), rent)
	grpcerrtest.WantReason(t, err, codes.FailedPrecondition, "UNIT_RECALLED")
}

// TestCacheFollowsEvents: a replica that did not make a change drops its
// cached lookup when the change's event reaches it, and not before.
func TestCacheFollowsEvents(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	u := f.receive(t, f.item, "EV1", f.a.WH1)
	lookup := func() *serialsv1.ValidateSerialResponse {
		resp, err := f.e.Units.ValidateSerial(f.a.Warehouse, &serialsv1.ValidateSerialRequest{SerialNumber: "EV1", Operation: reserve})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	lookup()
	// Another replica reserves the unit: straight in the database, so this
	// replica's cache still holds on hand.
	if _, err := f.e.DB.Super.Exec(t.Context(), `update units set status = 'reserved' where id = $1`, u.GetId()); err != nil {
		t.Fatal(err)
	}
	if got := lookup().GetStatus(); got != serialsv1.UnitStatus_UNIT_STATUS_ON_HAND {
		t.Fatalf("before the event the cache answered %v; want the cached on hand (the test would prove nothing)", got)
	}
	payload, err := protoMarshal(&serialsv1.UnitTransitioned{CompanyId: f.a.CompanyID, UnitId: u.GetId(), SerialNumber: "EV1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.e.App.Units.Forget(t.Context(), []bus.Delivery{{Message: bus.Message{ID: uuid.NewString(),
		Type: app.EventUnitTransitioned, CompanyID: f.a.CompanyID, Payload: payload}}}); err != nil {
		t.Fatal(err)
	}
	if got := lookup().GetStatus(); got != serialsv1.UnitStatus_UNIT_STATUS_RESERVED {
		t.Errorf("after the event the lookup answered %v, want reserved", got)
	}
}
