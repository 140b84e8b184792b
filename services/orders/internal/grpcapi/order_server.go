package grpcapi

import (
	"context"
	"slices"
	"strings"

	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// orderMask resolves UpdateOrder's update_mask.
var orderMask = protoconv.UpdateMask{
	Resource: (&ordersv1.Order{}).ProtoReflect().Descriptor(),
	Writable: protoconv.FieldNames(domain.OrderFields),
}

// GetOrder returns one order; the audit record names its patient.
func (s *OrderServer) GetOrder(ctx context.Context, req *ordersv1.GetOrderRequest) (*ordersv1.Order, error) {
	o, err := s.app.Orders.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	audit.NoteResource(ctx, "patient_ids", o.PatientID)
	return orderToProto(o), nil
}

// ListOrders returns one page of orders; the audit record names every
// order and patient it disclosed.
func (s *OrderServer) ListOrders(ctx context.Context, req *ordersv1.ListOrdersRequest) (*ordersv1.ListOrdersResponse, error) {
	page, err := s.app.Orders.List(ctx, app.ListOrders{
		PageSize: req.GetPageSize(), PageToken: req.GetPageToken(), PatientID: req.GetPatientId(),
		BranchID: req.GetBranchId(), Status: app.OrderStatusOf(req.GetStatus()),
		From: protoconv.Date(req.GetOrderDateFrom()), To: protoconv.Date(req.GetOrderDateTo()),
	})
	if err != nil {
		return nil, err
	}
	resp := &ordersv1.ListOrdersResponse{Orders: make([]*ordersv1.Order, len(page.Items)), NextPageToken: page.NextPageToken}
	ids := make([]string, len(page.Items))
	var patients []string
	for i, o := range page.Items {
		resp.Orders[i], ids[i] = orderToProto(o), o.ID
		if !slices.Contains(patients, o.PatientID) {
			patients = append(patients, o.PatientID)
		}
	}
	audit.NoteResource(ctx, "order_ids", strings.Join(ids, ","))
	audit.NoteResource(ctx, "patient_ids", strings.Join(patients, ","))
	return resp, nil
}

// CreateOrder drafts an order; output-only fields are ignored.
func (s *OrderServer) CreateOrder(ctx context.Context, req *ordersv1.CreateOrderRequest) (*ordersv1.Order, error) {
	return orderReply(s.app.Orders.Create(ctx, app.CreateOrder{Values: orderValues(req.GetOrder()), RequestID: req.GetRequestId()}))
}

// UpdateOrder changes the fields the mask names of a draft.
func (s *OrderServer) UpdateOrder(ctx context.Context, req *ordersv1.UpdateOrderRequest) (*ordersv1.Order, error) {
	paths, _, err := orderMask.Resolve(req.GetUpdateMask())
	if err != nil {
		return nil, err
	}
	return orderReply(s.app.Orders.Update(ctx, app.UpdateOrder{
		ID: req.GetOrder().GetId(), Etag: req.GetOrder().GetEtag(),
		Fields: protoconv.AsFields[domain.OrderField](paths), Values: orderValues(req.GetOrder()),
	}))
}

// SubmitOrder submits a draft.
func (s *OrderServer) SubmitOrder(ctx context.Context, req *ordersv1.SubmitOrderRequest) (*ordersv1.Order, error) {
	return orderReply(s.app.Orders.Submit(ctx, app.SubmitOrder{ID: req.GetId(), Etag: req.GetEtag(), OverrideReason: req.GetOverrideReason()}))
}

// ApproveOrder approves a submitted order.
func (s *OrderServer) ApproveOrder(ctx context.Context, req *ordersv1.ApproveOrderRequest) (*ordersv1.Order, error) {
	return orderReply(s.app.Orders.Approve(ctx, app.ApproveOrder{ID: req.GetId(), Etag: req.GetEtag()}))
}

// CloseOrder closes a delivered order.
func (s *OrderServer) CloseOrder(ctx context.Context, req *ordersv1.CloseOrderRequest) (*ordersv1.Order, error) {
	return orderReply(s.app.Orders.Close(ctx, app.CloseOrder{ID: req.GetId(), Etag: req.GetEtag()}))
}

// CancelOrder cancels an open order.
func (s *OrderServer) CancelOrder(ctx context.Context, req *ordersv1.CancelOrderRequest) (*ordersv1.Order, error) {
	return orderReply(s.app.Orders.Cancel(ctx, app.CancelOrder{ID: req.GetId(), Etag: req.GetEtag(), Reason: req.GetReason()}))
}

// RecordDelivery keeps a proof of delivery.
func (s *OrderServer) RecordDelivery(ctx context.Context, req *ordersv1.RecordDeliveryRequest) (*ordersv1.Delivery, error) {
	d := req.GetDelivery()
	proof := domain.ProofOfDelivery{
		ReceiverName: d.GetReceiverName(), Relationship: d.GetRelationship(),
		SignatureDate: protoconv.Date(d.GetSignatureDate()), Address: protoconv.Address(d.GetAddress()),
		Lines: deliveredLines(d.GetLines()), Corrects: d.GetCorrectsDeliveryId(),
	}
	return deliveryReply(s.app.Orders.RecordDelivery(ctx, app.RecordDelivery{OrderID: req.GetOrderId(), Proof: proof, RequestID: req.GetRequestId()}))
}

// GetDelivery returns one proof of delivery.
func (s *OrderServer) GetDelivery(ctx context.Context, req *ordersv1.GetDeliveryRequest) (*ordersv1.Delivery, error) {
	return deliveryReply(s.app.Orders.GetDelivery(ctx, req.GetOrderId(), req.GetId()))
}

// ListDeliveries lists an order's proofs of delivery.
func (s *OrderServer) ListDeliveries(ctx context.Context, req *ordersv1.ListDeliveriesRequest) (*ordersv1.ListDeliveriesResponse, error) {
	found, err := s.app.Orders.ListDeliveries(ctx, req.GetOrderId())
	if err != nil {
		return nil, err
	}
	return &ordersv1.ListDeliveriesResponse{Deliveries: protoconv.Map(found, deliveryToProto)}, nil
}

// RecordPickup records rented equipment brought back.
func (s *OrderServer) RecordPickup(ctx context.Context, req *ordersv1.RecordPickupRequest) (*ordersv1.Pickup, error) {
	p := req.GetPickup()
	r, err := s.app.Orders.RecordPickup(ctx, app.RecordPickup{OrderID: req.GetOrderId(), RequestID: req.GetRequestId(),
		Pickup: domain.Pickup{Date: protoconv.Date(p.GetPickupDate()), Reason: app.PickupReasonOf(p.GetReason()),
			Note: p.GetNote(), Lines: deliveredLines(p.GetLines())}})
	if err != nil {
		return nil, err
	}
	return &ordersv1.Pickup{Id: r.ID, OrderId: r.OrderID, PickupDate: protoconv.DateProto(r.Date),
		Reason: app.PickupReasonProto(r.Reason), Note: r.Note, Lines: deliveredLinesProto(r.Lines), ActorId: r.ActorID,
		CreateTime: protoconv.Time(r.CreateTime)}, nil
}

// orderReply renders the order a use case returned, or passes its error
// on unchanged.
func orderReply(o *domain.Order, err error) (*ordersv1.Order, error) {
	if err != nil {
		return nil, err
	}
	return orderToProto(o), nil
}

// deliveryReply renders the delivery a use case returned, or passes its
// error on unchanged.
func deliveryReply(d *domain.Delivery, err error) (*ordersv1.Delivery, error) {
	if err != nil {
		return nil, err
	}
	return deliveryToProto(d), nil
}

func orderToProto(o *domain.Order) *ordersv1.Order {
	out := &ordersv1.Order{
		Id: o.ID, PatientId: o.PatientID, BranchId: o.BranchID, WarehouseId: o.WarehouseID,
		WrittenOrderId: o.WrittenOrderID, PrescriberId: o.PrescriberID, OrderDate: protoconv.DateProto(o.OrderDate),
		Diagnoses: o.Diagnoses, Status: app.OrderStatusProto(o.Status), PriceListId: o.PriceListID,
		ReadinessOverrideReason: o.OverrideReason, CancelReason: o.CancelReason,
		CreateTime: protoconv.Time(o.CreateTime), UpdateTime: protoconv.Time(o.UpdateTime), Etag: etag.FromVersion(o.Version),
	}
	for _, c := range o.Coverages {
		out.Coverages = append(out.Coverages, &ordersv1.OrderCoverage{Rank: c.Rank, CoverageId: c.CoverageID, PayerId: c.PayerID})
	}
	for _, l := range o.Lines {
		out.Lines = append(out.Lines, &ordersv1.OrderLine{
			Id: l.ID, ItemId: l.ItemID, Hcpcs: l.HCPCS, Modifiers: l.Modifiers, Quantity: l.Quantity,
			Type: app.LineTypeProto(l.Type), DiagnosisPointers: l.DiagnosisPointers, SerialNumber: l.SerialNumber,
			Serialized: l.Serialized, UnitId: l.UnitID, Billable: money(l.Billable), Allowable: money(l.Allowable),
			BillingStartDate: protoconv.DateProto(l.BillingStart), BillingEndDate: protoconv.DateProto(l.BillingEnd),
			FulfillmentProblem: l.FulfillmentProblem,
		})
	}
	return out
}

// money renders an amount.
func money(m domain.Money) *commonv1.Money {
	return &commonv1.Money{AmountCents: m.Cents, CurrencyCode: m.Currency}
}

// orderValues reads the writable fields of an order message (and its
// patient and written order, read on create only).
func orderValues(o *ordersv1.Order) domain.OrderValues {
	v := domain.OrderValues{
		PatientID: o.GetPatientId(), BranchID: o.GetBranchId(), WarehouseID: o.GetWarehouseId(),
		WrittenOrderID: o.GetWrittenOrderId(), OrderDate: protoconv.Date(o.GetOrderDate()), Diagnoses: o.GetDiagnoses(),
	}
	for _, l := range o.GetLines() {
		v.Lines = append(v.Lines, domain.LineValues{
			ItemID: l.GetItemId(), HCPCS: l.GetHcpcs(), Modifiers: l.GetModifiers(), Quantity: l.GetQuantity(),
			Type: app.LineTypeOf(l.GetType()), DiagnosisPointers: l.GetDiagnosisPointers(), SerialNumber: l.GetSerialNumber(),
		})
		v.LineIDs = append(v.LineIDs, l.GetId())
	}
	return v
}

func deliveryToProto(d *domain.Delivery) *ordersv1.Delivery {
	return &ordersv1.Delivery{
		Id: d.ID, OrderId: d.OrderID, ReceiverName: d.ReceiverName, Relationship: d.Relationship,
		SignatureDate: protoconv.DateProto(d.SignatureDate), Address: protoconv.AddressProto(d.Address),
		Lines: deliveredLinesProto(d.Lines), CorrectsDeliveryId: d.Corrects, ActorId: d.ActorID,
		CreateTime: protoconv.Time(d.CreateTime),
	}
}

func deliveredLines(in []*ordersv1.DeliveredLine) []domain.DeliveredLine {
	out := make([]domain.DeliveredLine, len(in))
	for i, l := range in {
		out[i] = domain.DeliveredLine{LineID: l.GetLineId(), Quantity: l.GetQuantity(), SerialNumber: l.GetSerialNumber()}
	}
	return out
}

func deliveredLinesProto(in []domain.DeliveredLine) []*ordersv1.DeliveredLine {
	out := make([]*ordersv1.DeliveredLine, len(in))
	for i, l := range in {
		out[i] = &ordersv1.DeliveredLine{LineId: l.LineID, Quantity: l.Quantity, SerialNumber: l.SerialNumber}
	}
	return out
}
