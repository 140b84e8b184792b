package grpcapi_test

import (
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/serials/internal/serialstest"
)

// shipment returns n units of item with serials prefix-00000..., the
// first lot "LOT-A".
func shipment(item *serialsv1.Item, prefix string, n int) []*serialsv1.Unit {
	units := make([]*serialsv1.Unit, n)
	for i := range units {
		units[i] = &serialsv1.Unit{ItemId: item.GetId(), SerialNumber: fmt.Sprintf("%s%06d", prefix, i), Lot: "LOT-A"}
	}
	return units
}

// TestBatchCreateUnits receives 10,000 units with COPY in one transaction:
// with one serial the item already has, the batch is refused whole,
// naming that row, and nothing is written; without it, it commits, and
// the stock counts every unit.
func TestBatchCreateUnits(t *testing.T) {
	f := newFixture(t, serialstest.Options{BulkOperations: true})
	existing := f.receive(t, f.item, "B004711", f.a.WH1)

	units := shipment(f.item, "B", 10000)
	_, err := f.e.Units.BatchCreateUnits(f.a.Warehouse, &serialsv1.BatchCreateUnitsRequest{WarehouseId: f.a.WH1, Units: units})
	grpcerrtest.WantInvalid(t, err, "units[4711].serialNumber")
	if got := f.stock(t)[f.a.WH1+"/"+f.item.GetId()+"/on_hand"]; got != 1 {
		t.Fatalf("after the refused batch on hand is %d, want 1 (only %s)", got, existing.GetSerialNumber())
	}

	units[4711].SerialNumber = "C004711"
	start := time.Now()
	resp, err := f.e.Units.BatchCreateUnits(f.a.Warehouse, &serialsv1.BatchCreateUnitsRequest{WarehouseId: f.a.WH1, Units: units})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetCreatedCount() != 10000 || len(resp.GetUnitIds()) != 10000 {
		t.Fatalf("created %d (%d ids), want 10000", resp.GetCreatedCount(), len(resp.GetUnitIds()))
	}
	t.Logf("10,000 units over gRPC in %v: %.0f units/s (checking, COPY, three set inserts, one commit)", elapsed, 10000/elapsed.Seconds())
	if got := f.stock(t)[f.a.WH1+"/"+f.item.GetId()+"/on_hand"]; got != 10001 {
		t.Errorf("on hand = %d, want 10001", got)
	}
	u, err := f.e.Units.GetUnit(f.a.Warehouse, &serialsv1.GetUnitRequest{Id: resp.GetUnitIds()[9999]})
	if err != nil || u.GetSerialNumber() != "B009999" || u.GetStatus() != serialsv1.UnitStatus_UNIT_STATUS_ON_HAND {
		t.Errorf("the last unit reads %v, %v", u, err)
	}
	history, err := f.e.Units.ListUnitTransactions(f.a.Warehouse, &serialsv1.ListUnitTransactionsRequest{UnitId: u.GetId()})
	if err != nil || len(history.GetTransactions()) != 1 ||
		history.GetTransactions()[0].GetKind() != serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RECEIVE {
		t.Errorf("the last unit's history = %v, %v; want its receipt", history, err)
	}
	if n := len(f.e.Events.Types()); n == 0 || f.e.Events.Types()[n-1] != "serials.unit.batch_received.v1" {
		t.Errorf("events %v, want the batch's last", f.e.Events.Types())
	}
}

// TestBatchRefusals: bad rows are each named, repeats within the batch
// too, and the method is UNIMPLEMENTED without FEATURE_BULK_OPERATIONS.
func TestBatchRefusals(t *testing.T) {
	f := newFixture(t, serialstest.Options{BulkOperations: true})
	units := shipment(f.item, "R", 4)
	units[1].SerialNumber = "bad serial"
	units[2].ItemId = newID()
	units[3].SerialNumber = "R000000"
	_, err := f.e.Units.BatchCreateUnits(f.a.Warehouse, &serialsv1.BatchCreateUnitsRequest{WarehouseId: f.a.WH1, Units: units})
	grpcerrtest.WantInvalid(t, err, "units[1].serialNumber", "units[2].itemId", "units[3].serialNumber")

	_, err = f.e.Units.BatchCreateUnits(f.a.Warehouse, &serialsv1.BatchCreateUnitsRequest{WarehouseId: newID(), Units: shipment(f.item, "R", 1)})
	grpcerrtest.WantInvalid(t, err, "warehouseId")

	off := newFixture(t, serialstest.Options{})
	_, err = off.e.Units.BatchCreateUnits(off.a.Warehouse, &serialsv1.BatchCreateUnitsRequest{WarehouseId: off.a.WH1, Units: shipment(off.item, "R", 1)})
	grpcerrtest.WantCode(t, err, codes.Unimplemented)
}

// TestBatchIsIdempotent: a retried batch returns the first result.
func TestBatchIsIdempotent(t *testing.T) {
	f := newFixture(t, serialstest.Options{BulkOperations: true})
	req := &serialsv1.BatchCreateUnitsRequest{WarehouseId: f.a.WH1, Units: shipment(f.item, "I", 50), RequestId: newID()}
	first, err := f.e.Units.BatchCreateUnits(f.a.Warehouse, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.e.Units.BatchCreateUnits(f.a.Warehouse, req)
	if err != nil || again.GetUnitIds()[49] != first.GetUnitIds()[49] {
		t.Fatalf("retry = %v, %v", again, err)
	}
	if got := f.stock(t)[f.a.WH1+"/"+f.item.GetId()+"/on_hand"]; got != 50 {
		t.Errorf("on hand after a retry = %d, want 50", got)
	}
}
