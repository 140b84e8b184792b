package fhir

import (
	"google.golang.org/grpc"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
)

// Conns are the gateway's connections to the services the facade reads;
// nil for a service that is not dialled.
type Conns struct {
	Company  grpc.ClientConnInterface
	Clinical grpc.ClientConnInterface
	Serials  grpc.ClientConnInterface
	Orders   grpc.ClientConnInterface
}

// Resources is the registration table for conns: each resource type is
// served when the service owning it is dialled, and is otherwise absent from
// the router and the CapabilityStatement alike (404, as its REST routes).
func Resources(conns Conns) []Resource {
	var out []Resource
	if conns.Company != nil {
		out = append(out,
			organizationResource(companyv1.NewCompanyServiceClient(conns.Company)),
			locationResource(companyv1.NewLocationServiceClient(conns.Company)),
		)
	}
	if conns.Clinical != nil {
		out = append(out,
			patientResource(clinicalv1.NewPatientServiceClient(conns.Clinical)),
			practitionerResource(clinicalv1.NewPrescriberServiceClient(conns.Clinical)),
			coverageResource(clinicalv1.NewCoverageServiceClient(conns.Clinical)),
		)
	}
	if conns.Serials != nil {
		out = append(out, deviceResource(
			serialsv1.NewUnitServiceClient(conns.Serials),
			serialsv1.NewItemServiceClient(conns.Serials),
		))
	}
	if conns.Orders != nil {
		orders := ordersv1.NewOrderServiceClient(conns.Orders)
		out = append(out,
			deviceRequestResource(orders),
			supplyDeliveryResource(orders),
		)
	}
	if conns.Company != nil && conns.Clinical != nil && conns.Serials != nil && conns.Orders != nil {
		withIntake(out, newIntake(conns))
	}
	return out
}

// newIntake is the order intake over conns, which dials every service.
func newIntake(conns Conns) *intake {
	return &intake{
		patients:    clinicalv1.NewPatientServiceClient(conns.Clinical),
		prescribers: clinicalv1.NewPrescriberServiceClient(conns.Clinical),
		coverages:   clinicalv1.NewCoverageServiceClient(conns.Clinical),
		written:     clinicalv1.NewWrittenOrderServiceClient(conns.Clinical),
		items:       serialsv1.NewItemServiceClient(conns.Serials),
		locations:   companyv1.NewLocationServiceClient(conns.Company),
		orders:      ordersv1.NewOrderServiceClient(conns.Orders),
	}
}

// withIntake lets resources take orders in: DeviceRequest is created, and
// the Patient, Practitioner and Coverage a transaction carries with it are
// matched. The intake drafts orders and written orders through the
// services, so it is served only when all four are dialled.
func withIntake(resources []Resource, in *intake) {
	for i := range resources {
		switch resources[i].Type {
		case "DeviceRequest":
			resources[i].Create = in.create
		case "Patient":
			resources[i].Match = in.matchPatientEntry
		case "Practitioner":
			resources[i].Match = in.matchPractitionerEntry
		case "Coverage":
			resources[i].Match = in.matchCoverageEntry
		}
	}
}
