package grpcapi_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
)

// listedPatients pages through ListPatients one patient a page, so the
// keyset pagination runs over the scoped rows.
func listedPatients(t *testing.T, e *clinicaltest.Env, ctx context.Context) []string {
	t.Helper()
	var ids []string
	token := ""
	for {
		resp, err := e.Patients.ListPatients(ctx, &clinicalv1.ListPatientsRequest{PageSize: 1, PageToken: token})
		if err != nil {
			t.Fatalf("ListPatients: %v", err)
		}
		for _, p := range resp.GetPatients() {
			ids = append(ids, p.GetId())
		}
		if token = resp.GetNextPageToken(); token == "" {
			slices.Sort(ids)
			return ids
		}
	}
}

// TestBranchScopedUserSeesOnlyItsBranchsPatients calls over the real
// transport with a token limited to one branch (the "loc" claim): another
// branch's patient is NOT_FOUND to read, change or create, and absent from
// every page of the list; an unrestricted user of the company sees both
// branches.
func TestBranchScopedUserSeesOnlyItsBranchsPatients(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	otherBranch := uuid.NewString()
	scoped := e.Keys.AsScoped(a.CompanyID, uuid.NewString(), []string{a.BranchID}, auth.RoleIntake)

	var mine, theirs []string
	for _, name := range []string{"Okafor", "Petrov", "Quinn"} {
		p := patient(a, "Ann", name)
		mine = append(mine, createPatient(t, e, scoped, p).GetId())
		p = patient(a, "Ben", name)
		p.BranchId = otherBranch
		theirs = append(theirs, createPatient(t, e, a.Intake, p).GetId())
	}
	slices.Sort(mine)
	everyone := slices.Sorted(slices.Values(append(slices.Clone(mine), theirs...)))

	if got := listedPatients(t, e, scoped); !slices.Equal(got, mine) {
		t.Errorf("scoped user lists %v, want %v", got, mine)
	}
	if got := listedPatients(t, e, a.Intake); !slices.Equal(got, everyone) {
		t.Errorf("unrestricted user lists %v, want %v", got, everyone)
	}
	_, err := e.Patients.GetPatient(scoped, &clinicalv1.GetPatientRequest{Id: theirs[0]})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Patients.UpdatePatient(scoped, &clinicalv1.UpdatePatientRequest{
		Patient: &clinicalv1.Patient{Id: theirs[0], FirstName: "Mine"}, UpdateMask: mask("first_name")})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	elsewhere := patient(a, "Cy", "Elsewhere")
	elsewhere.BranchId = otherBranch
	_, err = e.Patients.CreatePatient(scoped, &clinicalv1.CreatePatientRequest{Patient: elsewhere})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Patients.UpdatePatient(scoped, &clinicalv1.UpdatePatientRequest{
		Patient: &clinicalv1.Patient{Id: mine[0], BranchId: otherBranch}, UpdateMask: mask("branch_id")})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	if _, err := e.Patients.GetPatient(a.Intake, &clinicalv1.GetPatientRequest{Id: theirs[0]}); err != nil {
		t.Errorf("unrestricted GetPatient: %v", err)
	}
}
