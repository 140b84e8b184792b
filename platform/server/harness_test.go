package server_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	testingv1 "github.com/ariesone/ariesone/gen/go/ariesone/testing/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/ratelimit"
	"github.com/ariesone/ariesone/platform/requestid"
	"github.com/ariesone/ariesone/platform/server"
	"github.com/ariesone/ariesone/platform/server/servertest"
	"github.com/ariesone/ariesone/platform/usecase"
)

// probe implements the test-only ProbeService.
type probe struct {
	testingv1.UnimplementedProbeServiceServer
}

func (probe) Ping(ctx context.Context, _ *testingv1.PingRequest) (*testingv1.PingResponse, error) {
	return &testingv1.PingResponse{RequestId: requestid.FromContext(ctx)}, nil
}

func (probe) GetWidget(ctx context.Context, req *testingv1.GetWidgetRequest) (*testingv1.Widget, error) {
	p, _ := identity.FromContext(ctx)
	if req.GetId() == missingWidget {
		return nil, errs.NotFound("widget", req.GetId())
	}
	return &testingv1.Widget{Id: req.GetId(), DisplayName: "probe", CompanyId: p.CompanyID, Quantity: 1}, nil
}

func (probe) CreateWidget(ctx context.Context, req *testingv1.CreateWidgetRequest) (*testingv1.Widget, error) {
	p, _ := identity.FromContext(ctx)
	w := req.GetWidget()
	if w.GetDisplayName() == replayedWidget {
		usecase.NoteReplay(ctx) // as a create answering a repeated key does
	}
	return &testingv1.Widget{Id: uuid.NewString(), DisplayName: w.GetDisplayName(), Email: w.GetEmail(), Quantity: w.GetQuantity(), CompanyId: p.CompanyID}, nil
}

func (probe) DeleteWidget(context.Context, *testingv1.DeleteWidgetRequest) (*testingv1.DeleteWidgetResponse, error) {
	return &testingv1.DeleteWidgetResponse{}, nil
}

func (probe) Explode(context.Context, *testingv1.ExplodeRequest) (*testingv1.ExplodeResponse, error) {
	panic("boom: secret detail that must not reach the client")
}

const missingWidget = "00000000-0000-7000-8000-000000000404"

// replayedWidget is the name of a widget whose create answers as a replay.
const replayedWidget = "replayed"

// watcher implements EventService's server stream the way notify does:
// headers once the stream is accepted, then the events.
type watcher struct {
	notifyv1.UnimplementedEventServiceServer
}

// watchedEvents is what every accepted WatchEvents stream sends.
var watchedEvents = []string{"e1", "e2"}

func (watcher) WatchEvents(_ *notifyv1.WatchEventsRequest, stream grpc.ServerStreamingServer[notifyv1.Event]) error {
	if err := stream.SendHeader(metadata.MD{}); err != nil {
		return err
	}
	for _, id := range watchedEvents {
		if err := stream.Send(&notifyv1.Event{Id: id}); err != nil {
			return err
		}
	}
	return nil
}

// harness is a running server with the full chain on a loopback port.
type harness struct {
	keys   *authtest.KeySet
	audit  *audit.MemorySink
	client testingv1.ProbeServiceClient
	events notifyv1.EventServiceClient
	conn   *grpc.ClientConn
	srv    *server.Server
}

type harnessOptions struct {
	limiter ratelimit.Limiter
	// floor is the verifier's minimum interval between unknown-kid refreshes.
	floor time.Duration
	// sink replaces the in-memory audit sink (benchmarks discard records).
	sink audit.Sink
}

func newHarness(t testing.TB, opts harnessOptions) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	keys := authtest.NewKeySet(t)
	if opts.floor == 0 {
		opts.floor = 10 * time.Millisecond
	}
	verifier, err := auth.NewVerifier(ctx, auth.VerifierConfig{
		JWKSURL:                keys.URL(),
		Issuer:                 authtest.Issuer,
		Audience:               authtest.Audience,
		UnknownKIDRefreshFloor: opts.floor,
		Leeway:                 time.Second,
	})
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	sink := &audit.MemorySink{}
	var auditSink audit.Sink = sink
	if opts.sink != nil {
		auditSink = opts.sink
	}
	srv, err := server.New(server.Config{
		Name:     "probe",
		Logger:   slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Registry: prometheus.NewRegistry(),
		Verifier: verifier,
		Limiter:  opts.limiter,
		Audit:    auditSink,
	})
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	testingv1.RegisterProbeServiceServer(srv.GRPC(), probe{})
	notifyv1.RegisterEventServiceServer(srv.GRPC(), watcher{})
	t.Cleanup(cancel)
	conn := servertest.Start(t, srv)
	return &harness{keys: keys, audit: sink, client: testingv1.NewProbeServiceClient(conn), events: notifyv1.NewEventServiceClient(conn), conn: conn, srv: srv}
}

// token mints a valid token for a user of company with roles.
func (h *harness) token(company string, roles ...string) string {
	return h.keys.Mint(authtest.Claims(uuid.NewString(), company, roles...))
}
