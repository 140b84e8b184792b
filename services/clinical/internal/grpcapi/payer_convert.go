package grpcapi

import (
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

var (
	payerMask = protoconv.UpdateMask{
		Resource: (&clinicalv1.Payer{}).ProtoReflect().Descriptor(),
		Writable: protoconv.FieldNames(domain.PayerFields),
	}
	planMask = protoconv.UpdateMask{
		Resource: (&clinicalv1.Plan{}).ProtoReflect().Descriptor(),
		Writable: protoconv.FieldNames(domain.PlanFields),
	}
	payerTypeToDomain = map[clinicalv1.PayerType]domain.PayerType{
		clinicalv1.PayerType_PAYER_TYPE_MEDICARE:   domain.PayerMedicare,
		clinicalv1.PayerType_PAYER_TYPE_MEDICAID:   domain.PayerMedicaid,
		clinicalv1.PayerType_PAYER_TYPE_COMMERCIAL: domain.PayerCommercial,
		clinicalv1.PayerType_PAYER_TYPE_OTHER:      domain.PayerOther,
	}
	payerTypeToProto = protoconv.Invert(payerTypeToDomain)
)

func payerToProto(p *domain.Payer) *clinicalv1.Payer {
	return &clinicalv1.Payer{
		Id: p.ID, Name: p.Name, PayerCode: p.PayerCode, Type: payerTypeToProto[p.Type],
		Address: protoconv.AddressProto(p.Address), Phone: protoconv.PhoneProto(p.Phone), Active: p.Active,
		CreateTime: protoconv.Time(p.CreateTime), UpdateTime: protoconv.Time(p.UpdateTime), Etag: etag.FromVersion(p.Version),
	}
}

func payerValues(p *clinicalv1.Payer) domain.PayerValues {
	return domain.PayerValues{Name: p.GetName(), PayerCode: p.GetPayerCode(), Type: enumToDomain(payerTypeToDomain, p.GetType()),
		Address: protoconv.Address(p.GetAddress()), Phone: protoconv.Phone(p.GetPhone()), Active: p.GetActive()}
}

func planToProto(p *domain.Plan) *clinicalv1.Plan {
	return &clinicalv1.Plan{
		Id: p.ID, PayerId: p.PayerID, Name: p.Name, PlanCode: p.PlanCode, Active: p.Active,
		CreateTime: protoconv.Time(p.CreateTime), UpdateTime: protoconv.Time(p.UpdateTime), Etag: etag.FromVersion(p.Version),
	}
}

func planValues(p *clinicalv1.Plan) domain.PlanValues {
	return domain.PlanValues{Name: p.GetName(), PlanCode: p.GetPlanCode(), Active: p.GetActive()}
}
