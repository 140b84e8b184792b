package grpcapi_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/services/serials/internal/serialstest"
)

// BenchmarkValidateSerial is one service's share of a serial validation:
// the whole interceptor chain and the rules, 16 calls in flight on a
// loopback connection, with audit records kept in memory. warm asks for
// one serial again and again (the in-process cache answers); cold asks
// for a serial no unit has each time (the cache keeps no miss, so each is
// a tenant transaction and an index probe).
func BenchmarkValidateSerial(b *testing.B) {
	e := serialstest.New(b, serialstest.Options{})
	a := e.NewTenant()
	item, err := e.Items.CreateItem(a.Warehouse, &serialsv1.CreateItemRequest{Item: &serialsv1.Item{Code: "E0601", Name: "CPAP", Serialized: true}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.Units.ReceiveUnit(a.Warehouse, &serialsv1.ReceiveUnitRequest{Unit: &serialsv1.Unit{
		ItemId: item.GetId(), SerialNumber: "WARM-1", WarehouseId: a.WH1}}); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	for _, tc := range []struct {
		name   string
		serial func() string
	}{
		{"warm", func() string { return "WARM-1" }},
		{"cold", func() string { return fmt.Sprintf("COLD-%d", n.Add(1)) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := e.Units.ValidateSerial(a.Warehouse, &serialsv1.ValidateSerialRequest{SerialNumber: tc.serial(),
						Operation: serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RENT}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
