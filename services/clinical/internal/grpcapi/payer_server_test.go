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

func payer(name, code string) *clinicalv1.Payer {
	return &clinicalv1.Payer{
		Name: name, PayerCode: code, Type: clinicalv1.PayerType_PAYER_TYPE_MEDICARE,
		Address: &commonv1.PostalAddress{Line1: "PO Box 6702", City: "Fargo", State: "ND", PostalCode: "58108-6702"},
		Phone:   &commonv1.PhoneNumber{Number: "866-590-6731", Kind: commonv1.PhoneKind_PHONE_KIND_WORK},
	}
}

func createPayer(t *testing.T, e *clinicaltest.Env, ctx context.Context, p *clinicalv1.Payer) *clinicalv1.Payer {
	t.Helper()
	got, err := e.Payers.CreatePayer(ctx, &clinicalv1.CreatePayerRequest{Payer: p})
	if err != nil {
		t.Fatalf("CreatePayer: %v", err)
	}
	return got
}

func createPlan(t *testing.T, e *clinicaltest.Env, ctx context.Context, payerID, name string) *clinicalv1.Plan {
	t.Helper()
	got, err := e.Payers.CreatePlan(ctx, &clinicalv1.CreatePlanRequest{PayerId: payerID, Plan: &clinicalv1.Plan{Name: name, PlanCode: "PART-B"}})
	if err != nil {
		t.Fatalf("CreatePlan: %v", err)
	}
	return got
}

func TestCreateAndGetPayerAndPlan(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	created := createPayer(t, e, a.Billing, payer("  Noridian JD  ", "16013"))
	want := &clinicalv1.Payer{
		Id: created.GetId(), Name: "Noridian JD", PayerCode: "16013", Type: clinicalv1.PayerType_PAYER_TYPE_MEDICARE,
		Address: &commonv1.PostalAddress{Line1: "PO Box 6702", City: "Fargo", State: "ND", PostalCode: "58108-6702"},
		Phone:   &commonv1.PhoneNumber{Number: "+18665906731", Kind: commonv1.PhoneKind_PHONE_KIND_WORK},
		Active:  true, Etag: `"1"`,
	}
	if _, err := uuid.Parse(created.GetId()); err != nil {
		t.Fatalf("id %q: %v", created.GetId(), err)
	}
	if created.GetCreateTime() == nil || !proto.Equal(created.GetCreateTime(), created.GetUpdateTime()) {
		t.Errorf("create_time %v, update_time %v", created.GetCreateTime(), created.GetUpdateTime())
	}
	if diff := cmp.Diff(want, created, protocmp.Transform(), protocmp.IgnoreFields(&clinicalv1.Payer{}, "create_time", "update_time")); diff != "" {
		t.Errorf("CreatePayer (-want +got):\n%s", diff)
	}
	for name, ctx := range map[string]context.Context{"billing": a.Billing, "intake": a.Intake, "auditor": a.Auditor} {
		got, err := e.Payers.GetPayer(ctx, &clinicalv1.GetPayerRequest{Id: created.GetId()})
		if err != nil {
			t.Fatalf("GetPayer as %s: %v", name, err)
		}
		if diff := cmp.Diff(created, got, protocmp.Transform()); diff != "" {
			t.Errorf("GetPayer as %s (-create +get):\n%s", name, diff)
		}
	}

	plan := createPlan(t, e, a.Billing, created.GetId(), " Medicare Part B ")
	wantPlan := &clinicalv1.Plan{Id: plan.GetId(), PayerId: created.GetId(), Name: "Medicare Part B", PlanCode: "PART-B", Active: true, Etag: `"1"`}
	if diff := cmp.Diff(wantPlan, plan, protocmp.Transform(), protocmp.IgnoreFields(&clinicalv1.Plan{}, "create_time", "update_time")); diff != "" {
		t.Errorf("CreatePlan (-want +got):\n%s", diff)
	}
	got, err := e.Payers.GetPlan(a.Intake, &clinicalv1.GetPlanRequest{PayerId: created.GetId(), Id: plan.GetId()})
	if err != nil {
		t.Fatalf("GetPlan: %v", err)
	}
	if diff := cmp.Diff(plan, got, protocmp.Transform()); diff != "" {
		t.Errorf("GetPlan (-create +get):\n%s", diff)
	}

	if diff := cmp.Diff([]string{app.EventPayerCreated, app.EventPlanCreated}, e.Events.Types()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	ev := e.Events.Events()
	if p, ok := ev[0].Payload.(*clinicalv1.PayerCreated); !ok || p.GetPayerId() != created.GetId() || p.GetCompanyId() != a.CompanyID ||
		p.GetPayerCode() != "16013" || p.GetType() != clinicalv1.PayerType_PAYER_TYPE_MEDICARE || p.GetActorId() == "" {
		t.Errorf("PayerCreated payload = %v", ev[0].Payload)
	}
	if p, ok := ev[1].Payload.(*clinicalv1.PlanCreated); !ok || p.GetPlanId() != plan.GetId() || p.GetPayerId() != created.GetId() ||
		p.GetName() != "Medicare Part B" {
		t.Errorf("PlanCreated payload = %v", ev[1].Payload)
	}

	// A plan is named under its own payer only.
	other := createPayer(t, e, a.Billing, payer("Georgia Medicaid", "GAMCD"))
	_, err = e.Payers.GetPlan(a.Billing, &clinicalv1.GetPlanRequest{PayerId: other.GetId(), Id: plan.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Payers.GetPayer(a.Billing, &clinicalv1.GetPayerRequest{Id: uuid.NewString()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Payers.CreatePlan(a.Billing, &clinicalv1.CreatePlanRequest{PayerId: uuid.NewString(), Plan: &clinicalv1.Plan{Name: "Orphan"}})
	grpcerrtest.WantCode(t, err, codes.NotFound)
}

func TestPayerPermissions(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	p := createPayer(t, e, a.Billing, payer("Noridian JD", "16013"))
	// Intake reads payers (payers.read) but does not manage them.
	_, err := e.Payers.CreatePayer(a.Intake, &clinicalv1.CreatePayerRequest{Payer: payer("Palmetto", "11502")})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.Payers.UpdatePayer(a.Intake, &clinicalv1.UpdatePayerRequest{Payer: &clinicalv1.Payer{Id: p.GetId(), Name: "X"}, UpdateMask: mask("name")})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.Payers.CreatePlan(a.Intake, &clinicalv1.CreatePlanRequest{PayerId: p.GetId(), Plan: &clinicalv1.Plan{Name: "Part B"}})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.Payers.CreatePayer(a.Auditor, &clinicalv1.CreatePayerRequest{Payer: payer("Palmetto", "11502")})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.Payers.GetPayer(a.Warehouse, &clinicalv1.GetPayerRequest{Id: p.GetId()})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.Payers.ListPayers(a.Warehouse, &clinicalv1.ListPayersRequest{})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.Payers.ListPlans(a.Warehouse, &clinicalv1.ListPlansRequest{PayerId: p.GetId()})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	if got := e.Events.Types(); len(got) != 1 {
		t.Errorf("events = %v, want only the first PayerCreated", got)
	}
}

func TestCreatePayerAndPlanInvalidFields(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	tests := []struct {
		name   string
		edit   func(p *clinicalv1.CreatePayerRequest)
		fields []string
	}{
		{"name missing", func(r *clinicalv1.CreatePayerRequest) { r.Payer.Name = "  " }, []string{"payer.name"}},
		{"payer code lower case", func(r *clinicalv1.CreatePayerRequest) { r.Payer.PayerCode = "ab-1" }, []string{"payer.payerCode"}},
		{"payer code missing", func(r *clinicalv1.CreatePayerRequest) { r.Payer.PayerCode = "" }, []string{"payer.payerCode"}},
		{"type missing", func(r *clinicalv1.CreatePayerRequest) { r.Payer.Type = clinicalv1.PayerType_PAYER_TYPE_UNSPECIFIED }, []string{"payer.type"}},
		{"type undefined", func(r *clinicalv1.CreatePayerRequest) { r.Payer.Type = 42 }, []string{"payer.type"}},
		{"address state", func(r *clinicalv1.CreatePayerRequest) { r.Payer.Address.State = "XX" }, []string{"payer.address.state"}},
		{"phone number", func(r *clinicalv1.CreatePayerRequest) { r.Payer.Phone.Number = "555-0100" }, []string{"payer.phone.number"}},
		{"request id", func(r *clinicalv1.CreatePayerRequest) { r.RequestId = "not-a-uuid" }, []string{"requestId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &clinicalv1.CreatePayerRequest{Payer: payer("Noridian JD", "16013")}
			tt.edit(req)
			_, err := e.Payers.CreatePayer(a.Billing, req)
			grpcerrtest.WantInvalid(t, err, tt.fields...)
		})
	}
	p := createPayer(t, e, a.Billing, payer("Noridian JD", "16013"))
	planTests := []struct {
		name   string
		req    *clinicalv1.CreatePlanRequest
		fields []string
	}{
		{"plan name missing", &clinicalv1.CreatePlanRequest{PayerId: p.GetId(), Plan: &clinicalv1.Plan{Name: " "}}, []string{"plan.name"}},
		{"plan code too long", &clinicalv1.CreatePlanRequest{PayerId: p.GetId(), Plan: &clinicalv1.Plan{Name: "B", PlanCode: "0123456789012345678901234567890"}},
			[]string{"plan.planCode"}},
		{"payer id", &clinicalv1.CreatePlanRequest{PayerId: "payer-1", Plan: &clinicalv1.Plan{Name: "B"}}, []string{"payerId"}},
	}
	for _, tt := range planTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Payers.CreatePlan(a.Billing, tt.req)
			grpcerrtest.WantInvalid(t, err, tt.fields...)
		})
	}
	if got := e.Events.Types(); len(got) != 1 {
		t.Errorf("events = %v, want the one valid payer's", got)
	}
}

func TestPayerCodeIsUniquePerCompany(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a, b := e.NewTenant(), e.NewTenant()
	first := createPayer(t, e, a.Billing, payer("Noridian JD", "16013"))
	_, err := e.Payers.CreatePayer(a.Billing, &clinicalv1.CreatePayerRequest{Payer: payer("Noridian again", "16013")})
	grpcerrtest.WantCode(t, err, codes.AlreadyExists)
	// Another company may use the same code.
	createPayer(t, e, b.Billing, payer("Noridian JD", "16013"))
	// Renaming a payer's code to one taken is refused too, and writes nothing.
	second := createPayer(t, e, a.Billing, payer("Palmetto GBA", "11502"))
	_, err = e.Payers.UpdatePayer(a.Billing, &clinicalv1.UpdatePayerRequest{
		Payer: &clinicalv1.Payer{Id: second.GetId(), PayerCode: "16013", Etag: second.GetEtag()}, UpdateMask: mask("payer_code")})
	grpcerrtest.WantCode(t, err, codes.AlreadyExists)
	got, err := e.Payers.GetPayer(a.Billing, &clinicalv1.GetPayerRequest{Id: second.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetPayerCode() != "11502" || got.GetEtag() != `"1"` {
		t.Errorf("after the refused update: code %q etag %s", got.GetPayerCode(), got.GetEtag())
	}
	_ = first
}

func TestCreatePayerAndPlanAreIdempotent(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	key := uuid.NewString()
	req := &clinicalv1.CreatePayerRequest{Payer: payer("Noridian JD", "16013"), RequestId: key}
	first, err := e.Payers.CreatePayer(a.Billing, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.Payers.CreatePayer(a.Billing, req)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if diff := cmp.Diff(first, again, protocmp.Transform()); diff != "" {
		t.Errorf("retry returned another payer (-first +retry):\n%s", diff)
	}
	_, err = e.Payers.CreatePayer(a.Billing, &clinicalv1.CreatePayerRequest{Payer: payer("Palmetto GBA", "11502"), RequestId: key})
	grpcerrtest.WantInvalid(t, err, "requestId")

	planKey := uuid.NewString()
	planReq := &clinicalv1.CreatePlanRequest{PayerId: first.GetId(), Plan: &clinicalv1.Plan{Name: "Part B"}, RequestId: planKey}
	plan, err := e.Payers.CreatePlan(a.Billing, planReq)
	if err != nil {
		t.Fatal(err)
	}
	planAgain, err := e.Payers.CreatePlan(a.Billing, planReq)
	if err != nil || planAgain.GetId() != plan.GetId() {
		t.Errorf("plan retry = %v, %v; want plan %s", planAgain.GetId(), err, plan.GetId())
	}
	_, err = e.Payers.CreatePlan(a.Billing, &clinicalv1.CreatePlanRequest{PayerId: first.GetId(), Plan: &clinicalv1.Plan{Name: "Part A"}, RequestId: planKey})
	grpcerrtest.WantInvalid(t, err, "requestId")

	if diff := cmp.Diff([]string{app.EventPayerCreated, app.EventPlanCreated}, e.Events.Types()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	list, err := e.Payers.ListPayers(a.Billing, &clinicalv1.ListPayersRequest{})
	if err != nil || len(list.GetPayers()) != 1 {
		t.Errorf("ListPayers = %d payers, %v; want 1", len(list.GetPayers()), err)
	}
}

func TestUpdatePayerAndPlan(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	p := createPayer(t, e, a.Billing, payer("Noridian JD", "16013"))
	updated, err := e.Payers.UpdatePayer(a.Billing, &clinicalv1.UpdatePayerRequest{
		Payer:      &clinicalv1.Payer{Id: p.GetId(), Name: "Noridian Jurisdiction D", Address: &commonv1.PostalAddress{Line1: "Ignored", City: "Bismarck", State: "XX", PostalCode: "58501"}, Etag: p.GetEtag()},
		UpdateMask: mask("name", "address.city"),
	})
	if err != nil {
		t.Fatalf("UpdatePayer: %v", err)
	}
	if updated.GetName() != "Noridian Jurisdiction D" || updated.GetAddress().GetCity() != "Bismarck" ||
		updated.GetAddress().GetLine1() != "PO Box 6702" || updated.GetPayerCode() != "16013" || updated.GetEtag() != `"2"` {
		t.Errorf("UpdatePayer = %v", updated)
	}
	// The etag read before the update is stale now.
	_, err = e.Payers.UpdatePayer(a.Billing, &clinicalv1.UpdatePayerRequest{
		Payer: &clinicalv1.Payer{Id: p.GetId(), Name: "Lost update", Etag: p.GetEtag()}, UpdateMask: mask("name")})
	grpcerrtest.WantCode(t, err, codes.Aborted)
	_, err = e.Payers.UpdatePayer(a.Billing, &clinicalv1.UpdatePayerRequest{
		Payer: &clinicalv1.Payer{Id: p.GetId(), Name: "X"}, UpdateMask: mask("create_time")})
	grpcerrtest.WantInvalid(t, err, "updateMask")
	_, err = e.Payers.UpdatePayer(a.Billing, &clinicalv1.UpdatePayerRequest{
		Payer: &clinicalv1.Payer{Id: p.GetId(), Name: ""}, UpdateMask: mask("name")})
	grpcerrtest.WantInvalid(t, err, "payer.name")
	_, err = e.Payers.UpdatePayer(a.Billing, &clinicalv1.UpdatePayerRequest{
		Payer: &clinicalv1.Payer{Id: "nope", Name: "X"}, UpdateMask: mask("name")})
	grpcerrtest.WantInvalid(t, err, "payer.id")

	// Deactivated payers and plans leave the default listings.
	plan := createPlan(t, e, a.Billing, p.GetId(), "Part B")
	off, err := e.Payers.UpdatePlan(a.Billing, &clinicalv1.UpdatePlanRequest{
		Plan: &clinicalv1.Plan{PayerId: p.GetId(), Id: plan.GetId(), Active: false, Etag: plan.GetEtag()}, UpdateMask: mask("active")})
	if err != nil {
		t.Fatalf("UpdatePlan: %v", err)
	}
	if off.GetActive() || off.GetName() != "Part B" || off.GetEtag() != `"2"` {
		t.Errorf("UpdatePlan = %v", off)
	}
	_, err = e.Payers.UpdatePlan(a.Billing, &clinicalv1.UpdatePlanRequest{
		Plan: &clinicalv1.Plan{PayerId: p.GetId(), Id: plan.GetId(), Name: "Stale", Etag: plan.GetEtag()}, UpdateMask: mask("name")})
	grpcerrtest.WantCode(t, err, codes.Aborted)
	_, err = e.Payers.UpdatePlan(a.Billing, &clinicalv1.UpdatePlanRequest{
		Plan: &clinicalv1.Plan{PayerId: uuid.NewString(), Id: plan.GetId(), Name: "Elsewhere"}, UpdateMask: mask("name")})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	plans, err := e.Payers.ListPlans(a.Billing, &clinicalv1.ListPlansRequest{PayerId: p.GetId()})
	if err != nil || len(plans.GetPlans()) != 0 {
		t.Errorf("ListPlans = %v, %v; want none active", plans.GetPlans(), err)
	}
	plans, err = e.Payers.ListPlans(a.Billing, &clinicalv1.ListPlansRequest{PayerId: p.GetId(), ShowInactive: true})
	if err != nil || len(plans.GetPlans()) != 1 {
		t.Errorf("ListPlans(show_inactive) = %v, %v; want the plan", plans.GetPlans(), err)
	}
	if _, err := e.Payers.UpdatePayer(a.Billing, &clinicalv1.UpdatePayerRequest{
		Payer: &clinicalv1.Payer{Id: p.GetId(), Active: false}, UpdateMask: mask("active")}); err != nil {
		t.Fatal(err)
	}
	payers, err := e.Payers.ListPayers(a.Billing, &clinicalv1.ListPayersRequest{})
	if err != nil || len(payers.GetPayers()) != 0 {
		t.Errorf("ListPayers = %v, %v; want none active", payers.GetPayers(), err)
	}

	want := []string{app.EventPayerCreated, app.EventPayerUpdated, app.EventPlanCreated, app.EventPlanUpdated, app.EventPayerUpdated}
	if diff := cmp.Diff(want, e.Events.Types()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if u, ok := e.Events.Events()[1].Payload.(*clinicalv1.PayerUpdated); !ok ||
		!cmp.Equal(u.GetChangedFields(), []string{"name", "address.city"}) || u.GetVersion() != 2 {
		t.Errorf("PayerUpdated payload = %v", e.Events.Events()[1].Payload)
	}
}

func TestListPayersAndPlansPages(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a := e.NewTenant()
	names := []string{"delta Dental", "Aetna", "cigna", "Blue Cross", "Empire"}
	var payerID string
	for i, n := range names {
		p := createPayer(t, e, a.Billing, payer(n, "P"+string(rune('A'+i))))
		if i == 0 {
			payerID = p.GetId()
		}
		createPlan(t, e, a.Billing, payerID, n+" plan")
	}
	commercial := payer("Zeta Health", "ZETA")
	commercial.Type = clinicalv1.PayerType_PAYER_TYPE_COMMERCIAL
	createPayer(t, e, a.Billing, commercial)

	var got []string
	token := ""
	for pages := 0; ; pages++ {
		resp, err := e.Payers.ListPayers(a.Auditor, &clinicalv1.ListPayersRequest{PageSize: 2, PageToken: token,
			Type: clinicalv1.PayerType_PAYER_TYPE_MEDICARE})
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if len(resp.GetPayers()) > 2 {
			t.Fatalf("page %d has %d payers", pages, len(resp.GetPayers()))
		}
		for _, p := range resp.GetPayers() {
			got = append(got, p.GetName())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
		if pages > 5 {
			t.Fatal("pages do not end")
		}
	}
	if diff := cmp.Diff([]string{"Aetna", "Blue Cross", "cigna", "delta Dental", "Empire"}, got); diff != "" {
		t.Errorf("payers by name (-want +got):\n%s", diff)
	}
	// A token is bound to its filter.
	first, err := e.Payers.ListPayers(a.Billing, &clinicalv1.ListPayersRequest{PageSize: 1})
	if err != nil || first.GetNextPageToken() == "" {
		t.Fatalf("first page: %v", err)
	}
	_, err = e.Payers.ListPayers(a.Billing, &clinicalv1.ListPayersRequest{PageSize: 1, PageToken: first.GetNextPageToken(),
		Type: clinicalv1.PayerType_PAYER_TYPE_COMMERCIAL})
	grpcerrtest.WantInvalid(t, err, "pageToken")
	_, err = e.Payers.ListPayers(a.Billing, &clinicalv1.ListPayersRequest{PageSize: 1001})
	grpcerrtest.WantInvalid(t, err, "pageSize")

	var plans []string
	token = ""
	for pages := 0; pages < 5; pages++ {
		resp, err := e.Payers.ListPlans(a.Intake, &clinicalv1.ListPlansRequest{PayerId: payerID, PageSize: 3, PageToken: token})
		if err != nil {
			t.Fatalf("plans page %d: %v", pages, err)
		}
		for _, p := range resp.GetPlans() {
			plans = append(plans, p.GetName())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if diff := cmp.Diff([]string{"Aetna plan", "Blue Cross plan", "cigna plan", "delta Dental plan", "Empire plan"}, plans); diff != "" {
		t.Errorf("plans by name (-want +got):\n%s", diff)
	}
	_, err = e.Payers.ListPlans(a.Intake, &clinicalv1.ListPlansRequest{PayerId: uuid.NewString()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
}

func TestPayersAreIsolatedByCompany(t *testing.T) {
	t.Parallel()
	e := clinicaltest.New(t)
	a, b := e.NewTenant(), e.NewTenant()
	p := createPayer(t, e, a.Billing, payer("Noridian JD", "16013"))
	plan := createPlan(t, e, a.Billing, p.GetId(), "Part B")

	_, err := e.Payers.GetPayer(b.Billing, &clinicalv1.GetPayerRequest{Id: p.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Payers.UpdatePayer(b.Billing, &clinicalv1.UpdatePayerRequest{Payer: &clinicalv1.Payer{Id: p.GetId(), Name: "Mine"}, UpdateMask: mask("name")})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Payers.GetPlan(b.Billing, &clinicalv1.GetPlanRequest{PayerId: p.GetId(), Id: plan.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Payers.UpdatePlan(b.Billing, &clinicalv1.UpdatePlanRequest{Plan: &clinicalv1.Plan{PayerId: p.GetId(), Id: plan.GetId(), Name: "Mine"}, UpdateMask: mask("name")})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Payers.CreatePlan(b.Billing, &clinicalv1.CreatePlanRequest{PayerId: p.GetId(), Plan: &clinicalv1.Plan{Name: "Mine"}})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.Payers.ListPlans(b.Billing, &clinicalv1.ListPlansRequest{PayerId: p.GetId(), ShowInactive: true})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	list, err := e.Payers.ListPayers(b.Billing, &clinicalv1.ListPayersRequest{ShowInactive: true})
	if err != nil || len(list.GetPayers()) != 0 {
		t.Errorf("company B's ListPayers = %v, %v; want empty", list.GetPayers(), err)
	}
	got, err := e.Payers.GetPayer(a.Billing, &clinicalv1.GetPayerRequest{Id: p.GetId()})
	if err != nil || got.GetName() != "Noridian JD" || got.GetEtag() != `"1"` {
		t.Errorf("company A's payer after B's attempts = %v, %v", got, err)
	}
}
