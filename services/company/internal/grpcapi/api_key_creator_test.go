package grpcapi_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/services/company/internal/app"
)

// An administrator's key stops working when the owner deactivates the
// administrator, over the real transport: the exchange is UNAUTHENTICATED
// and audited as refused naming the key and its creator, the key shows an
// end (revoke_time: the API has no disabled state) in GetApiKey and in
// ListApiKeys with show_revoked, and is left out of the default list.
// Reactivating the administrator leaves the key refused.
func TestAuthRPCKeyStopsWithItsCreator(t *testing.T) {
	h := newSinkAuditedAuthHarness(t)
	owner := authtest.Bearer(h.login(t).GetAccessToken())

	const adminEmail, adminPassword = "ada@acme.example", "a long admin passphrase 7"
	created, err := h.users.CreateUser(owner, &companyv1.CreateUserRequest{User: &companyv1.User{
		Email: adminEmail, GivenName: "Ada", FamilyName: "Admin",
	}, Roles: []companyv1.Role{companyv1.Role_ROLE_ADMIN}, Password: adminPassword})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	adminPair, err := h.auth.Login(context.Background(), &companyv1.LoginRequest{CompanyCode: rpcCompanyCode, Email: adminEmail, Password: adminPassword})
	if err != nil {
		t.Fatalf("Login as the admin: %v", err)
	}
	admin := authtest.Bearer(adminPair.GetAccessToken())
	made, err := h.keys.CreateApiKey(admin, &companyv1.CreateApiKeyRequest{
		ApiKey: &companyv1.ApiKey{ClientName: "Acme Billing", Roles: []companyv1.Role{companyv1.Role_ROLE_ADMIN}},
	})
	if err != nil {
		t.Fatalf("CreateApiKey as the admin: %v", err)
	}
	keyID, secret := made.GetApiKey().GetId(), made.GetSecret()
	exchange := func() error {
		_, err := h.auth.ExchangeApiKey(context.Background(), &companyv1.ExchangeApiKeyRequest{ApiKey: secret})
		return err
	}
	if err := exchange(); err != nil {
		t.Fatalf("exchange while the admin is active: %v", err)
	}

	deactivated, err := h.users.DeactivateUser(owner, &companyv1.DeactivateUserRequest{Id: created.GetId()})
	if err != nil {
		t.Fatalf("DeactivateUser: %v", err)
	}
	wantAuthCode(t, "exchange after the admin's deactivation", exchange(), codes.Unauthenticated)

	got, err := h.keys.GetApiKey(owner, &companyv1.GetApiKeyRequest{Id: keyID})
	if err != nil {
		t.Fatalf("GetApiKey: %v", err)
	}
	if got.GetRevokeTime() == nil || !got.GetRevokeTime().AsTime().Equal(deactivated.GetUpdateTime().AsTime()) {
		t.Errorf("GetApiKey revoke_time = %v, want the deactivation's time %v", got.GetRevokeTime(), deactivated.GetUpdateTime())
	}
	listed := func(showRevoked bool) *companyv1.ApiKey {
		t.Helper()
		list, err := h.keys.ListApiKeys(owner, &companyv1.ListApiKeysRequest{ShowRevoked: showRevoked})
		if err != nil {
			t.Fatalf("ListApiKeys: %v", err)
		}
		for _, k := range list.GetApiKeys() {
			if k.GetId() == keyID {
				return k
			}
		}
		return nil
	}
	if k := listed(false); k != nil {
		t.Errorf("the default list shows the disabled key: %v", k)
	}
	if k := listed(true); k == nil || k.GetRevokeTime() == nil {
		t.Errorf("the list with show_revoked shows %v, want the key with its revoke_time", k)
	}

	if _, err := h.users.ReactivateUser(owner, &companyv1.ReactivateUserRequest{Id: created.GetId()}); err != nil {
		t.Fatalf("ReactivateUser: %v", err)
	}
	wantAuthCode(t, "exchange after the admin's reactivation", exchange(), codes.Unauthenticated)
	if got, err := h.keys.GetApiKey(owner, &companyv1.GetApiKeyRequest{Id: keyID}); err != nil || got.GetRevokeTime() == nil {
		t.Errorf("GetApiKey after reactivation = %v, %v; want it still ended", got, err)
	}

	want := auditedRecord{"/ariesone.company.v1.AuthService/ExchangeApiKey", "UNAUTHENTICATED",
		map[string]string{app.AuditAPIKeyID: keyID, app.AuditUserID: created.GetId()}}
	var records []auditedRecord
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if records = refusals(t, h); len(records) >= 2 {
			break
		}
	}
	if len(records) != 2 {
		t.Fatalf("refused exchanges audited: %v, want the two", records)
	}
	for _, r := range records {
		if r.Method != want.Method || r.Code != want.Code || r.Resources[app.AuditAPIKeyID] != keyID || r.Resources[app.AuditUserID] != created.GetId() {
			t.Errorf("audit record %v, want %v", r, want)
		}
	}
}
