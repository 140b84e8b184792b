package fhir

import (
	"google.golang.org/grpc"

	"github.com/ariesone/ariesone/gateway/internal/fhir/coverage"
	"github.com/ariesone/ariesone/gateway/internal/fhir/device"
	"github.com/ariesone/ariesone/gateway/internal/fhir/devicerequest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/intake"
	"github.com/ariesone/ariesone/gateway/internal/fhir/location"
	"github.com/ariesone/ariesone/gateway/internal/fhir/organization"
	"github.com/ariesone/ariesone/gateway/internal/fhir/patient"
	"github.com/ariesone/ariesone/gateway/internal/fhir/practitioner"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	"github.com/ariesone/ariesone/gateway/internal/fhir/supplydelivery"
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
// Each type's mapping and service calls live in its own package.
func Resources(conns Conns) []restful.Resource {
	var out []restful.Resource
	if conns.Company != nil {
		out = append(out,
			organization.Resource(companyv1.NewCompanyServiceClient(conns.Company)),
			location.Resource(companyv1.NewLocationServiceClient(conns.Company)),
		)
	}
	if conns.Clinical != nil {
		out = append(out,
			patient.Resource(clinicalv1.NewPatientServiceClient(conns.Clinical)),
			practitioner.Resource(clinicalv1.NewPrescriberServiceClient(conns.Clinical)),
			coverage.Resource(clinicalv1.NewCoverageServiceClient(conns.Clinical)),
		)
	}
	if conns.Serials != nil {
		out = append(out, device.Resource(
			serialsv1.NewUnitServiceClient(conns.Serials),
			serialsv1.NewItemServiceClient(conns.Serials),
		))
	}
	if conns.Orders != nil {
		orders := ordersv1.NewOrderServiceClient(conns.Orders)
		out = append(out,
			devicerequest.Resource(orders),
			supplydelivery.Resource(orders),
		)
	}
	if conns.Company != nil && conns.Clinical != nil && conns.Serials != nil && conns.Orders != nil {
		withIntake(out, intake.New(intake.Clients{
			Patients:    clinicalv1.NewPatientServiceClient(conns.Clinical),
			Prescribers: clinicalv1.NewPrescriberServiceClient(conns.Clinical),
			Coverages:   clinicalv1.NewCoverageServiceClient(conns.Clinical),
			Written:     clinicalv1.NewWrittenOrderServiceClient(conns.Clinical),
			Items:       serialsv1.NewItemServiceClient(conns.Serials),
			Locations:   companyv1.NewLocationServiceClient(conns.Company),
			Orders:      ordersv1.NewOrderServiceClient(conns.Orders),
		}))
	}
	return out
}

// withIntake lets resources take orders in: DeviceRequest is created, and
// the Patient, Practitioner and Coverage a transaction carries with it are
// matched. The intake drafts orders and written orders through the
// services, so it is served only when all four are dialled.
func withIntake(resources []restful.Resource, in *intake.Intake) {
	for i := range resources {
		switch resources[i].Type {
		case "DeviceRequest":
			resources[i].Create = in.Create
		case "Patient":
			resources[i].Match = in.MatchPatient
		case "Practitioner":
			resources[i].Match = in.MatchPractitioner
		case "Coverage":
			resources[i].Match = in.MatchCoverage
		}
	}
}
