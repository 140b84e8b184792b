package grpcapi

import (
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

var (
	writtenOrderStatusToDomain = map[clinicalv1.WrittenOrderStatus]domain.WrittenOrderStatus{
		clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_DRAFT:   domain.WrittenOrderDraft,
		clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_SIGNED:  domain.WrittenOrderSigned,
		clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_REVOKED: domain.WrittenOrderRevoked,
		clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_EXPIRED: domain.WrittenOrderExpired,
	}
	writtenOrderStatusToProto = protoconv.Invert(writtenOrderStatusToDomain)
)

// writtenOrderToProto renders a written order as it reads on v.AsOf:
// status EXPIRED for a signed order past its expiry date. A revoked order
// never changes again, so its last update is when it was revoked.
func writtenOrderToProto(v app.WrittenOrderView) *clinicalv1.WrittenOrder {
	o := v.WrittenOrder
	out := &clinicalv1.WrittenOrder{
		Id: o.ID, PatientId: o.PatientID, PrescriberId: o.PrescriberID,
		Items:              make([]*clinicalv1.WrittenOrderItem, len(o.Items)),
		OrderDate:          protoconv.DateProto(o.OrderDate),
		SignatureDate:      protoconv.DateProto(o.SignatureDate),
		FaceToFaceDate:     protoconv.DateProto(o.FaceToFaceDate),
		LengthOfNeedMonths: int32(o.LengthOfNeedMonths),
		Diagnoses:          o.Diagnoses,
		Status:             writtenOrderStatusToProto[v.Status],
		ExpireDate:         protoconv.DateProto(o.ExpireDate()),
		FaceToFaceRequired: o.FaceToFaceRequired(),
		RevokeReason:       o.RevokeReason,
		CreateTime:         protoconv.Time(o.CreateTime), UpdateTime: protoconv.Time(o.UpdateTime),
		Etag: etag.FromVersion(o.Version),
	}
	for i, item := range o.Items {
		out.Items[i] = &clinicalv1.WrittenOrderItem{Hcpcs: item.HCPCS, Description: item.Description, Quantity: int32(item.Quantity)}
	}
	if o.Status == domain.WrittenOrderRevoked {
		out.RevokeTime = protoconv.Time(o.UpdateTime)
	}
	return out
}

// writtenOrderValues reads the writable fields of a written order message
// (and its patient, read on create only).
func writtenOrderValues(o *clinicalv1.WrittenOrder) domain.WrittenOrderValues {
	v := domain.WrittenOrderValues{
		PatientID: o.GetPatientId(), PrescriberID: o.GetPrescriberId(),
		OrderDate:          protoconv.Date(o.GetOrderDate()),
		SignatureDate:      protoconv.Date(o.GetSignatureDate()),
		FaceToFaceDate:     protoconv.Date(o.GetFaceToFaceDate()),
		LengthOfNeedMonths: int(o.GetLengthOfNeedMonths()),
		Diagnoses:          o.GetDiagnoses(),
	}
	if len(o.GetItems()) > 0 {
		v.Items = make([]domain.WrittenOrderItem, len(o.GetItems()))
		for i, item := range o.GetItems() {
			v.Items[i] = domain.WrittenOrderItem{HCPCS: item.GetHcpcs(), Description: item.GetDescription(), Quantity: int(item.GetQuantity())}
		}
	}
	return v
}
