package grpcapi_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/proto"

	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/services/serials/internal/serialstest"
)

// fixture is a booted service, a tenant and an item of it.
type fixture struct {
	e    *serialstest.Env
	a    serialstest.Tenant
	item *serialsv1.Item
	tank *serialsv1.Item
}

func newFixture(t *testing.T, opts serialstest.Options) *fixture {
	t.Helper()
	e := serialstest.New(t, opts)
	a := e.NewTenant()
	f := &fixture{e: e, a: a}
	f.item = f.createItem(t, &serialsv1.Item{Code: "E0601-AS11", Name: "AirSense 11 CPAP", Hcpcs: "E0601",
		Manufacturer: "ResMed", Model: "AirSense 11", Serialized: true, ReorderPoint: 1,
		Cost: &commonv1.Money{AmountCents: 65000, CurrencyCode: "USD"}})
	f.tank = f.createItem(t, &serialsv1.Item{Code: "E0431-M6", Name: "M6 oxygen cylinder", Hcpcs: "E0431",
		Manufacturer: "Catalina", Model: "M6", Serialized: true, O2Tank: true})
	return f
}

func (f *fixture) createItem(t *testing.T, it *serialsv1.Item) *serialsv1.Item {
	t.Helper()
	got, err := f.e.Items.CreateItem(f.a.Warehouse, &serialsv1.CreateItemRequest{Item: it})
	if err != nil {
		t.Fatalf("create item %s: %v", it.GetCode(), err)
	}
	return got
}

// receive receives a unit of item into warehouse.
func (f *fixture) receive(t *testing.T, item *serialsv1.Item, serial, warehouse string) *serialsv1.Unit {
	t.Helper()
	u, err := f.e.Units.ReceiveUnit(f.a.Warehouse, &serialsv1.ReceiveUnitRequest{Unit: &serialsv1.Unit{
		ItemId: item.GetId(), SerialNumber: serial, WarehouseId: warehouse, Lot: "LOT-1"}})
	if err != nil {
		t.Fatalf("receive %s: %v", serial, err)
	}
	return u
}

var serialSeq int

func nextSerial() string {
	serialSeq++
	return fmt.Sprintf("SN%08d", serialSeq)
}

// transition applies kind to unit as the admin, with the patient and
// destination every move may need.
func (f *fixture) transition(ctx context.Context, unitID string, kind serialsv1.UnitTransactionKind) (*serialsv1.Unit, error) {
	req := &serialsv1.TransitionUnitRequest{Id: unitID, Kind: kind}
	switch kind {
	case serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RENT, serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_SELL:
		req.PatientId = f.a.Patient
	case serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_TRANSFER_OUT:
		req.WarehouseId = f.a.WH2
	}
	return f.e.Units.TransitionUnit(ctx, req)
}

// stock reads every stock level of the tenant as "warehouse/item/bucket"
// → count, leaving zeros out.
func (f *fixture) stock(t *testing.T) map[string]int32 {
	t.Helper()
	resp, err := f.e.Stock.ListStock(f.a.Warehouse, &serialsv1.ListStockRequest{PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int32{}
	for _, l := range resp.GetLevels() {
		for name, n := range map[string]int32{"on_hand": l.GetOnHand(), "committed": l.GetCommitted(), "rented": l.GetRented(),
			"sold": l.GetSold(), "unavailable": l.GetUnavailable()} {
			if n != 0 {
				out[l.GetWarehouseId()+"/"+l.GetItemId()+"/"+name] = n
			}
		}
	}
	return out
}

func newID() string { return uuid.NewString() }

type datePB = date.Date

func dateOf(t time.Time) *date.Date {
	return &date.Date{Year: int32(t.Year()), Month: int32(t.Month()), Day: int32(t.Day())}
}

func protoMarshal(m proto.Message) ([]byte, error) { return proto.Marshal(m) }
