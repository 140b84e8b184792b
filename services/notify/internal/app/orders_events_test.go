package app_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	auditv1 "github.com/ariesone/ariesone/gen/go/ariesone/audit/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/services/notify/internal/app"
)

// ordersEvent is an event orders published for company.
func ordersEvent(t *testing.T, typ, company string, payload proto.Message, at time.Time) bus.Delivery {
	t.Helper()
	d := eventOf(t, typ, company, payload, at)
	d.Source = "orders"
	return d
}

// TestOrdersEventsAreLoggedAndAudited: every orders event is decoded as
// its declared type, logged, listed to the roles its proto lets see it and
// scheduled for webhooks; orders' audited calls join the tenant's
// hash-chained trail.
func TestOrdersEventsAreLoggedAndAudited(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	company, patient, orderID := newUUID(t), newUUID(t), newUUID(t)
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	line := []*ordersv1.OrderLineUnit{{LineId: newUUID(t), ItemId: newUUID(t), UnitId: newUUID(t), SerialNumber: "SN-1"}}
	events := []bus.Delivery{
		ordersEvent(t, "orders.price_list.created.v1", company, &ordersv1.PriceListCreated{CompanyId: company, PriceListId: newUUID(t)}, at(1)),
		ordersEvent(t, "orders.price.changed.v1", company, &ordersv1.PriceChanged{CompanyId: company, PriceId: newUUID(t), Hcpcs: "E0601"}, at(2)),
		ordersEvent(t, "orders.order.created.v1", company, &ordersv1.OrderChanged{CompanyId: company, OrderId: orderID, PatientId: patient, Lines: line}, at(3)),
		ordersEvent(t, "orders.order.submitted.v1", company, &ordersv1.OrderChanged{CompanyId: company, OrderId: orderID, PatientId: patient}, at(4)),
		ordersEvent(t, "orders.order.approved.v1", company, &ordersv1.OrderChanged{CompanyId: company, OrderId: orderID, PatientId: patient}, at(5)),
		ordersEvent(t, "orders.order.delivered.v1", company, &ordersv1.OrderDelivered{CompanyId: company, OrderId: orderID, PatientId: patient, DeliveryId: newUUID(t), Lines: line}, at(6)),
		ordersEvent(t, "orders.order.picked_up.v1", company, &ordersv1.OrderPickedUp{CompanyId: company, OrderId: orderID, PatientId: patient, PickupId: newUUID(t), Lines: line}, at(7)),
		ordersEvent(t, "orders.order.line_flagged.v1", company, &ordersv1.OrderLineFlagged{CompanyId: company, OrderId: orderID, LineId: line[0].LineId, Problem: "UNIT_RECALLED"}, at(8)),
		ordersEvent(t, "orders.order.closed.v1", company, &ordersv1.OrderChanged{CompanyId: company, OrderId: orderID, PatientId: patient}, at(9)),
		ordersEvent(t, "orders.order.cancelled.v1", company, &ordersv1.OrderChanged{CompanyId: company, OrderId: newUUID(t), PatientId: patient}, at(10)),
	}
	call := ordersEvent(t, "orders.audit.recorded.v1", company, &auditv1.AuditRecorded{
		RequestId: newUUID(t), ActorId: "user-1", ActorKind: "user", CompanyId: company,
		Method: "/ariesone.orders.v1.OrderService/ApproveOrder", Resources: map[string]string{"id": orderID},
		Code: "OK", CallTime: timestamppb.New(at(5)), Duration: durationpb.New(time.Millisecond), Service: "orders",
	}, at(5))
	w.mustApply(t, append(events, call)...)

	listed := func(roles ...string) []string {
		t.Helper()
		p, err := w.app.Queries.ListEvents.Handle(as(company, "u", roles...), app.ListEvents{PageSize: 100, Types: []string{"orders.*"}})
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, e := range p.Events {
			types = append(types, e.Type)
		}
		slices.Sort(types)
		return types
	}
	var all, orders []string
	for _, d := range events {
		all = append(all, d.Type)
		if !strings.HasPrefix(d.Type, "orders.price") {
			orders = append(orders, d.Type)
		}
	}
	slices.Sort(all)
	slices.Sort(orders)
	if diff := cmp.Diff(all, listed("admin")); diff != "" {
		t.Errorf("orders events listed to an admin (-want +got):\n%s", diff)
	}
	// Warehouse staff read orders, not price lists.
	if diff := cmp.Diff(orders, listed("warehouse")); diff != "" {
		t.Errorf("orders events listed to warehouse staff (-want +got):\n%s", diff)
	}
	if n := w.count(t, `select count(*) from events where company_id = $1 and source = 'orders'`, company); n != len(events) {
		t.Errorf("%d orders events logged, want %d", n, len(events))
	}
	webhooked := w.webhooks.ids()
	for _, d := range events {
		if !slices.Contains(webhooked, d.ID) {
			t.Errorf("%s was not scheduled for webhooks", d.Type)
		}
	}

	trail, err := w.app.Queries.ListAuditRecords.Handle(as(company, "auditor-1", "auditor"), app.ListAuditRecords{})
	if err != nil {
		t.Fatal(err)
	}
	if len(trail.Records) != 1 || trail.Records[0].Method != "/ariesone.orders.v1.OrderService/ApproveOrder" || trail.Records[0].Service != "orders" {
		t.Fatalf("audit trail = %+v", trail.Records)
	}
	if v := w.verify(t, company); !v.Valid || v.Checked != 1 {
		t.Errorf("chain = %+v", v)
	}
}
