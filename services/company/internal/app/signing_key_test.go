package app_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/authn"
	"github.com/ariesone/ariesone/services/company/internal/authn/authntest"
	"github.com/ariesone/ariesone/services/company/internal/domain"
	"github.com/ariesone/ariesone/services/company/internal/store"
)

// publishedKIDs returns the kids of a KeySet's JWKS, in order.
func publishedKIDs(t *testing.T, keys *authn.KeySet) []string {
	t.Helper()
	doc, err := keys.JWKS(context.Background(), 0)
	if err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
			Alg string `json:"alg"`
			Use string `json:"use"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatalf("JWKS document: %v", err)
	}
	var kids []string
	for _, k := range set.Keys {
		if k.Alg != "RS256" || k.Use != "sig" {
			t.Errorf("key %s: alg %q use %q, want RS256 sig", k.KID, k.Alg, k.Use)
		}
		kids = append(kids, k.KID)
	}
	return kids
}

func TestSigningKeyIsMadeOnceWhenReplicasStartTogether(t *testing.T) {
	t.Parallel()
	e := authntest.New(t, authntest.Options{NoSigningKey: true})
	const replicas = 4
	made := make([]*domain.SigningKey, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			// Each replica has its own use case over the shared table.
			rotation := app.NewApplication(app.Deps{
				Store: store.NewRepository(e.DB), KeyGenerator: e.Generator, UnitOfWork: e.DB, Events: e.Events,
				SigningKeyPolicy: e.Settings.SigningKeyPolicy(e.KeySet.CacheTTL()),
			}).SigningKeys
			var err error
			if made[i], err = rotation.Ensure(context.Background()); err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	makers := 0
	for _, m := range made {
		if m != nil {
			makers++
		}
	}
	var rows int
	if err := e.Super.QueryRow(context.Background(), `select count(*) from signing_keys`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if makers != 1 || rows != 1 {
		t.Errorf("%d replicas made a key, %d keys stored; want 1 and 1", makers, rows)
	}
	// A later start finds the key young enough.
	if m, err := e.App.SigningKeys.Ensure(context.Background()); err != nil || m != nil {
		t.Errorf("EnsureSigningKey on a fresh key = %v, %v; want nothing made", m, err)
	}
}

func TestSigningKeyRotationKeepsOldTokensVerifiable(t *testing.T) {
	t.Parallel()
	w := newAuthWorld(t, authntest.Options{})
	ctx := context.Background()
	verifier := w.verifier(t)
	before := w.login(t)
	k1 := before.Access.KeyID

	k2, err := w.App.SigningKeys.Rotate(ctx, app.RotateSigningKey{ActorID: "operator"})
	if err != nil {
		t.Fatalf("RotateSigningKey: %v", err)
	}
	// Another replica, with a fresh copy of the keys, signs with the new key.
	replica := authn.NewKeySet(w.SigningKeys, w.Keyring)
	otherAuth := app.NewApplication(app.Deps{
		Store: store.NewRepository(w.DB), Tokens: authn.NewIssuer(replica, authntest.Issuer, authntest.Audience),
		Pages: w.Pages, UnitOfWork: w.DB, Events: w.Events, AuthPolicy: w.Settings.AuthPolicy(),
	}).Auth
	after, err := otherAuth.Login(ctx, app.Login{CompanyCode: acmeCode, Email: ownerEmail, Password: ownerPassword})
	if err != nil {
		t.Fatalf("Login on the other replica: %v", err)
	}
	if after.Access.KeyID != k2.KeyID {
		t.Fatalf("new token signed by %s, want the new key %s", after.Access.KeyID, k2.KeyID)
	}
	// This replica's verifier has never seen k2: the unknown kid makes it
	// reload; the token signed before the rotation still verifies.
	time.Sleep(20 * time.Millisecond) // past the verifier's unknown-kid floor
	for name, tok := range map[string]string{"before rotation": before.Access.Token, "after rotation": after.Access.Token} {
		if _, err := verifier.Verify(ctx, tok); err != nil {
			t.Errorf("Verify token signed %s: %v", name, err)
		}
	}
	if diff := cmp.Diff([]string{k2.KeyID, k1}, publishedKIDs(t, replica)); diff != "" {
		t.Errorf("published after rotation (-want +got):\n%s", diff)
	}

	events := w.Events.Events()
	last := events[len(events)-2] // then SessionStarted of the second login
	rotated, ok := last.Payload.(interface{ GetPreviousKeyId() string })
	if last.Type != app.EventSigningKeyRotated || last.CompanyID != "" || !ok || rotated.GetPreviousKeyId() != k1 {
		t.Errorf("rotation event %+v, want SigningKeyRotated without company, previous key %s", last, k1)
	}

	// Once every token k1 signed has expired, k1 leaves the key set.
	w.Clock.Advance(w.Settings.SigningKeyPolicy(w.KeySet.CacheTTL()).PublishAfterRetire)
	if diff := cmp.Diff([]string{k2.KeyID}, publishedKIDs(t, w.KeySet)); diff != "" {
		t.Errorf("published after k1's tokens expired (-want +got):\n%s", diff)
	}
}

func TestSigningKeyIsReplacedWhenTooOld(t *testing.T) {
	t.Parallel()
	e := authntest.New(t, authntest.Options{})
	first, err := e.KeySet.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Age the key past SIGNING_KEY_MAX_AGE.
	if _, err := e.Super.Exec(context.Background(), `update signing_keys set activate_time = activate_time - $1::interval`,
		(e.Settings.SigningKeyMaxAge + time.Hour).String()); err != nil {
		t.Fatal(err)
	}
	made, err := e.App.SigningKeys.Ensure(context.Background())
	if err != nil || made == nil {
		t.Fatalf("EnsureSigningKey on an old key = %v, %v; want a new key", made, err)
	}
	if err := e.KeySet.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	current, err := e.KeySet.Current(context.Background())
	if err != nil || current.KeyID != made.KeyID || current.KeyID == first.KeyID {
		t.Errorf("current key %s (%v), want the new %s", current.KeyID, err, made.KeyID)
	}
}

func TestSigningKeyRowMustMatchItsPrivateKey(t *testing.T) {
	t.Parallel()
	e := authntest.New(t, authntest.Options{NoSigningKey: true})
	ctx := context.Background()
	if _, err := e.App.SigningKeys.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	other, err := e.Generator.GenerateSigningKey(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Swap in another key's public half: the row no longer describes the
	// private key it holds.
	if _, err := e.Super.Exec(ctx, `update signing_keys set public_key_pem = $1`, other.PublicKeyPEM); err != nil {
		t.Fatal(err)
	}
	if _, err := authn.NewKeySet(e.SigningKeys, e.Keyring).Current(ctx); err == nil {
		t.Error("a key whose public half does not match its private half was accepted")
	}
}
