// Package peers asks the services that own what serials refers to:
// company for warehouses (locations of type warehouse) and clinical for
// patients. Calls carry the caller's own token (platform/peer), so the
// owner checks the caller's permission and tenant, and audits the read.
package peers

import (
	"context"

	"google.golang.org/grpc"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/peer"
)

// Warehouses checks warehouses with company's LocationService.
type Warehouses struct {
	Locations companyv1.LocationServiceClient
}

// NewWarehouses asks company over conn.
func NewWarehouses(conn grpc.ClientConnInterface) Warehouses {
	return Warehouses{Locations: companyv1.NewLocationServiceClient(conn)}
}

// CheckWarehouse accepts a location of the caller's company that is a
// warehouse and not deleted; anything else is a violation of field.
func (w Warehouses) CheckWarehouse(ctx context.Context, field, id string) error {
	loc, err := w.Locations.GetLocation(ctx, &companyv1.GetLocationRequest{Id: id})
	if err != nil {
		return peer.Refusal(err, field, "company", "names no location of the company", "locations.read")
	}
	switch {
	case loc.GetDeleteTime() != nil:
		return errs.Invalid(errs.FieldViolation{Field: field, Description: "names a deleted location"})
	case loc.GetType() != companyv1.LocationType_LOCATION_TYPE_WAREHOUSE:
		return errs.Invalid(errs.FieldViolation{Field: field, Description: "names a location that is not a warehouse"})
	}
	return nil
}

// Patients checks patients with clinical's PatientService.
type Patients struct {
	Patients clinicalv1.PatientServiceClient
}

// NewPatients asks clinical over conn.
func NewPatients(conn grpc.ClientConnInterface) Patients {
	return Patients{Patients: clinicalv1.NewPatientServiceClient(conn)}
}

// CheckPatient accepts a living patient of the caller's company; anything
// else is a violation of field.
func (p Patients) CheckPatient(ctx context.Context, field, id string) error {
	pt, err := p.Patients.GetPatient(ctx, &clinicalv1.GetPatientRequest{Id: id})
	if err != nil {
		return peer.Refusal(err, field, "clinical", "names no patient of the company", "patients.read")
	}
	if pt.GetDeceasedDate() != nil {
		return errs.Invalid(errs.FieldViolation{Field: field, Description: "names a deceased patient"})
	}
	return nil
}
