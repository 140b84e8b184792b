package grpcapi

import (
	"context"

	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// ResupplyServer serves ResupplyService.
type ResupplyServer struct {
	ordersv1.UnimplementedResupplyServiceServer
	app *app.Application
}

// CreateResupplySchedule starts a patient's recurring supplies.
func (s *ResupplyServer) CreateResupplySchedule(ctx context.Context, req *ordersv1.CreateResupplyScheduleRequest) (*ordersv1.ResupplySchedule, error) {
	sc := req.GetSchedule()
	items := make([]domain.ResupplyItem, len(sc.GetItems()))
	for i, it := range sc.GetItems() {
		items[i] = domain.ResupplyItem{HCPCS: it.GetHcpcs(), ItemID: it.GetItemId(), Quantity: it.GetQuantity(),
			IntervalMonths: int(it.GetIntervalMonths()), SuppliedThrough: protoconv.Date(it.GetSuppliedThrough())}
	}
	return scheduleReply(s.app.Resupplies.CreateSchedule(ctx, app.CreateResupplySchedule{PatientID: sc.GetPatientId(),
		BranchID: sc.GetBranchId(), PayerID: sc.GetPayerId(), OrderID: sc.GetOrderId(), Items: items, RequestID: req.GetRequestId()}))
}

// GetResupplySchedule returns one schedule.
func (s *ResupplyServer) GetResupplySchedule(ctx context.Context, req *ordersv1.GetResupplyScheduleRequest) (*ordersv1.ResupplySchedule, error) {
	return scheduleReply(s.app.Resupplies.Get(ctx, req.GetId()))
}

// ListDueResupplies returns one page of a branch's due list.
func (s *ResupplyServer) ListDueResupplies(ctx context.Context, req *ordersv1.ListDueResuppliesRequest) (*ordersv1.ListDueResuppliesResponse, error) {
	page, err := s.app.Resupplies.ListDue(ctx, app.ListDueResupplies{BranchID: req.GetBranchId(), AsOf: protoconv.Date(req.GetAsOf()),
		PageSize: req.GetPageSize(), PageToken: req.GetPageToken()})
	if err != nil {
		return nil, err
	}
	return &ordersv1.ListDueResuppliesResponse{Schedules: protoconv.Map(page.Items, scheduleToProto), NextPageToken: page.NextPageToken}, nil
}

// RecordResupplyConfirmation keeps the patient's answer.
func (s *ResupplyServer) RecordResupplyConfirmation(ctx context.Context, req *ordersv1.RecordResupplyConfirmationRequest) (*ordersv1.ResupplyConfirmation, error) {
	c := req.GetConfirmation()
	items := make([]domain.ConfirmedItem, len(c.GetItems()))
	for i, it := range c.GetItems() {
		items[i] = domain.ConfirmedItem{HCPCS: it.GetHcpcs(), Quantity: it.GetQuantity(), RemainingDays: it.GetRemainingDays()}
	}
	out, err := s.app.Resupplies.RecordConfirmation(ctx, app.RecordConfirmation{ScheduleID: req.GetScheduleId(), RequestID: req.GetRequestId(),
		Confirmation: domain.ResupplyConfirmation{Channel: c.GetChannel(), ConfirmDate: protoconv.Date(c.GetConfirmDate()), Items: items}})
	if err != nil {
		return nil, err
	}
	resp := &ordersv1.ResupplyConfirmation{Id: out.ID, ScheduleId: out.ScheduleID, Channel: out.Channel,
		ConfirmDate: protoconv.DateProto(out.ConfirmDate), ActorId: out.ActorID, CreateTime: protoconv.Time(out.CreateTime)}
	for _, it := range out.Items {
		resp.Items = append(resp.Items, &ordersv1.ConfirmedItem{Hcpcs: it.HCPCS, Quantity: it.Quantity, RemainingDays: it.RemainingDays})
	}
	return resp, nil
}

// RecordResupplyShipment ships supplies under the refill rule.
func (s *ResupplyServer) RecordResupplyShipment(ctx context.Context, req *ordersv1.RecordResupplyShipmentRequest) (*ordersv1.ResupplyShipment, error) {
	p := req.GetShipment()
	items := make([]domain.ShippedItem, len(p.GetItems()))
	for i, it := range p.GetItems() {
		items[i] = domain.ShippedItem{HCPCS: it.GetHcpcs(), Quantity: it.GetQuantity()}
	}
	out, err := s.app.Resupplies.RecordShipment(ctx, app.RecordShipment{ScheduleID: req.GetScheduleId(), RequestID: req.GetRequestId(),
		Shipment: domain.ResupplyShipment{ShipDate: protoconv.Date(p.GetShipDate()), Items: items}})
	if err != nil {
		return nil, err
	}
	resp := &ordersv1.ResupplyShipment{Id: out.ID, ScheduleId: out.ScheduleID, ShipDate: protoconv.DateProto(out.ShipDate),
		ConfirmationId: out.ConfirmationID, ActorId: out.ActorID, CreateTime: protoconv.Time(out.CreateTime)}
	for _, it := range out.Items {
		resp.Items = append(resp.Items, &ordersv1.ShippedItem{Hcpcs: it.HCPCS, Quantity: it.Quantity})
	}
	return resp, nil
}

// SetResupplyWindow sets a payer's refill windows.
func (s *ResupplyServer) SetResupplyWindow(ctx context.Context, req *ordersv1.SetResupplyWindowRequest) (*ordersv1.ResupplyWindow, error) {
	w, err := s.app.Resupplies.SetWindow(ctx, app.SetWindow{PayerID: req.GetPayerId(),
		Window: domain.ResupplyWindow{ContactDays: int(req.GetContactDays()), ShipLeadDays: int(req.GetShipLeadDays())}})
	if err != nil {
		return nil, err
	}
	return &ordersv1.ResupplyWindow{PayerId: req.GetPayerId(), ContactDays: int32(w.ContactDays), ShipLeadDays: int32(w.ShipLeadDays)}, nil
}

func scheduleReply(s app.DueSchedule, err error) (*ordersv1.ResupplySchedule, error) {
	if err != nil {
		return nil, err
	}
	return scheduleToProto(s), nil
}

func scheduleToProto(s app.DueSchedule) *ordersv1.ResupplySchedule {
	out := &ordersv1.ResupplySchedule{Id: s.ID, PatientId: s.PatientID, BranchId: s.BranchID, PayerId: s.PayerID, OrderId: s.OrderID, Status: s.Status,
		NextContactDate: protoconv.DateProto(s.NextContact(s.Window)), CreateTime: protoconv.Time(s.CreateTime),
		UpdateTime: protoconv.Time(s.UpdateTime)}
	for _, it := range s.Items {
		out.Items = append(out.Items, &ordersv1.ResupplyItem{Hcpcs: it.HCPCS, ItemId: it.ItemID, Quantity: it.Quantity,
			IntervalMonths: int32(it.IntervalMonths), SuppliedThrough: protoconv.DateProto(it.SuppliedThrough),
			ContactFrom: protoconv.DateProto(s.Window.ContactFrom(it.SuppliedThrough)), ShipFrom: protoconv.DateProto(s.Window.ShipFrom(it.SuppliedThrough))})
	}
	return out
}
