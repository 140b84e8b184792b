package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/serialstest"
)

// outcome is one delivery the consumer settled, and how.
type outcome struct {
	id  string
	err error
}

// TestOrderEventsThroughTheBroker runs the orders consumer on RabbitMQ as
// the service does (its subscription, the inbox around ApplyOrderEvent):
// a delivery published twice rents the unit once; a payload that does
// not decode is tried DeliveryLimit times, then dead-lettered, and the
// consumer goes on with the next event.
func TestOrderEventsThroughTheBroker(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := serialstest.NewBroker(t)
	sub := app.OrdersSubscription
	sub.Queue, sub.DeliveryLimit = b.Queue(t), 2
	settled := make(chan outcome, 64)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	consumed := make(chan error, 1)
	go func() {
		consumed <- b.Consume(ctx, sub, func(ctx context.Context, batch []bus.Delivery) error {
			err := w.handle(ctx, batch)
			for _, d := range batch {
				settled <- outcome{d.ID, err}
			}
			return err
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-consumed; err != nil {
			t.Errorf("consume: %v", err)
		}
	})
	publish := func(d bus.Delivery) {
		t.Helper()
		// Until the consumer has declared its queue, nothing is bound to
		// the exchange and the broker returns the message unroutable.
		for {
			err := b.Publish(ctx, []bus.Message{d.Message})[0]
			if err == nil {
				return
			}
			if !errors.Is(err, bus.ErrUnroutable) || ctx.Err() != nil {
				t.Fatalf("publish %s: %v", d.Type, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// waitSettled waits until the consumer has settled id n times and
	// returns how each went.
	waitSettled := func(id string, n int) []error {
		t.Helper()
		var errs []error
		for len(errs) < n {
			select {
			case o := <-settled:
				if o.id == id {
					errs = append(errs, o.err)
				}
			case <-ctx.Done():
				t.Fatalf("event %s settled %d times of %d", id, len(errs), n)
			}
		}
		return errs
	}

	u := w.receive(t)
	line := uuid.NewString()
	delivered := w.delivered(t, &ordersv1.OrderLineUnit{LineId: line, Type: monthlyRental, UnitId: u.GetId()})
	publish(delivered)
	publish(delivered)
	if errs := waitSettled(delivered.ID, 2); errs[0] != nil || errs[1] != nil {
		t.Fatalf("delivery settled with %v", errs)
	}
	if diff := cmp.Diff([]serialsv1.UnitTransactionKind{kindReceive, kindRent}, kinds(w.history(t, u.GetId()))); diff != "" {
		t.Errorf("history after the delivery published twice (-want +got):\n%s", diff)
	}

	poison := w.event(t, app.EventOrderPickedUp, &ordersv1.OrderPickedUp{CompanyId: w.a.CompanyID})
	poison.Payload = []byte{0xff, 0xff, 0xff}
	publish(poison)
	for _, err := range waitSettled(poison.ID, sub.DeliveryLimit) {
		if err == nil {
			t.Fatal("an undecodable payload was applied")
		}
	}
	b.DeadLetter(t, ctx, sub.Queue, poison.ID)

	pickup := w.event(t, app.EventOrderPickedUp, &ordersv1.OrderPickedUp{CompanyId: w.a.CompanyID, OrderId: uuid.NewString(),
		PatientId: w.a.Patient, Reason: ordersv1.PickupReason_PICKUP_REASON_HOSPICE,
		Lines: []*ordersv1.OrderLineUnit{{LineId: line, UnitId: u.GetId()}}})
	publish(pickup)
	if errs := waitSettled(pickup.ID, 1); errs[0] != nil {
		t.Fatalf("pickup settled with %v", errs[0])
	}
	if got := w.unit(t, u.GetId()); got.GetStatus() != serialsv1.UnitStatus_UNIT_STATUS_MAINTENANCE {
		t.Errorf("unit after the pickup: %v, want in maintenance", got.GetStatus())
	}
}
