package grpcapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/grpcerr"
	"github.com/ariesone/ariesone/platform/keyring/keyringtest"
	"github.com/ariesone/ariesone/platform/page/pagetest"
	"github.com/ariesone/ariesone/platform/server/servertest"
	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/app/apptest"
	"github.com/ariesone/ariesone/services/notify/internal/grpcapi"
	"github.com/ariesone/ariesone/services/notify/internal/store"
	"github.com/ariesone/ariesone/services/notify/internal/store/storetest"
)

// rpcT0 starts every RPC test's timeline.
var rpcT0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// rpcHarness serves the notify API over loopback gRPC with the platform's
// interceptor chain, on a fresh database, with the event consumer and the
// live hub beside it to feed it.
type rpcHarness struct {
	db       *storetest.DB
	consumer *app.EventConsumer
	live     *app.LiveEvents
	keys     *authtest.KeySet

	audits        notifyv1.AuditServiceClient
	notifications notifyv1.NotificationServiceClient
	events        notifyv1.EventServiceClient
}

func newRPCHarness(t *testing.T, realTimeUpdates bool) *rpcHarness {
	t.Helper()
	db := storetest.New(t)
	s := store.New(db.App)
	h := &rpcHarness{db: db, live: app.NewLiveEvents(16), keys: authtest.NewKeySet(t)}
	h.consumer = app.NewEventConsumer(app.ConsumerDeps{Tenants: s, Audit: s, Events: s, Recipients: s, Rules: s, Notifications: s})
	a := app.NewApplication(app.Deps{Store: s, Live: h.live,
		Pages: pagetest.Sealer(t, keyringtest.New(t)), Keyring: keyringtest.New(t)})

	srv := servertest.New(t, "notify", h.keys)
	grpcapi.Register(srv.GRPC(), a, realTimeUpdates)
	conn := servertest.Start(t, srv)
	h.audits = notifyv1.NewAuditServiceClient(conn)
	h.notifications = notifyv1.NewNotificationServiceClient(conn)
	h.events = notifyv1.NewEventServiceClient(conn)
	return h
}

// as returns a context calling as subject of company with roles.
func (h *rpcHarness) as(company, subject string, roles ...string) context.Context {
	return h.keys.As(company, subject, roles...)
}

// apply feeds events to the consumer as production does, through the
// inbox.
func (h *rpcHarness) apply(t *testing.T, ds ...bus.Delivery) {
	t.Helper()
	if err := apptest.Apply(h.db.App, h.consumer, ds...); err != nil {
		t.Fatalf("apply: %v", err)
	}
}

func rpcID(t *testing.T) string { return apptest.NewID(t) }

// rpcEvent wraps payload in an event envelope.
var rpcEvent = apptest.Event

// rpcAuditEvent is the audit record event of one GetLocation call.
func rpcAuditEvent(t *testing.T, company, actor string, resources map[string]string, at time.Time) bus.Delivery {
	t.Helper()
	return apptest.AuditEvent(t, company, actor, "/ariesone.company.v1.LocationService/GetLocation", resources, at)
}

// expectCode fails the test unless err carries code.
func expectCode(t *testing.T, err error, code codes.Code) {
	t.Helper()
	if got := status.Code(err); got != code {
		t.Fatalf("code = %v (%v), want %v", got, err, code)
	}
}

// expectFields fails the test unless err is INVALID_ARGUMENT listing
// exactly fields.
func expectFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	expectCode(t, err, codes.InvalidArgument)
	var got []string
	for _, v := range grpcerr.FieldViolations(status.Convert(err)) {
		got = append(got, v.Field)
	}
	if diff := cmp.Diff(fields, got); diff != "" {
		t.Errorf("violated fields (-want +got):\n%s", diff)
	}
}
