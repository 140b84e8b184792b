package grpcapi_test

import (
	"bytes"
	"context"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/keyring/keyringtest"
	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/server"
	"github.com/ariesone/ariesone/platform/server/servertest"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/domain"
	"github.com/ariesone/ariesone/services/company/internal/grpcapi"
	"github.com/ariesone/ariesone/services/company/internal/store"
	"github.com/ariesone/ariesone/services/company/internal/store/storetest"
)

// harness is the directory's gRPC services on a loopback port behind the
// full platform interceptor chain (authentication, authorization,
// validation, error mapping), on a fresh database.
type harness struct {
	db        *storetest.DB
	ring      *keyring.Keyring
	events    *app.MemoryRecorder
	app       *app.Application
	keys      *authtest.KeySet
	srv       *server.Server
	companies companyv1.CompanyServiceClient
	locations companyv1.LocationServiceClient
	users     companyv1.UserServiceClient
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{db: storetest.New(t), events: storetest.Recorder(t), keys: authtest.NewKeySet(t)}
	h.ring = keyringtest.New(t)
	pages, err := page.NewSealer(h.ring)
	if err != nil {
		t.Fatal(err)
	}
	h.app = app.NewApplication(app.Deps{
		Store: store.NewRepository(h.db.App), Keyring: h.ring, Pages: pages,
		UnitOfWork: h.db.App, Events: h.events,
	})

	h.srv = servertest.New(t, "company", h.keys)
	grpcapi.RegisterDirectory(h.srv.GRPC(), h.app)
	conn := servertest.Start(t, h.srv)
	h.companies = companyv1.NewCompanyServiceClient(conn)
	h.locations = companyv1.NewLocationServiceClient(conn)
	h.users = companyv1.NewUserServiceClient(conn)
	return h
}

// tenant is a bootstrapped company and its owner.
type tenant struct {
	companyID string
	ownerID   string
	// owner calls as the company's owner.
	owner context.Context
}

func (h *harness) bootstrap(t *testing.T, code string) tenant {
	t.Helper()
	res, err := h.app.Companies.Bootstrap(context.Background(), app.BootstrapCompany{
		Code:            code,
		LegalName:       code + " Medical Supply, LLC",
		OwnerEmail:      "owner@" + code + ".example",
		OwnerPassword:   "correct horse battery staple",
		OwnerGivenName:  "Olive",
		OwnerFamilyName: "Owner",
	})
	if err != nil {
		t.Fatalf("bootstrap %s: %v", code, err)
	}
	return tenant{companyID: res.CompanyID, ownerID: res.OwnerID, owner: h.as(res.CompanyID, res.OwnerID, "owner")}
}

// as returns a context calling as user subject of company with roles.
func (h *harness) as(company, subject string, roles ...string) context.Context {
	return h.keys.As(company, subject, roles...)
}

func mask(paths ...string) *fieldmaskpb.FieldMask { return &fieldmaskpb.FieldMask{Paths: paths} }

func TestGetCompany(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	b := h.bootstrap(t, "bravo")

	got, err := h.companies.GetCompany(a.owner, &companyv1.GetCompanyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetId() != a.companyID || got.GetCode() != "acme" || got.GetLegalName() != "acme Medical Supply, LLC" ||
		got.GetStatus() != companyv1.CompanyStatus_COMPANY_STATUS_ACTIVE || got.GetTaxonomyCode() != "332B00000X" || got.GetEtag() != `"1"` {
		t.Errorf("GetCompany = %v", got)
	}
	// Every role reads its own company, and only its own.
	viewer := h.as(b.companyID, "someone", "technician")
	got, err = h.companies.GetCompany(viewer, &companyv1.GetCompanyRequest{})
	if err != nil || got.GetId() != b.companyID {
		t.Errorf("technician of bravo reads %v, %v", got.GetId(), err)
	}
	_, err = h.companies.GetCompany(context.Background(), &companyv1.GetCompanyRequest{})
	grpcerrtest.WantCode(t, err, codes.Unauthenticated)
}

func TestUpdateCompany(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")

	got, err := h.companies.UpdateCompany(a.owner, &companyv1.UpdateCompanyRequest{
		Company: &companyv1.Company{
			DisplayName: "Acme",
			Npi:         "1234567893",
			TaxId:       "12-3456789",
			Address:     &commonv1.PostalAddress{Line1: "1200 Main St", City: "Atlanta", State: "GA", PostalCode: "303011234"},
			Phone:       &commonv1.PhoneNumber{Number: "(404) 555-0123", Kind: commonv1.PhoneKind_PHONE_KIND_WORK},
			Etag:        `"1"`,
		},
		UpdateMask: mask("display_name", "npi", "tax_id", "address", "phone"),
	})
	if err != nil {
		t.Fatalf("UpdateCompany: %v", err)
	}
	if got.GetDisplayName() != "Acme" || got.GetNpi() != "1234567893" || got.GetTaxId() != "" || got.GetTaxIdLast4() != "6789" ||
		got.GetAddress().GetPostalCode() != "30301-1234" || got.GetPhone().GetNumber() != "+14045550123" || got.GetEtag() != `"2"` ||
		got.GetLegalName() != "acme Medical Supply, LLC" {
		t.Errorf("UpdateCompany = %v", got)
	}
	if types := h.events.Types(); types[len(types)-1] != app.EventCompanyUpdated {
		t.Errorf("events = %v, want CompanyUpdated last", types)
	}

	// The tax id is stored sealed, bound to the company and column.
	var sealed []byte
	var last4 string
	if err := h.db.Super.QueryRow(context.Background(), `select tax_id_ciphertext, tax_id_last4 from companies where id = $1`, a.companyID).Scan(&sealed, &last4); err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"123456789", "12-3456789"} {
		if bytes.Contains(sealed, []byte(plain)) {
			t.Errorf("stored tax id contains the plaintext %q", plain)
		}
	}
	if opened, err := h.ring.DecryptString(sealed, a.companyID, domain.TaxIDAssociatedData); err != nil || opened != "123456789" {
		t.Errorf("sealed tax id opens to %q, %v", opened, err)
	}
	if _, err := h.ring.DecryptString(sealed, "another-company", domain.TaxIDAssociatedData); err == nil {
		t.Error("sealed tax id opens under another company's associated data")
	}
	if last4 != "6789" {
		t.Errorf("last4 column = %q", last4)
	}

	// An implied mask leaves the input-only tax id alone when none is sent.
	got, err = h.companies.UpdateCompany(a.owner, &companyv1.UpdateCompanyRequest{Company: &companyv1.Company{
		LegalName: "Acme Medical Supply, LLC", TaxonomyCode: "332B00000X",
	}})
	if err != nil || got.GetTaxIdLast4() != "6789" || got.GetDisplayName() != "" || got.GetAddress() != nil {
		t.Errorf("implied-mask update = %v, %v", got, err)
	}
}

func TestUpdateCompanyRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	admin := h.as(a.companyID, "admin-1", "admin")
	update := func(ctx context.Context, c *companyv1.Company, paths ...string) error {
		_, err := h.companies.UpdateCompany(ctx, &companyv1.UpdateCompanyRequest{Company: c, UpdateMask: mask(paths...)})
		return err
	}

	grpcerrtest.WantCode(t, update(admin, &companyv1.Company{DisplayName: "x"}, "display_name"), codes.PermissionDenied)
	grpcerrtest.WantCode(t, update(a.owner, &companyv1.Company{DisplayName: "x", Etag: `"7"`}, "display_name"), codes.Aborted)
	grpcerrtest.WantInvalid(t, update(a.owner, &companyv1.Company{Etag: "7"}, "display_name"), "company.etag")
	grpcerrtest.WantInvalid(t, update(a.owner, &companyv1.Company{}, "nickname"), "updateMask")
	grpcerrtest.WantInvalid(t, update(a.owner, &companyv1.Company{}, "status", "code", "tax_id_last4", "create_time"), "updateMask", "updateMask", "updateMask", "updateMask")
	grpcerrtest.WantInvalid(t, update(a.owner, &companyv1.Company{}, "address.country"), "updateMask")
	// The proto's shape rules run first; the domain's rules next.
	grpcerrtest.WantInvalid(t, update(a.owner, &companyv1.Company{Npi: "123"}, "npi"), "company.npi")
	grpcerrtest.WantInvalid(t, update(a.owner, &companyv1.Company{Npi: "1234567890", TaxId: "07-1234567", Address: &commonv1.PostalAddress{Line1: "1 Main", City: "X", State: "ZZ", PostalCode: "30301"}},
		"npi", "tax_id", "address"), "company.npi", "company.taxId", "company.address.state")
	grpcerrtest.WantInvalid(t, update(a.owner, &companyv1.Company{LegalName: ""}, "legal_name"), "company.legalName")
	// The company is always the caller's: naming another is refused.
	b := h.bootstrap(t, "bravo")
	grpcerrtest.WantInvalid(t, update(a.owner, &companyv1.Company{Id: b.companyID, DisplayName: "x"}, "display_name"), "company.id")

	got, err := h.companies.GetCompany(a.owner, &companyv1.GetCompanyRequest{})
	if err != nil || got.GetEtag() != `"1"` {
		t.Errorf("a refused update changed the company: %v, %v", got, err)
	}
	// id and etag in a mask are ignored, not refused (REST derives masks
	// from the body).
	if err := update(a.owner, &companyv1.Company{Id: a.companyID, DisplayName: "Acme", Etag: `"1"`}, "id", "etag", "display_name"); err != nil {
		t.Errorf("mask with id and etag: %v", err)
	}
}

func TestEveryDirectoryMethodHasAnAccessRule(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	policy, err := auth.PolicyFor(h.srv.GRPC())
	if err != nil {
		t.Fatal(err)
	}
	if unruled := policy.Unruled(); len(unruled) != 0 {
		t.Errorf("methods without an access rule: %v", unruled)
	}
	for _, m := range []string{"/ariesone.company.v1.LocationService/CreateLocation", "/ariesone.company.v1.UserService/SetUserRoles", "/ariesone.company.v1.CompanyService/UpdateCompany"} {
		if _, ok := policy.Rule(m); !ok {
			t.Errorf("%s is not registered with a rule", m)
		}
	}
}
