package grpcapi

import (
	"context"
	"strings"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// PatientServer implements clinicalv1.PatientServiceServer. Every read is
// audited by the interceptor chain; a listing also names every patient it
// disclosed ("patient_ids"), so the trail answers "who saw this patient".
type PatientServer struct {
	clinicalv1.UnimplementedPatientServiceServer
	app *app.Application
}

// patientMask resolves UpdatePatient's update_mask.
var patientMask = protoconv.UpdateMask{
	Resource: (&clinicalv1.Patient{}).ProtoReflect().Descriptor(),
	Writable: protoconv.FieldNames(domain.PatientFields),
}

var (
	sexToDomain = map[clinicalv1.Sex]domain.Sex{
		clinicalv1.Sex_SEX_FEMALE:  domain.SexFemale,
		clinicalv1.Sex_SEX_MALE:    domain.SexMale,
		clinicalv1.Sex_SEX_UNKNOWN: domain.SexUnknown,
	}
	sexToProto = protoconv.Invert(sexToDomain)
)

// GetPatient returns one patient.
func (s *PatientServer) GetPatient(ctx context.Context, req *clinicalv1.GetPatientRequest) (*clinicalv1.Patient, error) {
	p, err := s.app.Patients.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return patientToProto(p, revealsPHI(ctx)), nil
}

// ListPatients returns one page of patients.
func (s *PatientServer) ListPatients(ctx context.Context, req *clinicalv1.ListPatientsRequest) (*clinicalv1.ListPatientsResponse, error) {
	page, err := s.app.Patients.List(ctx, app.ListPatients{
		PageSize: req.GetPageSize(), PageToken: req.GetPageToken(), BranchID: req.GetBranchId(), ShowInactive: req.GetShowInactive(),
	})
	if err != nil {
		return nil, err
	}
	return &clinicalv1.ListPatientsResponse{Patients: disclose(ctx, page.Items), NextPageToken: page.NextPageToken}, nil
}

// SearchPatients returns one page of the patients matching the criteria.
func (s *PatientServer) SearchPatients(ctx context.Context, req *clinicalv1.SearchPatientsRequest) (*clinicalv1.SearchPatientsResponse, error) {
	page, err := s.app.Patients.Search(ctx, app.SearchPatients{
		PageSize: req.GetPageSize(), PageToken: req.GetPageToken(),
		LastNamePrefix: req.GetLastNamePrefix(), FirstNamePrefix: req.GetFirstNamePrefix(),
		BirthDate: protoconv.Date(req.GetBirthDate()), AccountNumber: req.GetAccountNumber(), MBI: req.GetMbi(),
		ShowInactive: req.GetShowInactive(),
	})
	if err != nil {
		return nil, err
	}
	return &clinicalv1.SearchPatientsResponse{Patients: disclose(ctx, page.Items), NextPageToken: page.NextPageToken}, nil
}

// disclose renders a page of patients for the caller and names each one in
// the call's audit record.
func disclose(ctx context.Context, patients []*domain.Patient) []*clinicalv1.Patient {
	reveal := revealsPHI(ctx)
	out := make([]*clinicalv1.Patient, len(patients))
	ids := make([]string, len(patients))
	for i, p := range patients {
		out[i], ids[i] = patientToProto(p, reveal), p.ID
	}
	audit.NoteResource(ctx, "patient_ids", strings.Join(ids, ","))
	return out
}

// CreatePatient registers a patient.
func (s *PatientServer) CreatePatient(ctx context.Context, req *clinicalv1.CreatePatientRequest) (*clinicalv1.Patient, error) {
	p, err := s.app.Patients.Create(ctx, app.CreatePatient{
		Values: patientValues(req.GetPatient()), ConfirmDuplicate: req.GetConfirmDuplicate(), RequestID: req.GetRequestId(),
	})
	if err != nil {
		return nil, err
	}
	return patientToProto(p, revealsPHI(ctx)), nil
}

// UpdatePatient changes the fields the mask names.
func (s *PatientServer) UpdatePatient(ctx context.Context, req *clinicalv1.UpdatePatientRequest) (*clinicalv1.Patient, error) {
	paths, _, err := patientMask.Resolve(req.GetUpdateMask())
	if err != nil {
		return nil, err
	}
	p, err := s.app.Patients.Update(ctx, app.UpdatePatient{
		ID: req.GetPatient().GetId(), Etag: req.GetPatient().GetEtag(),
		Fields: protoconv.AsFields[domain.PatientField](paths), Values: patientValues(req.GetPatient()),
	})
	if err != nil {
		return nil, err
	}
	return patientToProto(p, revealsPHI(ctx)), nil
}

// patientToProto renders a patient, its PHI identifiers in clear only when
// reveal is set.
func patientToProto(p *domain.Patient, reveal bool) *clinicalv1.Patient {
	return &clinicalv1.Patient{
		Id: p.ID, AccountNumber: p.AccountNumber,
		FirstName: p.FirstName, MiddleName: p.MiddleName, LastName: p.LastName, Suffix: p.Suffix,
		BirthDate: protoconv.DateProto(p.BirthDate), Sex: sexToProto[p.Sex],
		HomeAddress:     protoconv.AddressProto(p.HomeAddress),
		BillingAddress:  protoconv.AddressProto(p.BillingAddress),
		ShippingAddress: protoconv.AddressProto(p.ShippingAddress),
		Phones:          protoconv.PhonesProto(p.Phones),
		Email:           p.Email,
		Mbi:             phi(p.MBI, domain.MBIVisible, reveal),
		MedicaidId:      phi(p.MedicaidID, domain.MedicaidIDVisible, reveal),
		Ssn:             phi(p.SSN, domain.SSNVisible, reveal),
		BranchId:        p.BranchID, Diagnoses: p.Diagnoses,
		SignatureOnFile:     p.SignatureOnFile,
		SignatureOnFileDate: protoconv.DateProto(p.SignatureOnFileDate),
		InactiveDate:        protoconv.DateProto(p.InactiveDate),
		DeceasedDate:        protoconv.DateProto(p.DeceasedDate),
		CreateTime:          protoconv.Time(p.CreateTime), UpdateTime: protoconv.Time(p.UpdateTime),
		Etag: etag.FromVersion(p.Version),
	}
}

// patientValues reads the writable fields of a patient message; an
// undefined sex keeps a name the domain refuses.
func patientValues(p *clinicalv1.Patient) domain.PatientValues {
	return domain.PatientValues{
		FirstName: p.GetFirstName(), MiddleName: p.GetMiddleName(), LastName: p.GetLastName(), Suffix: p.GetSuffix(),
		BirthDate: protoconv.Date(p.GetBirthDate()), Sex: enumToDomain(sexToDomain, p.GetSex()),
		HomeAddress:     protoconv.Address(p.GetHomeAddress()),
		BillingAddress:  protoconv.Address(p.GetBillingAddress()),
		ShippingAddress: protoconv.Address(p.GetShippingAddress()),
		Phones:          protoconv.Phones(p.GetPhones()),
		Email:           p.GetEmail(),
		MBI:             p.GetMbi(), MedicaidID: p.GetMedicaidId(), SSN: p.GetSsn(),
		BranchID: p.GetBranchId(), Diagnoses: p.GetDiagnoses(),
		SignatureOnFile: p.GetSignatureOnFile(), SignatureOnFileDate: protoconv.Date(p.GetSignatureOnFileDate()),
		InactiveDate: protoconv.Date(p.GetInactiveDate()), DeceasedDate: protoconv.Date(p.GetDeceasedDate()),
	}
}
