package grpcapi

import (
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// prescriberToProto renders a prescriber. Nothing of a prescriber is PHI,
// so every caller sees it whole.
func prescriberToProto(p *domain.Prescriber) *clinicalv1.Prescriber {
	return &clinicalv1.Prescriber{
		Id: p.ID, Npi: p.NPI, FirstName: p.FirstName, LastName: p.LastName, Credentials: p.Credentials,
		PecosEnrolled: p.PECOSEnrolled,
		Address:       protoconv.AddressProto(p.Address),
		Phone:         protoconv.PhoneProto(p.Phone),
		Fax:           protoconv.PhoneProto(p.Fax),
		Active:        p.Active,
		CreateTime:    protoconv.Time(p.CreateTime), UpdateTime: protoconv.Time(p.UpdateTime),
		Etag: etag.FromVersion(p.Version),
	}
}

// prescriberValues reads the writable fields of a prescriber message.
func prescriberValues(p *clinicalv1.Prescriber) domain.PrescriberValues {
	return domain.PrescriberValues{
		NPI: p.GetNpi(), FirstName: p.GetFirstName(), LastName: p.GetLastName(), Credentials: p.GetCredentials(),
		PECOSEnrolled: p.GetPecosEnrolled(),
		Address:       protoconv.Address(p.GetAddress()),
		Phone:         protoconv.Phone(p.GetPhone()),
		Fax:           protoconv.Phone(p.GetFax()),
		Active:        p.GetActive(),
	}
}
