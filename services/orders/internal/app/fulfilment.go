package app

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/bus"
)

// FulfilmentConsumer names the consumer of serials' answers to the units
// orders asked it to move: its durable queue and its rows in the inbox.
const FulfilmentConsumer = "orders.fulfilment"

// EventUnitFulfillmentRefused is serials' refusal to move a unit an order
// event asked it to move.
const EventUnitFulfillmentRefused = "serials.unit.fulfillment_refused.v1"

// FulfilmentSubscription receives serials' refusals, in small batches,
// each applied once (the inbox).
var FulfilmentSubscription = bus.Subscription{Queue: FulfilmentConsumer, Bindings: []string{EventUnitFulfillmentRefused},
	Prefetch: 32, MaxBatch: 16, DeliveryLimit: 5}

// ConsumeFulfilment applies one delivered event in the inbox's unit of
// work, whose tenant is the event's: a refusal flags the order line. An
// undecodable payload is an error, which the bus retries and then
// dead-letters; any other event type is ignored.
func (h Orders) ConsumeFulfilment(ctx context.Context, d bus.Delivery) error {
	if d.Type != EventUnitFulfillmentRefused {
		return nil
	}
	var e serialsv1.UnitFulfillmentRefused
	if err := proto.Unmarshal(d.Payload, &e); err != nil {
		return fmt.Errorf("orders: %s %s: %w", d.Type, d.ID, err)
	}
	return h.Flag(ctx, FlagLine{OrderID: e.GetOrderId(), LineID: e.GetOrderLineId(), UnitID: e.GetUnitId(),
		Problem: e.GetReason(), Actor: e.GetActorId()})
}
