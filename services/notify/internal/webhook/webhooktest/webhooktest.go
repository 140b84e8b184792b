// Package webhooktest runs the webhook API for a test the way production
// does: a fresh notify schema on a real Postgres, migrated by a non-owner
// role and used by one that owns nothing (row-level security binds it), a
// key ring sealing the secrets, and WebhookService behind the platform's
// whole interceptor chain on a loopback port, called with real tokens.
package webhooktest

import (
	"context"
	"testing"

	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/keyring/keyringtest"
	"github.com/ariesone/ariesone/platform/page/pagetest"
	"github.com/ariesone/ariesone/platform/server/servertest"
	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/grpcapi"
	"github.com/ariesone/ariesone/services/notify/internal/store"
	"github.com/ariesone/ariesone/services/notify/internal/store/storetest"
)

// Options vary the harness.
type Options struct {
	// AllowInsecureTargets accepts http URLs (loopback test receivers).
	AllowInsecureTargets bool
}

// Harness is one test's webhook service.
type Harness struct {
	DB    *storetest.DB
	Ring  *keyring.Keyring
	Store *store.WebhookStore
	// App is the application WebhookService runs, built with the
	// webhook dependencies only.
	App *app.Application
	// Client calls WebhookService over loopback gRPC.
	Client notifyv1.WebhookServiceClient
	keys   *authtest.KeySet
}

// New starts the harness; everything stops when the test ends.
func New(t testing.TB, opts Options) *Harness {
	t.Helper()
	h := &Harness{DB: storetest.New(t), Ring: keyringtest.New(t), keys: authtest.NewKeySet(t)}
	h.Store = store.NewWebhookStore(h.DB.App)
	h.App = app.NewApplication(app.Deps{Webhooks: h.Store, Keyring: h.Ring, Pages: pagetest.Sealer(t, h.Ring), AllowInsecureTargets: opts.AllowInsecureTargets})

	srv := servertest.New(t, "notify", h.keys)
	grpcapi.RegisterWebhooks(srv.GRPC(), h.App)
	h.Client = notifyv1.NewWebhookServiceClient(servertest.Start(t, srv))
	return h
}

// As returns an outgoing context calling as user subject of company with
// roles, carrying a token signed by the test issuer.
func (h *Harness) As(company, subject string, roles ...string) context.Context {
	return h.keys.As(company, subject, roles...)
}

// Principal returns an in-process context of user subject of company, for
// calling the application or the store directly.
func Principal(company, subject string, roles ...string) context.Context {
	return identity.NewContext(context.Background(), identity.Principal{
		Subject: subject, CompanyID: company, Roles: roles, Kind: identity.KindUser,
	})
}
