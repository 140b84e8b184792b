package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/revocation"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/authn/authntest"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// keyTenant is a company with an owner and two administrators, each able to
// create keys, on the real store.
type keyTenant struct {
	e                *authntest.Env
	companyID        string
	owner, ana, bert identity.Principal
}

func newKeyTenant(t *testing.T) keyTenant {
	t.Helper()
	e := authntest.New(t, authntest.Options{})
	k := keyTenant{e: e, companyID: e.SeedCompany(t, "acme-dme", "active")}
	as := func(email string, roles ...string) identity.Principal {
		id := e.SeedUser(t, k.companyID, email, "correct horse battery staple", roles...)
		return identity.Principal{Subject: id, CompanyID: k.companyID, Roles: roles, Kind: identity.KindUser}
	}
	k.owner = as("owner@acme.test", "owner")
	k.ana = as("ana@acme.test", "admin")
	k.bert = as("bert@acme.test", "admin")
	return k
}

func (k keyTenant) ctx(p identity.Principal) context.Context {
	return identity.NewContext(context.Background(), p)
}

// newKey creates an admin key as p and returns it with its secret.
func (k keyTenant) newKey(t *testing.T, p identity.Principal, name string, expire time.Time) (domain.APIKey, string) {
	t.Helper()
	key, secret, err := k.e.App.APIKeys.Create(k.ctx(p), p, app.CreateAPIKey{
		ClientName: name, Roles: []domain.Role{domain.RoleAdmin}, ExpireTime: expire,
	})
	if err != nil {
		t.Fatalf("create key %s: %v", name, err)
	}
	return key, secret
}

func (k keyTenant) get(t *testing.T, id string) domain.APIKey {
	t.Helper()
	key, err := k.e.App.APIKeys.Get(k.ctx(k.owner), id)
	if err != nil {
		t.Fatalf("get key: %v", err)
	}
	return key
}

// Deactivating a user disables, in the deactivation's transaction, the
// usable keys they created, and only those: another administrator's key,
// the user's revoked key and their expired key are left as they were.
// Each disabled key gets one ApiKeyRevoked, which the platform's
// revocation set reads as the key's revocation; none of the others do. Reactivating the user enables nothing,
// and the disabled key can still be revoked.
func TestDeactivationDisablesTheCreatorsKeys(t *testing.T) {
	t.Parallel()
	k := newKeyTenant(t)
	anaKey, anaSecret := k.newKey(t, k.ana, "ana's billing", time.Time{})
	anaRevoked, _ := k.newKey(t, k.ana, "ana's old", time.Time{})
	if _, err := k.e.App.APIKeys.Revoke(k.ctx(k.ana), k.ana, anaRevoked.ID); err != nil {
		t.Fatal(err)
	}
	anaExpiring, _ := k.newKey(t, k.ana, "ana's trial", k.e.Clock.Now().Add(time.Hour))
	bertKey, bertSecret := k.newKey(t, k.bert, "bert's billing", time.Time{})
	k.e.Clock.Advance(2 * time.Hour)
	before := len(k.e.Events.Events())

	u, err := k.e.App.Users.Deactivate(k.ctx(k.owner), app.DeactivateUser{ID: k.ana.Subject})
	if err != nil {
		t.Fatalf("Deactivate: %v", err)
	}

	disabled := k.get(t, anaKey.ID)
	if !disabled.DisableTime.Equal(u.UpdateTime) || disabled.DisableReason != domain.APIKeyCreatorDeactivated || !disabled.RevokeTime.IsZero() {
		t.Errorf("ana's key after her deactivation: disabled %v (%q), revoked %v; want disabled at %v for creator_deactivated, not revoked",
			disabled.DisableTime, disabled.DisableReason, disabled.RevokeTime, u.UpdateTime)
	}
	for name, id := range map[string]string{"revoked": anaRevoked.ID, "expired": anaExpiring.ID, "bert's": bertKey.ID} {
		if got := k.get(t, id); !got.DisableTime.IsZero() || got.DisableReason != "" {
			t.Errorf("%s key disabled (%v, %q); want it untouched", name, got.DisableTime, got.DisableReason)
		}
	}
	var revokedKeys []string
	for _, ev := range k.e.Events.Events()[before:] {
		if ev.Type != app.EventAPIKeyRevoked {
			continue
		}
		p := ev.Payload.(*companyv1.ApiKeyRevoked)
		revokedKeys = append(revokedKeys, p.GetApiKeyId())
		// What every process's revocation set makes of it: the key's
		// tokens, issued at or before the event, are refused.
		payload, err := proto.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		r, ok := revocation.FromEvent(bus.Message{Type: ev.Type, Payload: payload, OccurTime: u.UpdateTime})
		if !ok || r.Subject != anaKey.ID {
			t.Errorf("revocation read from the event = %+v, %v; want the key %s as subject", r, ok, anaKey.ID)
		}
		if p.GetActorId() != k.owner.Subject || !p.GetOccurTime().AsTime().Equal(u.UpdateTime) || p.GetPrefix() != anaKey.Prefix {
			t.Errorf("ApiKeyRevoked %v: want the owner as actor, the deactivation's time and the key's prefix", p)
		}
	}
	if diff := cmp.Diff([]string{anaKey.ID}, revokedKeys); diff != "" {
		t.Errorf("keys announced as revoked (-want +got):\n%s", diff)
	}

	exchange := func(what, secret string, want bool) {
		t.Helper()
		_, err := k.e.App.APIKeys.Exchange(context.Background(), secret)
		if want && err != nil {
			t.Errorf("%s: exchange refused: %v", what, err)
		}
		if !want && !errs.Is(err, errs.KindUnauthenticated) {
			t.Errorf("%s: exchange = %v, want UNAUTHENTICATED", what, err)
		}
	}
	exchange("ana's disabled key", anaSecret, false)
	exchange("bert's key", bertSecret, true)

	// The default list leaves the disabled key out, as it does a revoked one.
	listed, _, err := k.e.App.APIKeys.List(k.ctx(k.owner), k.owner, app.ListAPIKeys{})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range listed {
		if key.ID == anaKey.ID {
			t.Errorf("the default list shows the disabled key")
		}
	}

	if _, err := k.e.App.Users.Reactivate(k.ctx(k.owner), app.ReactivateUser{ID: k.ana.Subject}); err != nil {
		t.Fatalf("Reactivate: %v", err)
	}
	if got := k.get(t, anaKey.ID); !got.DisableTime.Equal(disabled.DisableTime) {
		t.Errorf("after reactivation the key's disable time is %v, want %v still", got.DisableTime, disabled.DisableTime)
	}
	exchange("ana's key after her reactivation", anaSecret, false)

	revoked, err := k.e.App.APIKeys.Revoke(k.ctx(k.owner), k.owner, anaKey.ID)
	if err != nil || revoked.RevokeTime.IsZero() || !revoked.EndTime().Equal(disabled.DisableTime) {
		t.Errorf("revoking the disabled key = %+v, %v; want it revoked, still ended when disabled", revoked, err)
	}
}

// A key created while its creator is being deactivated waits for the
// deactivation and is refused, so no key escapes it: the create reads its
// creator FOR SHARE.
func TestDeactivatedUserCannotCreateKeys(t *testing.T) {
	t.Parallel()
	k := newKeyTenant(t)
	if _, err := k.e.App.Users.Deactivate(k.ctx(k.owner), app.DeactivateUser{ID: k.ana.Subject}); err != nil {
		t.Fatal(err)
	}
	_, _, err := k.e.App.APIKeys.Create(k.ctx(k.ana), k.ana, app.CreateAPIKey{ClientName: "late", Roles: []domain.Role{domain.RolePartner}})
	if !errs.Is(err, errs.KindPermissionDenied) {
		t.Errorf("a deactivated user's create = %v, want PERMISSION_DENIED", err)
	}
}
