package grpcapi_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
)

// Valid NPIs (the check digit is right); 1234567890 is not.
const (
	npiA = "1234567893"
	npiB = "1987654328"
	npiC = "1111111112"
	npiD = "2222222228"
)

func prescriber(npi, first, last string) *clinicalv1.Prescriber {
	return &clinicalv1.Prescriber{
		Npi: npi, FirstName: first, LastName: last, Credentials: "MD", PecosEnrolled: true,
		Address: &commonv1.PostalAddress{Line1: "550 Peachtree St NE", City: "Atlanta", State: "GA", PostalCode: "30308"},
		Phone:   &commonv1.PhoneNumber{Number: "404-555-0100", Extension: "12", Kind: commonv1.PhoneKind_PHONE_KIND_WORK},
		Fax:     &commonv1.PhoneNumber{Number: "(404) 555-0199"},
	}
}

func createPrescriber(t *testing.T, e *clinicaltest.Env, ctx context.Context, p *clinicalv1.Prescriber) *clinicalv1.Prescriber {
	t.Helper()
	got, err := e.Prescribers.CreatePrescriber(ctx, &clinicalv1.CreatePrescriberRequest{Prescriber: p})
	if err != nil {
		t.Fatalf("CreatePrescriber: %v", err)
	}
	return got
}

func TestCreateAndGetPrescriber(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	created := createPrescriber(t, e, a.Intake, prescriber(npiA, " Ada  ", "Lovelace"))
	want := &clinicalv1.Prescriber{
		Id: created.GetId(), Npi: npiA, FirstName: "Ada", LastName: "Lovelace", Credentials: "MD", PecosEnrolled: true,
		Address: &commonv1.PostalAddress{Line1: "550 Peachtree St NE", City: "Atlanta", State: "GA", PostalCode: "30308"},
		Phone:   &commonv1.PhoneNumber{Number: "+14045550100", Extension: "12", Kind: commonv1.PhoneKind_PHONE_KIND_WORK},
		Fax:     &commonv1.PhoneNumber{Number: "+14045550199", Kind: commonv1.PhoneKind_PHONE_KIND_FAX},
		Active:  true, Etag: `"1"`,
	}
	if _, err := uuid.Parse(created.GetId()); err != nil {
		t.Fatalf("id %q: %v", created.GetId(), err)
	}
	if created.GetCreateTime() == nil || !proto.Equal(created.GetCreateTime(), created.GetUpdateTime()) {
		t.Errorf("create_time %v, update_time %v", created.GetCreateTime(), created.GetUpdateTime())
	}
	if diff := cmp.Diff(want, created, protocmp.Transform(), protocmp.IgnoreFields(&clinicalv1.Prescriber{}, "create_time", "update_time")); diff != "" {
		t.Errorf("CreatePrescriber (-want +got):\n%s", diff)
	}
	// Every reader sees the same prescriber: nothing of it is PHI.
	for name, ctx := range map[string]context.Context{"intake": a.Intake, "auditor": a.Auditor, "billing": a.Billing} {
		got, err := e.Prescribers.GetPrescriber(ctx, &clinicalv1.GetPrescriberRequest{Id: created.GetId()})
		if err != nil {
			t.Fatalf("GetPrescriber as %s: %v", name, err)
		}
		if diff := cmp.Diff(created, got, protocmp.Transform()); diff != "" {
			t.Errorf("GetPrescriber as %s differs from CreatePrescriber (-create +get):\n%s", name, diff)
		}
	}
	if diff := cmp.Diff([]string{app.EventPrescriberCreated}, e.Events.Types()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	payload, ok := e.Events.Events()[0].Payload.(*clinicalv1.PrescriberCreated)
	if !ok || payload.GetPrescriberId() != created.GetId() || payload.GetCompanyId() != a.CompanyID ||
		payload.GetNpi() != npiA || !payload.GetPecosEnrolled() || payload.GetActorId() == "" {
		t.Errorf("PrescriberCreated payload = %v", e.Events.Events()[0].Payload)
	}

	_, err := e.Prescribers.GetPrescriber(a.Intake, &clinicalv1.GetPrescriberRequest{Id: uuid.NewString()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Prescribers.GetPrescriber(a.Warehouse, &clinicalv1.GetPrescriberRequest{Id: created.GetId()})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.Prescribers.CreatePrescriber(a.Auditor, &clinicalv1.CreatePrescriberRequest{Prescriber: prescriber(npiB, "Read", "Only")})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.Prescribers.UpdatePrescriber(a.Auditor, &clinicalv1.UpdatePrescriberRequest{
		Prescriber: &clinicalv1.Prescriber{Id: created.GetId(), Active: false}, UpdateMask: mask("active")})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.Prescribers.ListPrescribers(a.Warehouse, &clinicalv1.ListPrescribersRequest{})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
}

func TestCreatePrescriberInvalidFields(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	tests := []struct {
		name   string
		edit   func(p *clinicalv1.Prescriber)
		fields []string
	}{
		{"npi check digit", func(p *clinicalv1.Prescriber) { p.Npi = "1234567890" }, []string{"prescriber.npi"}},
		{"npi pattern", func(p *clinicalv1.Prescriber) { p.Npi = "3234567893" }, []string{"prescriber.npi"}},
		{"npi missing", func(p *clinicalv1.Prescriber) { p.Npi = "" }, []string{"prescriber.npi"}},
		{"names missing", func(p *clinicalv1.Prescriber) { p.FirstName, p.LastName = "", "  " },
			[]string{"prescriber.firstName", "prescriber.lastName"}},
		{"credentials", func(p *clinicalv1.Prescriber) { p.Credentials = "M.D.;" }, []string{"prescriber.credentials"}},
		{"address state", func(p *clinicalv1.Prescriber) { p.Address.State = "XX" }, []string{"prescriber.address.state"}},
		{"phone number", func(p *clinicalv1.Prescriber) { p.Phone.Number = "555-0100" }, []string{"prescriber.phone.number"}},
		{"fax extension", func(p *clinicalv1.Prescriber) { p.Fax.Extension = "9" }, []string{"prescriber.fax.extension"}},
		{"request id", nil, []string{"requestId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &clinicalv1.CreatePrescriberRequest{Prescriber: prescriber(npiA, "Ada", "Lovelace")}
			if tt.edit != nil {
				tt.edit(req.Prescriber)
			} else {
				req.RequestId = "not-a-uuid"
			}
			_, err := e.Prescribers.CreatePrescriber(a.Intake, req)
			grpcerrtest.WantInvalid(t, err, tt.fields...)
		})
	}
	// Nothing was written.
	list, err := e.Prescribers.ListPrescribers(a.Intake, &clinicalv1.ListPrescribersRequest{ShowInactive: true})
	if err != nil || len(list.GetPrescribers()) != 0 || len(e.Events.Types()) != 0 {
		t.Errorf("after refused creates: %v, %v, events %v", list, err, e.Events.Types())
	}
}

func TestCreatePrescriberIdempotencyAndUniqueNPI(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a, b := e.NewTenant(), e.NewTenant()
	key := uuid.NewString()
	req := &clinicalv1.CreatePrescriberRequest{Prescriber: prescriber(npiA, "Ada", "Lovelace"), RequestId: key}
	first, err := e.Prescribers.CreatePrescriber(a.Intake, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.Prescribers.CreatePrescriber(a.Intake, req)
	if err != nil || again.GetId() != first.GetId() {
		t.Fatalf("repeated CreatePrescriber = %v, %v; want the first (%s)", again.GetId(), err, first.GetId())
	}
	if got := len(e.Events.Types()); got != 1 {
		t.Errorf("%d events after a repeated create, want 1", got)
	}
	// The same key with another body is the client's mistake.
	_, err = e.Prescribers.CreatePrescriber(a.Intake, &clinicalv1.CreatePrescriberRequest{
		Prescriber: prescriber(npiB, "Grace", "Hopper"), RequestId: key})
	grpcerrtest.WantInvalid(t, err, "requestId")
	// The NPI is the company's once...
	_, err = e.Prescribers.CreatePrescriber(a.Intake, &clinicalv1.CreatePrescriberRequest{Prescriber: prescriber(npiA, "Other", "Person")})
	grpcerrtest.WantCode(t, err, codes.AlreadyExists)
	// ...and another company's business.
	if _, err := e.Prescribers.CreatePrescriber(b.Intake, &clinicalv1.CreatePrescriberRequest{Prescriber: prescriber(npiA, "Ada", "Lovelace"), RequestId: key}); err != nil {
		t.Errorf("company B, same NPI and request id: %v", err)
	}
}

func TestUpdatePrescriber(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	p := createPrescriber(t, e, a.Intake, prescriber(npiA, "Ada", "Lovelace"))
	other := createPrescriber(t, e, a.Intake, prescriber(npiB, "Grace", "Hopper"))

	got, err := e.Prescribers.UpdatePrescriber(a.Intake, &clinicalv1.UpdatePrescriberRequest{
		Prescriber: &clinicalv1.Prescriber{Id: p.GetId(), Etag: p.GetEtag(), PecosEnrolled: false,
			Address: &commonv1.PostalAddress{Line1: "1 Ignored Way", City: "Decatur", State: "GA", PostalCode: "30030"}},
		UpdateMask: mask("pecos_enrolled", "address.city"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetPecosEnrolled() || got.GetAddress().GetCity() != "Decatur" || got.GetAddress().GetLine1() != "550 Peachtree St NE" ||
		got.GetNpi() != npiA || got.GetEtag() != `"2"` || !got.GetActive() {
		t.Errorf("UpdatePrescriber = %v", got)
	}
	events := e.Events.Events()
	updated, ok := events[len(events)-1].Payload.(*clinicalv1.PrescriberUpdated)
	if !ok || !cmp.Equal(updated.GetChangedFields(), []string{"pecos_enrolled", "address.city"}) || updated.GetVersion() != 2 ||
		updated.GetPecosEnrolled() || !updated.GetActive() {
		t.Errorf("PrescriberUpdated payload = %v", events[len(events)-1].Payload)
	}

	// Deactivation through the mask.
	got, err = e.Prescribers.UpdatePrescriber(a.Intake, &clinicalv1.UpdatePrescriberRequest{
		Prescriber: &clinicalv1.Prescriber{Id: p.GetId(), Active: false}, UpdateMask: mask("active")})
	if err != nil || got.GetActive() {
		t.Fatalf("deactivate = %v, %v", got, err)
	}

	// Stale etag: ABORTED, nothing written.
	_, err = e.Prescribers.UpdatePrescriber(a.Intake, &clinicalv1.UpdatePrescriberRequest{
		Prescriber: &clinicalv1.Prescriber{Id: p.GetId(), Etag: p.GetEtag(), Credentials: "DO"}, UpdateMask: mask("credentials")})
	grpcerrtest.WantCode(t, err, codes.Aborted)

	tests := []struct {
		name   string
		req    *clinicalv1.UpdatePrescriberRequest
		fields []string
	}{
		{"bad npi", &clinicalv1.UpdatePrescriberRequest{
			Prescriber: &clinicalv1.Prescriber{Id: p.GetId(), Npi: "1234567890"}, UpdateMask: mask("npi")}, []string{"prescriber.npi"}},
		{"named name cleared", &clinicalv1.UpdatePrescriberRequest{
			Prescriber: &clinicalv1.Prescriber{Id: p.GetId()}, UpdateMask: mask("last_name")}, []string{"prescriber.lastName"}},
		{"output only", &clinicalv1.UpdatePrescriberRequest{
			Prescriber: &clinicalv1.Prescriber{Id: p.GetId()}, UpdateMask: mask("create_time")}, []string{"updateMask"}},
		{"unknown path", &clinicalv1.UpdatePrescriberRequest{
			Prescriber: &clinicalv1.Prescriber{Id: p.GetId()}, UpdateMask: mask("address.country")}, []string{"updateMask"}},
		{"bad id", &clinicalv1.UpdatePrescriberRequest{
			Prescriber: &clinicalv1.Prescriber{Id: "nope"}, UpdateMask: mask("active")}, []string{"prescriber.id"}},
		{"bad etag", &clinicalv1.UpdatePrescriberRequest{
			Prescriber: &clinicalv1.Prescriber{Id: p.GetId(), Etag: "W/x"}, UpdateMask: mask("active")}, []string{"prescriber.etag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Prescribers.UpdatePrescriber(a.Intake, tt.req)
			grpcerrtest.WantInvalid(t, err, tt.fields...)
		})
	}

	// Taking another prescriber's NPI.
	_, err = e.Prescribers.UpdatePrescriber(a.Intake, &clinicalv1.UpdatePrescriberRequest{
		Prescriber: &clinicalv1.Prescriber{Id: other.GetId(), Npi: npiA}, UpdateMask: mask("npi")})
	grpcerrtest.WantCode(t, err, codes.AlreadyExists)

	_, err = e.Prescribers.UpdatePrescriber(a.Intake, &clinicalv1.UpdatePrescriberRequest{
		Prescriber: &clinicalv1.Prescriber{Id: uuid.NewString()}, UpdateMask: mask("active")})
	grpcerrtest.WantCode(t, err, codes.NotFound)

	final, err := e.Prescribers.GetPrescriber(a.Intake, &clinicalv1.GetPrescriberRequest{Id: p.GetId()})
	if err != nil || final.GetEtag() != `"3"` || final.GetCredentials() != "MD" || final.GetLastName() != "Lovelace" {
		t.Errorf("after refused updates: %v, %v", final, err)
	}
	if diff := cmp.Diff([]string{app.EventPrescriberCreated, app.EventPrescriberCreated, app.EventPrescriberUpdated,
		app.EventPrescriberUpdated}, e.Events.Types()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestListPrescribers(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	hopper := createPrescriber(t, e, a.Intake, prescriber(npiA, "Grace", "Hopper"))
	lovelace := createPrescriber(t, e, a.Intake, prescriber(npiB, "Ada", "lovelace"))
	lowell := createPrescriber(t, e, a.Intake, prescriber(npiC, "Percival", "Lowell"))
	babbage := createPrescriber(t, e, a.Intake, prescriber(npiD, "Charles", "Babbage"))
	if _, err := e.Prescribers.UpdatePrescriber(a.Intake, &clinicalv1.UpdatePrescriberRequest{
		Prescriber: &clinicalv1.Prescriber{Id: babbage.GetId(), Active: false}, UpdateMask: mask("active")}); err != nil {
		t.Fatal(err)
	}
	ids := func(ps []*clinicalv1.Prescriber) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.GetId())
		}
		return out
	}

	// Pages of two, by last name case-insensitively; inactive left out.
	var all []string
	req := &clinicalv1.ListPrescribersRequest{PageSize: 2}
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("too many pages")
		}
		resp, err := e.Prescribers.ListPrescribers(a.Auditor, req)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ids(resp.GetPrescribers())...)
		if resp.GetNextPageToken() == "" {
			break
		}
		req.PageToken = resp.GetNextPageToken()
	}
	if diff := cmp.Diff([]string{hopper.GetId(), lovelace.GetId(), lowell.GetId()}, all); diff != "" {
		t.Errorf("active prescribers (-want +got):\n%s", diff)
	}

	tests := []struct {
		name string
		req  *clinicalv1.ListPrescribersRequest
		want []string
	}{
		{"show inactive", &clinicalv1.ListPrescribersRequest{ShowInactive: true},
			[]string{babbage.GetId(), hopper.GetId(), lovelace.GetId(), lowell.GetId()}},
		{"last name prefix", &clinicalv1.ListPrescribersRequest{LastNamePrefix: "LO"}, []string{lovelace.GetId(), lowell.GetId()}},
		{"prefix is not a pattern", &clinicalv1.ListPrescribersRequest{LastNamePrefix: "%"}, nil},
		{"npi", &clinicalv1.ListPrescribersRequest{Npi: npiC}, []string{lowell.GetId()}},
		{"inactive npi", &clinicalv1.ListPrescribersRequest{Npi: npiD}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := e.Prescribers.ListPrescribers(a.Intake, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(resp.GetPrescribers())); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	// A token is bound to its filter.
	first, err := e.Prescribers.ListPrescribers(a.Intake, &clinicalv1.ListPrescribersRequest{PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Prescribers.ListPrescribers(a.Intake, &clinicalv1.ListPrescribersRequest{
		PageSize: 1, PageToken: first.GetNextPageToken(), ShowInactive: true})
	grpcerrtest.WantInvalid(t, err, "pageToken")
	_, err = e.Prescribers.ListPrescribers(a.Intake, &clinicalv1.ListPrescribersRequest{Npi: "1234567890"})
	grpcerrtest.WantInvalid(t, err, "npi")
	_, err = e.Prescribers.ListPrescribers(a.Intake, &clinicalv1.ListPrescribersRequest{PageSize: 1001})
	grpcerrtest.WantInvalid(t, err, "pageSize")
}

func TestPrescribersAreIsolatedByCompany(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a, b := e.NewTenant(), e.NewTenant()
	p := createPrescriber(t, e, a.Intake, prescriber(npiA, "Ada", "Lovelace"))

	_, err := e.Prescribers.GetPrescriber(b.Intake, &clinicalv1.GetPrescriberRequest{Id: p.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Prescribers.UpdatePrescriber(b.Intake, &clinicalv1.UpdatePrescriberRequest{
		Prescriber: &clinicalv1.Prescriber{Id: p.GetId(), Active: false}, UpdateMask: mask("active")})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	for _, req := range []*clinicalv1.ListPrescribersRequest{{ShowInactive: true}, {Npi: npiA}, {LastNamePrefix: "Love"}} {
		resp, err := e.Prescribers.ListPrescribers(b.Auditor, req)
		if err != nil || len(resp.GetPrescribers()) != 0 {
			t.Errorf("company B ListPrescribers(%v) = %v, %v; want none", req, resp, err)
		}
	}
	got, err := e.Prescribers.GetPrescriber(a.Intake, &clinicalv1.GetPrescriberRequest{Id: p.GetId()})
	if err != nil || !got.GetActive() || got.GetEtag() != `"1"` {
		t.Errorf("company A's prescriber after B's attempts: %v, %v", got, err)
	}
}
