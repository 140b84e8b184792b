package app

import (
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// orderEvent is an event about order o.
func orderEvent(typ string, o *domain.Order, payload proto.Message) usecase.Event {
	return usecase.Event{Type: typ, CompanyID: o.CompanyID, ResourceID: o.ID, Payload: payload}
}

// orderChanged is OrderChanged of type typ: o moved from before.
func orderChanged(typ string, caller identity.Principal, o *domain.Order, before domain.OrderStatus) usecase.Event {
	return orderEvent(typ, o, &ordersv1.OrderChanged{
		CompanyId: o.CompanyID, OrderId: o.ID, ActorId: caller.Subject, OccurTime: timestamp(o.UpdateTime),
		PatientId: o.PatientID, BranchId: o.BranchID, FromStatus: OrderStatusProto(before), Status: OrderStatusProto(o.Status),
		Version: o.Version, OverriddenGaps: o.OverriddenGaps, OverrideReason: o.OverrideReason,
		Lines: lineUnits(o, nil, nil),
	})
}

// lineUnits lists o's lines (those named in only, or all when only is
// nil) with their units; reserved holds, per line, the unit it held
// before a delivery handed over another.
func lineUnits(o *domain.Order, only map[string]bool, reserved map[string]string) []*ordersv1.OrderLineUnit {
	var out []*ordersv1.OrderLineUnit
	for _, l := range o.Lines {
		if only != nil && !only[l.ID] {
			continue
		}
		out = append(out, &ordersv1.OrderLineUnit{LineId: l.ID, ItemId: l.ItemID, Type: LineTypeProto(l.Type),
			UnitId: l.UnitID, SerialNumber: l.SerialNumber, ReservedUnitId: reserved[l.ID]})
	}
	return out
}

// timestamp is t as a proto Timestamp.
func timestamp(t time.Time) *timestamppb.Timestamp { return timestamppb.New(t) }

// orderStatuses maps the domain's statuses to the API's.
var orderStatuses = map[domain.OrderStatus]ordersv1.OrderStatus{
	domain.StatusDraft:     ordersv1.OrderStatus_ORDER_STATUS_DRAFT,
	domain.StatusSubmitted: ordersv1.OrderStatus_ORDER_STATUS_SUBMITTED,
	domain.StatusApproved:  ordersv1.OrderStatus_ORDER_STATUS_APPROVED,
	domain.StatusDelivered: ordersv1.OrderStatus_ORDER_STATUS_DELIVERED,
	domain.StatusClosed:    ordersv1.OrderStatus_ORDER_STATUS_CLOSED,
	domain.StatusCancelled: ordersv1.OrderStatus_ORDER_STATUS_CANCELLED,
}

// OrderStatusProto is s in the API; "" is unspecified.
func OrderStatusProto(s domain.OrderStatus) ordersv1.OrderStatus { return orderStatuses[s] }

// OrderStatusOf is the domain's status of s; unspecified is "".
func OrderStatusOf(s ordersv1.OrderStatus) domain.OrderStatus { return orderStatusesOf[s] }

var orderStatusesOf = protoconv.Invert(orderStatuses)

// lineTypes maps the domain's line types to the API's.
var lineTypes = map[domain.LineType]ordersv1.LineType{
	domain.LineOneTimeSale:    ordersv1.LineType_LINE_TYPE_ONE_TIME_SALE,
	domain.LineRecurringSale:  ordersv1.LineType_LINE_TYPE_RECURRING_SALE,
	domain.LineMonthlyRental:  ordersv1.LineType_LINE_TYPE_MONTHLY_RENTAL,
	domain.LineCappedRental:   ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL,
	domain.LineRentToPurchase: ordersv1.LineType_LINE_TYPE_RENT_TO_PURCHASE,
	domain.LineOxygenRental:   ordersv1.LineType_LINE_TYPE_OXYGEN_RENTAL,
}

// LineTypeProto is t in the API.
func LineTypeProto(t domain.LineType) ordersv1.LineType { return lineTypes[t] }

// LineTypeOf is the domain's line type of t; unspecified is "".
func LineTypeOf(t ordersv1.LineType) domain.LineType { return lineTypesOf[t] }

var lineTypesOf = protoconv.Invert(lineTypes)

// pickupReasons maps the domain's pickup reasons to the API's.
var pickupReasons = map[domain.PickupReason]ordersv1.PickupReason{
	domain.PickupEndOfNeed:        ordersv1.PickupReason_PICKUP_REASON_END_OF_NEED,
	domain.PickupDeath:            ordersv1.PickupReason_PICKUP_REASON_DEATH,
	domain.PickupHospice:          ordersv1.PickupReason_PICKUP_REASON_HOSPICE,
	domain.PickupSwitchedSupplier: ordersv1.PickupReason_PICKUP_REASON_SWITCHED_SUPPLIER,
	domain.PickupUnpaid:           ordersv1.PickupReason_PICKUP_REASON_UNPAID,
	domain.PickupExchange:         ordersv1.PickupReason_PICKUP_REASON_EXCHANGE,
	domain.PickupOther:            ordersv1.PickupReason_PICKUP_REASON_OTHER,
}

// PickupReasonProto is r in the API.
func PickupReasonProto(r domain.PickupReason) ordersv1.PickupReason { return pickupReasons[r] }

// PickupReasonOf is the domain's pickup reason of r; unspecified is "".
func PickupReasonOf(r ordersv1.PickupReason) domain.PickupReason { return pickupReasonsOf[r] }

var pickupReasonsOf = protoconv.Invert(pickupReasons)
