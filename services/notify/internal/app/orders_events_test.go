package app_test

import (
	"context"
	"errors"
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
	"github.com/ariesone/ariesone/platform/inbox"
	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// ordersEvent is an event orders published for company.
func ordersEvent(t *testing.T, typ, company string, payload proto.Message, at time.Time) bus.Delivery {
	t.Helper()
	d := eventOf(t, typ, company, payload, at)
	d.Source = "orders"
	return d
}

const flaggedTitle = "Order line flagged: its unit could not be moved"

// TestOrderLineFlaggedNotifiesTheBranchWarehouse: with no rule of its own,
// a tenant's warehouse staff at the order's branch, and those limited to
// no location, are told of a flagged line; staff of other branches, other
// roles, deactivated users and other tenants are not. Other orders events
// notify nobody by themselves.
func TestOrderLineFlaggedNotifiesTheBranchWarehouse(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := seedTenant(t, w)
	other := seedTenant(t, w)
	orderID := newUUID(t)
	flagged := ordersEvent(t, domain.EventOrderLineFlagged, s.id, &ordersv1.OrderLineFlagged{
		CompanyId: s.id, OrderId: orderID, ActorId: "serials", BranchId: s.atl,
		LineId: newUUID(t), UnitId: newUUID(t), Problem: "UNIT_RECALLED",
	}, t0.Add(time.Minute))
	created := ordersEvent(t, "orders.order.created.v1", s.id, &ordersv1.OrderChanged{
		CompanyId: s.id, OrderId: orderID, BranchId: s.atl, Status: ordersv1.OrderStatus_ORDER_STATUS_DRAFT, Version: 1,
	}, t0.Add(30*time.Second))
	w.mustApply(t, created, flagged, flagged) // the redelivery notifies nobody twice

	want := map[string][]string{
		"wh-atl":  {flaggedTitle + " " + orderID},
		"moved":   {flaggedTitle + " " + orderID}, // moved to Atlanta
		"wh-all":  {flaggedTitle + " " + orderID}, // limited to no location
		"wh-bos":  nil,
		"wh-gone": nil,
		"boss":    nil, // billing
	}
	for user, want := range want {
		got, unread := w.inbox(t, s.userCtx(user))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("inbox of %s (-want +got):\n%s", user, diff)
		}
		if unread != int64(len(want)) {
			t.Errorf("unread of %s = %d, want %d", user, unread, len(want))
		}
	}
	for user := range other.users {
		if got, _ := w.inbox(t, other.userCtx(user)); len(got) != 0 {
			t.Errorf("the other tenant's %s got %q", user, got)
		}
	}
	if n := w.count(t, `select count(*) from notifications where company_id = $1 and rule_id = $2 and event_id = $3`,
		s.id, domain.OrderLineFlaggedRuleID, flagged.ID); n != 3 {
		t.Errorf("%d notifications of the built-in rule, want 3", n)
	}
}

// TestTenantRulesLocateOrdersEventsByBranch: an orders event names its
// location as branch_id, and a tenant's rule for the users at the event's
// location reads it. A tenant rule for flagged lines notifies under its
// own id beside the built-in rule.
func TestTenantRulesLocateOrdersEventsByBranch(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := seedTenant(t, w)
	w.createRule(t, s.adminCtx, domain.NotificationRuleValues{EventType: "orders.order.*", Title: "Order news", RecipientRole: "warehouse", AtEventLocation: true})
	orderID := newUUID(t)
	w.mustApply(t,
		ordersEvent(t, "orders.order.approved.v1", s.id, &ordersv1.OrderChanged{
			CompanyId: s.id, OrderId: orderID, BranchId: s.bos, Status: ordersv1.OrderStatus_ORDER_STATUS_APPROVED, Version: 3,
		}, t0.Add(time.Minute)),
		ordersEvent(t, domain.EventOrderLineFlagged, s.id, &ordersv1.OrderLineFlagged{
			CompanyId: s.id, OrderId: orderID, BranchId: s.bos, LineId: newUUID(t), UnitId: newUUID(t), Problem: "UNIT_LOST",
		}, t0.Add(2*time.Minute)),
	)
	want := map[string][]string{
		"wh-bos": {"Order news " + orderID, flaggedTitle + " " + orderID, "Order news " + orderID},
		"wh-all": {"Order news " + orderID, flaggedTitle + " " + orderID, "Order news " + orderID},
		"wh-atl": nil,
		"moved":  nil, // Boston no more
	}
	for user, want := range want {
		got, _ := w.inbox(t, s.userCtx(user))
		slices.Sort(got)
		slices.Sort(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("inbox of %s (-want +got):\n%s", user, diff)
		}
	}
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
		ordersEvent(t, domain.EventOrderLineFlagged, company, &ordersv1.OrderLineFlagged{CompanyId: company, OrderId: orderID, LineId: line[0].LineId, Problem: "UNIT_RECALLED"}, at(8)),
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
		p, err := w.app.Events.List(as(company, "u", roles...), app.ListEvents{PageSize: 100, Types: []string{"orders.*"}})
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, e := range p.Items {
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

	trail, err := w.app.AuditRecords.List(as(company, "auditor-1", "auditor"), app.ListAuditRecords{})
	if err != nil {
		t.Fatal(err)
	}
	if len(trail.Items) != 1 || trail.Items[0].Method != "/ariesone.orders.v1.OrderService/ApproveOrder" || trail.Items[0].Service != "orders" {
		t.Fatalf("audit trail = %+v", trail.Items)
	}
	if v := w.verify(t, company); !v.Valid || v.Checked != 1 {
		t.Errorf("chain = %+v", v)
	}
}

// TestOrdersEventsReachTheConsumer: the consumer's subscription binds
// orders' routing keys, so a flagged line published on the bus (the
// in-process one routes with the broker's binding patterns) reaches the
// inbox and becomes the branch's notifications.
func TestOrdersEventsReachTheConsumer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := seedTenant(t, w)
	b := bus.NewMemory(bus.MemoryConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	consumed := make(chan error, 1)
	go func() {
		consumed <- b.Consume(ctx, app.EventsSubscription, inbox.Handler(w.db.App, app.EventsConsumer, w.consumer.Consume))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-consumed; err != nil && ctx.Err() == nil {
			t.Errorf("consume: %v", err)
		}
	})
	flagged := ordersEvent(t, domain.EventOrderLineFlagged, s.id, &ordersv1.OrderLineFlagged{
		CompanyId: s.id, OrderId: newUUID(t), BranchId: s.atl, LineId: newUUID(t), UnitId: newUUID(t), Problem: "UNIT_RECALLED",
	}, t0.Add(time.Minute))
	// The queue exists once the consumer has declared it; until then the
	// message is unroutable.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := b.Publish(ctx, []bus.Message{flagged.Message})[0]
		if err == nil {
			break
		}
		if !errors.Is(err, bus.ErrUnroutable) || time.Now().After(deadline) {
			t.Fatalf("publish: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for w.count(t, `select count(*) from notifications where event_id = $1`, flagged.ID) != 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d notifications for the published event after 10s, want 3",
				w.count(t, `select count(*) from notifications where event_id = $1`, flagged.ID))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
