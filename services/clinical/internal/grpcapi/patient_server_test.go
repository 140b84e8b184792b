package grpcapi_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	"github.com/ariesone/ariesone/platform/grpcerr"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
)

const (
	testMBI      = "1EG4TE5MK73"
	testSSN      = "123456789"
	testMedicaid = "GA77310245"
)

func patient(tenant clinicaltest.Tenant, first, last string) *clinicalv1.Patient {
	return &clinicalv1.Patient{
		FirstName: first, LastName: last, BirthDate: &date.Date{Year: 1948, Month: 3, Day: 14}, Sex: clinicalv1.Sex_SEX_FEMALE,
		HomeAddress: &commonv1.PostalAddress{Line1: "412 Ponce de Leon Ave NE", City: "Atlanta", State: "GA", PostalCode: "30308"},
		Phones:      []*commonv1.PhoneNumber{{Number: "(404) 555-0142", Kind: commonv1.PhoneKind_PHONE_KIND_MOBILE}},
		BranchId:    tenant.BranchID, Diagnoses: []string{"G47.33", "I10"},
	}
}

// withPHI is patient with every PHI identifier, as typed on the forms.
func withPHI(p *clinicalv1.Patient) *clinicalv1.Patient {
	p.Mbi, p.Ssn, p.MedicaidId = "1EG4-TE5-MK73", "123-45-6789", strings.ToLower(testMedicaid)
	return p
}

func createPatient(t *testing.T, e *clinicaltest.Env, ctx context.Context, p *clinicalv1.Patient) *clinicalv1.Patient {
	t.Helper()
	got, err := e.Patients.CreatePatient(ctx, &clinicalv1.CreatePatientRequest{Patient: p})
	if err != nil {
		t.Fatalf("CreatePatient: %v", err)
	}
	return got
}

func mask(paths ...string) *fieldmaskpb.FieldMask { return &fieldmaskpb.FieldMask{Paths: paths} }

func TestCreateAndGetPatient(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	created := createPatient(t, e, a.Intake, withPHI(patient(a, " Margaret ", "Okafor")))
	if _, err := uuid.Parse(created.GetId()); err != nil || created.GetAccountNumber() != "PT0000001" || created.GetEtag() != `"1"` ||
		created.GetFirstName() != "Margaret" || created.GetMbi() != testMBI || created.GetSsn() != testSSN ||
		created.GetMedicaidId() != testMedicaid || created.GetPhones()[0].GetNumber() != "+14045550142" ||
		!slices.Equal(created.GetDiagnoses(), []string{"G4733", "I10"}) {
		t.Fatalf("CreatePatient = %v", created)
	}
	got, err := e.Patients.GetPatient(a.Intake, &clinicalv1.GetPatientRequest{Id: created.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(created, got, protocmp.Transform()); diff != "" {
		t.Errorf("GetPatient differs from CreatePatient (-create +get):\n%s", diff)
	}
	second := createPatient(t, e, a.Intake, patient(a, "Ivan", "Petrov"))
	if second.GetAccountNumber() != "PT0000002" || second.GetMbi() != "" {
		t.Errorf("second patient = %s, mbi %q", second.GetAccountNumber(), second.GetMbi())
	}
	if diff := cmp.Diff([]string{app.EventPatientCreated, app.EventPatientCreated}, e.Events.Types()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	_, err = e.Patients.GetPatient(a.Intake, &clinicalv1.GetPatientRequest{Id: uuid.NewString()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Patients.GetPatient(a.Warehouse, &clinicalv1.GetPatientRequest{Id: created.GetId()})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
}

func TestCreatePatientInvalidFields(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	tests := []struct {
		name   string
		edit   func(*clinicalv1.Patient)
		fields []string
	}{
		{name: "shape rules from the proto", edit: func(p *clinicalv1.Patient) { p.Mbi, p.Ssn = "1EG4TE5MK7S", "12-345-6789" },
			fields: []string{"patient.mbi", "patient.ssn"}},
		{name: "required fields", edit: func(p *clinicalv1.Patient) { p.FirstName, p.Sex, p.HomeAddress, p.BranchId = "", 0, nil, "" },
			fields: []string{"patient.firstName", "patient.sex", "patient.homeAddress", "patient.branchId"}},
		{name: "domain rules", edit: func(p *clinicalv1.Patient) {
			p.HomeAddress.State, p.Phones[0].Number = "ZZ", "123-555-0123"
			p.BirthDate = &date.Date{Year: 2031, Month: 2, Day: 1}
			p.Ssn = "666-12-3456"
		}, fields: []string{"patient.birthDate", "patient.homeAddress.state", "patient.phones[0].number", "patient.ssn"}},
		{name: "a masked MBI read back", edit: func(p *clinicalv1.Patient) { p.Mbi = "****TE5MK73" }, fields: []string{"patient.mbi"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := patient(a, "Margaret", "Okafor")
			tt.edit(p)
			_, err := e.Patients.CreatePatient(a.Intake, &clinicalv1.CreatePatientRequest{Patient: p})
			grpcerrtest.WantCode(t, err, codes.InvalidArgument)
			var got []string
			for _, v := range grpcerr.FieldViolations(status.Convert(err)) {
				got = append(got, v.Field)
			}
			slices.Sort(got)
			want := slices.Clone(tt.fields)
			slices.Sort(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("violated fields (-want +got):\n%s", diff)
			}
		})
	}
	if n := len(e.Events.Types()); n != 0 {
		t.Errorf("%d events after refused creates", n)
	}
}

func TestCreatePatientDuplicateWarningAndIdempotency(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	key := uuid.NewString()
	first, err := e.Patients.CreatePatient(a.Intake, &clinicalv1.CreatePatientRequest{Patient: patient(a, "Margaret", "Okafor"), RequestId: key})
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.Patients.CreatePatient(a.Intake, &clinicalv1.CreatePatientRequest{Patient: patient(a, "Margaret", "Okafor"), RequestId: key})
	if err != nil || again.GetId() != first.GetId() {
		t.Fatalf("retry = %v, %v; want patient %s", again.GetId(), err, first.GetId())
	}
	_, err = e.Patients.CreatePatient(a.Intake, &clinicalv1.CreatePatientRequest{Patient: patient(a, "Ivan", "Petrov"), RequestId: key})
	grpcerrtest.WantInvalid(t, err, "requestId")

	// The same person typed differently is a possible duplicate, named by
	// id only.
	_, err = e.Patients.CreatePatient(a.Intake, &clinicalv1.CreatePatientRequest{Patient: patient(a, "  margaret", "OKAFOR ")})
	grpcerrtest.WantCode(t, err, codes.FailedPrecondition)
	st := status.Convert(err)
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if i, ok := d.(*errdetails.ErrorInfo); ok {
			info = i
		}
	}
	if info.GetReason() != "POSSIBLE_DUPLICATE_PATIENT" || info.GetMetadata()["patient_ids"] != first.GetId() {
		t.Errorf("duplicate error info = %v", info)
	}
	if s := fmt.Sprint(st.Proto()); strings.Contains(strings.ToLower(s), "okafor") || strings.Contains(s, "1948") {
		t.Errorf("the duplicate error names the patient: %s", s)
	}
	twin, err := e.Patients.CreatePatient(a.Intake, &clinicalv1.CreatePatientRequest{Patient: patient(a, "Margaret", "Okafor"), ConfirmDuplicate: true})
	if err != nil || twin.GetId() == first.GetId() {
		t.Fatalf("confirmed duplicate = %v, %v", twin, err)
	}
	// Another company's patients are not duplicates.
	b := e.NewTenant()
	createPatient(t, e, b.Intake, patient(b, "Margaret", "Okafor"))
	if n := len(e.Events.Types()); n != 3 {
		t.Errorf("%d events, want 3 (two creates in A, one in B)", n)
	}
}

func TestPatientPHIIsMaskedWithoutThePermission(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	created := createPatient(t, e, a.Intake, withPHI(patient(a, "Margaret", "Okafor")))
	for _, c := range []struct {
		who  string
		ctx  context.Context
		want []string
	}{
		{"intake", a.Intake, []string{testMBI, testSSN, testMedicaid}},
		{"billing", a.Billing, []string{testMBI, testSSN, testMedicaid}},
		{"auditor", a.Auditor, []string{"****TE5MK73", "****6789", "****0245"}},
	} {
		got, err := e.Patients.GetPatient(c.ctx, &clinicalv1.GetPatientRequest{Id: created.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c.want, []string{got.GetMbi(), got.GetSsn(), got.GetMedicaidId()}); diff != "" {
			t.Errorf("%s sees (-want +got):\n%s", c.who, diff)
		}
		list, err := e.Patients.ListPatients(c.ctx, &clinicalv1.ListPatientsRequest{})
		if err != nil || len(list.GetPatients()) != 1 || list.GetPatients()[0].GetMbi() != c.want[0] {
			t.Errorf("%s lists %v, %v", c.who, list, err)
		}
	}
	_, err := e.Patients.UpdatePatient(a.Auditor, &clinicalv1.UpdatePatientRequest{Patient: &clinicalv1.Patient{Id: created.GetId(), FirstName: "X"}, UpdateMask: mask("first_name")})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
}

func TestUpdatePatient(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	created := createPatient(t, e, a.Intake, withPHI(patient(a, "Margaret", "Okafor")))
	update := func(p *clinicalv1.Patient, paths ...string) (*clinicalv1.Patient, error) {
		p.Id = created.GetId()
		return e.Patients.UpdatePatient(a.Intake, &clinicalv1.UpdatePatientRequest{Patient: p, UpdateMask: mask(paths...)})
	}
	got, err := update(&clinicalv1.Patient{Etag: created.GetEtag(), LastName: "Okafor-Bell", Ssn: "", HomeAddress: &commonv1.PostalAddress{Line1: "x", City: "Decatur", State: "GA", PostalCode: "30030"}},
		"last_name", "ssn", "home_address.city")
	if err != nil {
		t.Fatal(err, grpcerr.FieldViolations(status.Convert(err)))
	}
	if got.GetLastName() != "Okafor-Bell" || got.GetSsn() != "" || got.GetMbi() != testMBI || got.GetHomeAddress().GetCity() != "Decatur" ||
		got.GetHomeAddress().GetLine1() != created.GetHomeAddress().GetLine1() || got.GetEtag() != `"2"` {
		t.Errorf("updated = %v", got)
	}
	_, err = update(&clinicalv1.Patient{Etag: created.GetEtag(), FirstName: "Peggy"}, "first_name")
	grpcerrtest.WantCode(t, err, codes.Aborted)
	_, err = update(&clinicalv1.Patient{Etag: got.GetEtag(), Mbi: "****TE5MK73"}, "mbi")
	grpcerrtest.WantInvalid(t, err, "patient.mbi")
	_, err = update(&clinicalv1.Patient{Etag: got.GetEtag()}, "account_number", "colour")
	grpcerrtest.WantInvalid(t, err, "updateMask", "updateMask")
	var updated int
	for _, typ := range e.Events.Types() {
		if typ == app.EventPatientUpdated {
			updated++
		}
	}
	if updated != 1 {
		t.Errorf("%d PatientUpdated events, want 1", updated)
	}
	for _, ev := range e.Events.Events() {
		if s := fmt.Sprint(ev.Payload); strings.Contains(s, "Okafor") || strings.Contains(s, testMBI) {
			t.Errorf("event %s carries PHI: %s", ev.Type, s)
		}
	}
}

func TestListAndSearchPatients(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	names := [][2]string{{"Ann", "Smith"}, {"Bob", "smithers"}, {"Cy", "Adams"}, {"Di", "Smith"}, {"Ed", "Young"}}
	ids := map[string]string{}
	for _, n := range names {
		p := patient(a, n[0], n[1])
		if n[0] == "Di" {
			p = withPHI(p)
			p.BirthDate = &date.Date{Year: 1950, Month: 7, Day: 1}
		}
		if n[0] == "Ed" {
			p.InactiveDate = &date.Date{Year: 2020, Month: 1, Day: 1}
		}
		ids[n[0]] = createPatient(t, e, a.Intake, p).GetId()
	}
	firstNames := func(ps []*clinicalv1.Patient) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.GetFirstName())
		}
		return out
	}
	var all []string
	token := ""
	for pages := 0; pages < 5; pages++ {
		page, err := e.Patients.ListPatients(a.Auditor, &clinicalv1.ListPatientsRequest{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, firstNames(page.GetPatients())...)
		if token = page.GetNextPageToken(); token == "" {
			break
		}
	}
	if diff := cmp.Diff([]string{"Cy", "Ann", "Di", "Bob"}, all); diff != "" {
		t.Errorf("list pages, inactive left out (-want +got):\n%s", diff)
	}
	withInactive, _ := e.Patients.ListPatients(a.Auditor, &clinicalv1.ListPatientsRequest{ShowInactive: true})
	if len(withInactive.GetPatients()) != 5 {
		t.Errorf("show_inactive lists %d", len(withInactive.GetPatients()))
	}

	search := func(req *clinicalv1.SearchPatientsRequest) []string {
		t.Helper()
		res, err := e.Patients.SearchPatients(a.Intake, req)
		if err != nil {
			t.Fatalf("SearchPatients(%v): %v", req, err)
		}
		return firstNames(res.GetPatients())
	}
	for _, c := range []struct {
		req  *clinicalv1.SearchPatientsRequest
		want []string
	}{
		{&clinicalv1.SearchPatientsRequest{LastNamePrefix: "SMI"}, []string{"Ann", "Di", "Bob"}},
		{&clinicalv1.SearchPatientsRequest{LastNamePrefix: "smith", FirstNamePrefix: "d"}, []string{"Di"}},
		{&clinicalv1.SearchPatientsRequest{BirthDate: &date.Date{Year: 1950, Month: 7, Day: 1}}, []string{"Di"}},
		{&clinicalv1.SearchPatientsRequest{Mbi: "1EG4-TE5-MK73"}, []string{"Di"}},
		{&clinicalv1.SearchPatientsRequest{AccountNumber: "PT0000003"}, []string{"Cy"}},
		{&clinicalv1.SearchPatientsRequest{LastNamePrefix: "%"}, nil},
		{&clinicalv1.SearchPatientsRequest{LastNamePrefix: "you"}, nil},
		{&clinicalv1.SearchPatientsRequest{LastNamePrefix: "you", ShowInactive: true}, []string{"Ed"}},
	} {
		if diff := cmp.Diff(c.want, search(c.req)); diff != "" {
			t.Errorf("search %v (-want +got):\n%s", c.req, diff)
		}
	}
	_, err := e.Patients.SearchPatients(a.Intake, &clinicalv1.SearchPatientsRequest{})
	grpcerrtest.WantCode(t, err, codes.InvalidArgument)

	// Every patient a listing disclosed is named in its audit record,
	// with no PHI value anywhere in the trail.
	var listed bool
	for _, r := range e.Observed.Audit.Records() {
		if strings.HasSuffix(r.Method, "/SearchPatients") && strings.Contains(r.Resources["patient_ids"], ids["Di"]) {
			listed = true
		}
	}
	if !listed {
		t.Error("no audit record of a search names the patient it found")
	}
	if trail := fmt.Sprintf("%+v", e.Observed.Audit.Records()); strings.Contains(trail, testMBI) || strings.Contains(trail, "1EG4-TE5-MK73") ||
		strings.Contains(trail, "Smith") || strings.Contains(trail, "1950-07-01") || strings.Contains(trail, "{1950 7 1}") {
		t.Errorf("the audit trail holds PHI: %s", trail)
	}
}

func TestPatientsAreIsolatedByCompany(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a, b := e.NewTenant(), e.NewTenant()
	created := createPatient(t, e, a.Intake, withPHI(patient(a, "Margaret", "Okafor")))
	_, err := e.Patients.GetPatient(b.Intake, &clinicalv1.GetPatientRequest{Id: created.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Patients.UpdatePatient(b.Intake, &clinicalv1.UpdatePatientRequest{
		Patient: &clinicalv1.Patient{Id: created.GetId(), Etag: created.GetEtag(), FirstName: "Mallory"}, UpdateMask: mask("first_name")})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	list, err := e.Patients.ListPatients(b.Intake, &clinicalv1.ListPatientsRequest{ShowInactive: true})
	if err != nil || len(list.GetPatients()) != 0 {
		t.Errorf("B lists %v, %v", list, err)
	}
	found, err := e.Patients.SearchPatients(b.Intake, &clinicalv1.SearchPatientsRequest{Mbi: testMBI})
	if err != nil || len(found.GetPatients()) != 0 {
		t.Errorf("B finds A's patient by MBI: %v, %v", found, err)
	}
	// The same MBI in B is another company's patient, not a collision.
	createPatient(t, e, b.Intake, withPHI(patient(b, "Margaret", "Okafor")))
	_, err = e.Patients.CreatePatient(a.Intake, &clinicalv1.CreatePatientRequest{Patient: withPHI(patient(a, "Peggy", "Okafor")), ConfirmDuplicate: true})
	grpcerrtest.WantCode(t, err, codes.AlreadyExists)
}

// TestPatientPHIIsSealedAtRest reads the rows behind the service's back:
// no PHI identifier is stored in clear anywhere in the row.
func TestPatientPHIIsSealedAtRest(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	created := createPatient(t, e, a.Intake, withPHI(patient(a, "Margaret", "Okafor")))
	var row string
	var mbi, index, ssn, medicaid []byte
	err := e.DB.Super.QueryRow(context.Background(), `select p::text, mbi_ciphertext, mbi_index, ssn_ciphertext, medicaid_id_ciphertext
		from clinical.patients p where id = $1`, created.GetId()).Scan(&row, &mbi, &index, &ssn, &medicaid)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{testMBI, testSSN, testMedicaid, "1EG4-TE5-MK73", "123-45-6789"} {
		if strings.Contains(row, secret) || strings.Contains(row, fmt.Sprintf("%x", secret)) {
			t.Errorf("the row holds %q in clear: %s", secret, row)
		}
		for _, col := range [][]byte{mbi, index, ssn, medicaid} {
			if strings.Contains(string(col), secret) {
				t.Errorf("a sealed column holds %q", secret)
			}
		}
	}
	if len(mbi) == 0 || len(index) != 32 || len(ssn) == 0 || len(medicaid) == 0 {
		t.Errorf("sealed columns: mbi %d bytes, index %d, ssn %d, medicaid %d", len(mbi), len(index), len(ssn), len(medicaid))
	}
	// A ciphertext moved to another column no longer opens: the column is
	// part of its associated data.
	if _, err := e.DB.Super.Exec(context.Background(), `update clinical.patients set ssn_ciphertext = mbi_ciphertext where id = $1`, created.GetId()); err != nil {
		t.Fatal(err)
	}
	_, err = e.Patients.GetPatient(a.Intake, &clinicalv1.GetPatientRequest{Id: created.GetId()})
	grpcerrtest.WantCode(t, err, codes.Internal)
	if logs := e.Observed.Logs.String(); strings.Contains(logs, testMBI) || strings.Contains(logs, testSSN) {
		t.Errorf("the log holds PHI:\n%s", logs)
	}
}
