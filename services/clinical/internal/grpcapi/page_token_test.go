package grpcapi_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/type/date"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/platform/page/pagetest"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
)

// TestPageTokensAreOpaque lists two pages or more of every List method of
// clinical (and SearchPatients) and checks that no token carries a field
// value of a listed row (a patient's or prescriber's names, a payer's
// name, ids, check times) and that a tampered token is refused. Tokens
// travel in URLs that proxies log; ListPatients' would otherwise carry
// patients' names.
func TestPageTokensAreOpaque(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()

	lastNames := []string{"Okafor", "Whitfield", "Castellanos"}
	npis := []string{npiA, npiB, npiC}
	var patients, payers []string
	var prescriberID string
	for i, last := range lastNames {
		patients = append(patients, createPatient(t, e, a.Intake, patient(a, "Chiamaka", last)).GetId())
		payers = append(payers, createPayer(t, e, a.Billing, payer("Noridian "+last, fmt.Sprintf("NORIDIAN%d", i))).GetId())
		prescriberID = createPrescriber(t, e, a.Intake, prescriber(npis[i], "Beatrice", last)).GetId()
	}
	var plans []string
	for _, name := range []string{"Medicare Part B", "Medicare Advantage", "Medigap Plan G"} {
		plans = append(plans, createPlan(t, e, a.Billing, payers[0], name).GetId())
	}
	var coverages []string
	for i, plan := range plans {
		c := coverage(plan, fmt.Sprintf("XJH-55501%04d", i), int32(i+1))
		coverages = append(coverages, createCoverage(t, e, a.Billing, patients[0], c).GetId())
	}
	for range 3 {
		checkEligibility(t, e, a.Billing, patients[0], coverages[0], &date.Date{Year: 2025, Month: 6, Day: 2})
		createOrder(t, e, a.Intake, cpapOrder(orderParties{patientID: patients[0], prescriberID: prescriberID}))
	}

	t.Run("ListPatients", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*clinicalv1.ListPatientsResponse, error) {
			return e.Patients.ListPatients(a.Intake, &clinicalv1.ListPatientsRequest{PageSize: 1, PageToken: token})
		})
	})
	t.Run("SearchPatients", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*clinicalv1.SearchPatientsResponse, error) {
			return e.Patients.SearchPatients(a.Intake, &clinicalv1.SearchPatientsRequest{
				FirstNamePrefix: "Chia", BirthDate: &date.Date{Year: 1948, Month: 3, Day: 14}, PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListPayers", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*clinicalv1.ListPayersResponse, error) {
			return e.Payers.ListPayers(a.Billing, &clinicalv1.ListPayersRequest{PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListPlans", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*clinicalv1.ListPlansResponse, error) {
			return e.Payers.ListPlans(a.Billing, &clinicalv1.ListPlansRequest{PayerId: payers[0], PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListCoverages", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*clinicalv1.ListCoveragesResponse, error) {
			return e.Coverages.ListCoverages(a.Billing, &clinicalv1.ListCoveragesRequest{PatientId: patients[0], PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListEligibilityChecks", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*clinicalv1.ListEligibilityChecksResponse, error) {
			return e.Coverages.ListEligibilityChecks(a.Billing, &clinicalv1.ListEligibilityChecksRequest{
				PatientId: patients[0], CoverageId: coverages[0], PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListPrescribers", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*clinicalv1.ListPrescribersResponse, error) {
			return e.Prescribers.ListPrescribers(a.Intake, &clinicalv1.ListPrescribersRequest{PageSize: 1, PageToken: token})
		})
	})
	t.Run("ListWrittenOrders", func(t *testing.T) {
		pagetest.CheckListing(t, func(token string) (*clinicalv1.ListWrittenOrdersResponse, error) {
			return e.WrittenOrders.ListWrittenOrders(a.Intake, &clinicalv1.ListWrittenOrdersRequest{PatientId: patients[0], PageSize: 1, PageToken: token})
		})
	})
	// A token of one tenant does not open for another.
	first, err := e.Patients.ListPatients(a.Intake, &clinicalv1.ListPatientsRequest{PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	other := e.As(uuid.NewString(), uuid.NewString(), auth.RoleIntake)
	_, err = e.Patients.ListPatients(other, &clinicalv1.ListPatientsRequest{PageSize: 1, PageToken: first.GetNextPageToken()})
	grpcerrtest.WantInvalid(t, err, "pageToken")
}
