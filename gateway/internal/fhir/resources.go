package fhir

import (
	"google.golang.org/grpc"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
)

// Conns are the gateway's connections to the services the facade reads;
// nil for a service that is not dialled.
type Conns struct {
	Company  grpc.ClientConnInterface
	Clinical grpc.ClientConnInterface
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
		)
	}
	return out
}
