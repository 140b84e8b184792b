package audit_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	testingv1 "github.com/ariesone/ariesone/gen/go/ariesone/testing/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/requestid"
)

const getWidget = "/ariesone.testing.v1.ProbeService/GetWidget"

var (
	caller     = identity.Principal{Subject: "u-1", CompanyID: "0195f3a2-0000-7000-8000-00000000c001", Roles: []string{"intake"}, Kind: identity.KindUser}
	clientAddr = &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 40000}
)

// callContext is what the outer interceptors (request id) and the transport
// (peer) have put in place before audit runs.
func callContext(t *testing.T) context.Context {
	ctx := requestid.NewContext(t.Context(), "req-1")
	return peer.NewContext(ctx, &peer.Peer{Addr: clientAddr})
}

// authenticated stands for authentication running deeper in the chain.
func authenticated(next grpc.UnaryHandler) grpc.UnaryHandler {
	return func(ctx context.Context, req any) (any, error) {
		return next(identity.NewContext(ctx, caller), req)
	}
}

var ignoreTiming = cmpopts.IgnoreFields(audit.Record{}, "Time", "Duration")

func TestUnaryServerInterceptorRecords(t *testing.T) {
	widget := &testingv1.Widget{Id: "0195f3a2-0000-7000-8000-00000000a001", CompanyId: "0195f3a2-0000-7000-8000-00000000c001", DisplayName: "CPAP for Jane Doe"}
	tests := []struct {
		name    string
		handler grpc.UnaryHandler
		want    audit.Record
	}{
		{
			name:    "success",
			handler: authenticated(func(context.Context, any) (any, error) { return widget, nil }),
			want: audit.Record{
				RequestID: "req-1", Actor: "u-1", ActorKind: "user", CompanyID: "0195f3a2-0000-7000-8000-00000000c001", Method: getWidget,
				Resources: map[string]string{"id": "0195f3a2-0000-7000-8000-00000000a001", "company_id": "0195f3a2-0000-7000-8000-00000000c001"}, Code: "OK", ClientAddr: "10.1.2.3:40000",
			},
		},
		{
			name: "domain error",
			handler: authenticated(func(context.Context, any) (any, error) {
				return nil, errs.NotFound("widget", "0195f3a2-0000-7000-8000-00000000a001")
			}),
			want: audit.Record{
				RequestID: "req-1", Actor: "u-1", ActorKind: "user", CompanyID: "0195f3a2-0000-7000-8000-00000000c001", Method: getWidget,
				Resources: map[string]string{"id": "0195f3a2-0000-7000-8000-00000000a001"}, Code: "NOT_FOUND", ClientAddr: "10.1.2.3:40000",
			},
		},
		{
			name: "denied before authentication finished",
			handler: func(context.Context, any) (any, error) {
				return nil, status.Error(codes.Unauthenticated, "missing credentials")
			},
			want: audit.Record{
				RequestID: "req-1", Method: getWidget,
				Resources: map[string]string{"id": "0195f3a2-0000-7000-8000-00000000a001"}, Code: "UNAUTHENTICATED", ClientAddr: "10.1.2.3:40000",
			},
		},
		{
			name:    "authenticated then denied",
			handler: authenticated(func(context.Context, any) (any, error) { return nil, errs.PermissionDenied("no") }),
			want: audit.Record{
				RequestID: "req-1", Actor: "u-1", ActorKind: "user", CompanyID: "0195f3a2-0000-7000-8000-00000000c001", Method: getWidget,
				Resources: map[string]string{"id": "0195f3a2-0000-7000-8000-00000000a001"}, Code: "PERMISSION_DENIED", ClientAddr: "10.1.2.3:40000",
			},
		},
		{
			name:    "unclassified error",
			handler: authenticated(func(context.Context, any) (any, error) { return nil, context.DeadlineExceeded }),
			want: audit.Record{
				RequestID: "req-1", Actor: "u-1", ActorKind: "user", CompanyID: "0195f3a2-0000-7000-8000-00000000c001", Method: getWidget,
				Resources: map[string]string{"id": "0195f3a2-0000-7000-8000-00000000a001"}, Code: "DEADLINE_EXCEEDED", ClientAddr: "10.1.2.3:40000",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &audit.MemorySink{}
			intercept := audit.UnaryServerInterceptor(sink, nil)
			before := time.Now()
			_, _ = intercept(callContext(t), &testingv1.GetWidgetRequest{Id: "0195f3a2-0000-7000-8000-00000000a001"}, &grpc.UnaryServerInfo{FullMethod: getWidget}, tt.handler)
			after := time.Now()

			got := sink.Records()
			if diff := cmp.Diff([]audit.Record{tt.want}, got, ignoreTiming); diff != "" {
				t.Fatalf("records (-want +got):\n%s", diff)
			}
			if got[0].Time.Before(before) || got[0].Time.After(after) {
				t.Errorf("Time %v outside the call [%v, %v]", got[0].Time, before, after)
			}
			if got[0].Duration < 0 || got[0].Duration > after.Sub(before) {
				t.Errorf("Duration %v outside [0, %v]", got[0].Duration, after.Sub(before))
			}
		})
	}
}

func TestUnaryServerInterceptorPassesResultThrough(t *testing.T) {
	sink := &audit.MemorySink{}
	wantErr := errs.NotFound("widget", "0195f3a2-0000-7000-8000-00000000a001")
	resp, err := audit.UnaryServerInterceptor(sink, nil)(callContext(t), &testingv1.GetWidgetRequest{}, &grpc.UnaryServerInfo{FullMethod: getWidget},
		func(context.Context, any) (any, error) { return "resp", wantErr })
	if resp != "resp" || err != wantErr {
		t.Errorf("got (%v, %v), want the handler's own result", resp, err)
	}
}

func TestUnaryServerInterceptorRecordsPanicAndRepanics(t *testing.T) {
	sink := &audit.MemorySink{}
	intercept := audit.UnaryServerInterceptor(sink, nil)
	type boom struct{ detail string }
	thrown := boom{"secret detail"}

	recovered := func() (r any) {
		defer func() { r = recover() }()
		_, _ = intercept(callContext(t), &testingv1.GetWidgetRequest{Id: "0195f3a2-0000-7000-8000-00000000a001"}, &grpc.UnaryServerInfo{FullMethod: getWidget},
			authenticated(func(context.Context, any) (any, error) { panic(thrown) }))
		return nil
	}()

	if recovered != thrown {
		t.Errorf("recovered %v, want the handler's panic value %v", recovered, thrown)
	}
	want := []audit.Record{{
		RequestID: "req-1", Actor: "u-1", ActorKind: "user", CompanyID: "0195f3a2-0000-7000-8000-00000000c001", Method: getWidget,
		Resources: map[string]string{"id": "0195f3a2-0000-7000-8000-00000000a001"}, Code: "INTERNAL", ClientAddr: "10.1.2.3:40000",
	}}
	if diff := cmp.Diff(want, sink.Records(), ignoreTiming); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestUnaryServerInterceptorSkip(t *testing.T) {
	sink := &audit.MemorySink{}
	skip := func(m string) bool { return strings.HasPrefix(m, "/grpc.health.v1.Health/") }
	intercept := audit.UnaryServerInterceptor(sink, skip)
	called := 0
	handler := func(context.Context, any) (any, error) { called++; return nil, nil }

	_, _ = intercept(callContext(t), nil, &grpc.UnaryServerInfo{FullMethod: "/grpc.health.v1.Health/Check"}, handler)
	_, _ = intercept(callContext(t), nil, &grpc.UnaryServerInfo{FullMethod: getWidget}, handler)

	if called != 2 {
		t.Errorf("handler called %d times, want 2", called)
	}
	var methods []string
	for _, r := range sink.Records() {
		methods = append(methods, r.Method)
	}
	if diff := cmp.Diff([]string{getWidget}, methods); diff != "" {
		t.Errorf("audited methods (-want +got):\n%s", diff)
	}
}

type fakeStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s fakeStream) Context() context.Context     { return s.ctx }
func (s fakeStream) SendHeader(metadata.MD) error { return nil }
func (s fakeStream) SendMsg(any) error            { return nil }

// TestStreamIsRecordedWhenItOpensAndWhenItEnds: an accepted stream has an
// opening record as soon as its headers leave, and a closing one with its
// outcome; a refused stream has only the one.
func TestStreamIsRecordedWhenItOpensAndWhenItEnds(t *testing.T) {
	const watch = "/ariesone.testing.v1.ProbeService/Watch"
	sink := &audit.MemorySink{}
	var openedBeforeEnd int
	handler := func(srv any, ss grpc.ServerStream) error {
		identity.NewContext(ss.Context(), caller)
		if err := ss.SendHeader(metadata.MD{}); err != nil {
			return err
		}
		_ = ss.SendMsg(nil)
		openedBeforeEnd = len(sink.Records())
		return errs.Unauthenticated("token expired")
	}
	_ = audit.StreamServerInterceptor(sink, nil)(nil, fakeStream{ctx: callContext(t)}, &grpc.StreamServerInfo{FullMethod: watch}, handler)
	base := audit.Record{RequestID: "req-1", Actor: "u-1", ActorKind: "user", CompanyID: "0195f3a2-0000-7000-8000-00000000c001", Method: watch, ClientAddr: "10.1.2.3:40000"}
	opened, ended := base, base
	opened.Code, opened.Resources = "OK", map[string]string{audit.StreamResource: audit.StreamOpened}
	ended.Code, ended.Resources = "UNAUTHENTICATED", map[string]string{audit.StreamResource: audit.StreamEnded}
	if diff := cmp.Diff([]audit.Record{opened, ended}, sink.Records(), ignoreTiming); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if openedBeforeEnd != 1 {
		t.Errorf("%d records while the stream was open, want the opening one", openedBeforeEnd)
	}
}

func TestStreamServerInterceptor(t *testing.T) {
	const watch = "/ariesone.testing.v1.ProbeService/Watch"
	tests := []struct {
		name    string
		handler grpc.StreamHandler
		want    string
	}{
		{name: "ends cleanly", handler: func(any, grpc.ServerStream) error { return nil }, want: "OK"},
		{name: "ends with error", handler: func(any, grpc.ServerStream) error { return errs.Unavailable("broker down", nil) }, want: "UNAVAILABLE"},
		{name: "client went away", handler: func(any, grpc.ServerStream) error { return context.Canceled }, want: "CANCELLED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &audit.MemorySink{}
			handler := func(srv any, ss grpc.ServerStream) error {
				// Authentication deeper in the chain fills the slot through
				// the stream's context.
				identity.NewContext(ss.Context(), caller)
				return tt.handler(srv, ss)
			}
			_ = audit.StreamServerInterceptor(sink, nil)(nil, fakeStream{ctx: callContext(t)}, &grpc.StreamServerInfo{FullMethod: watch}, handler)

			want := []audit.Record{{
				RequestID: "req-1", Actor: "u-1", ActorKind: "user", CompanyID: "0195f3a2-0000-7000-8000-00000000c001", Method: watch,
				Code: tt.want, ClientAddr: "10.1.2.3:40000",
			}}
			if diff := cmp.Diff(want, sink.Records(), ignoreTiming); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStreamServerInterceptorRecordsPanic(t *testing.T) {
	sink := &audit.MemorySink{}
	recovered := func() (r any) {
		defer func() { r = recover() }()
		_ = audit.StreamServerInterceptor(sink, nil)(nil, fakeStream{ctx: callContext(t)}, &grpc.StreamServerInfo{FullMethod: "/x.Y/Z"},
			func(any, grpc.ServerStream) error { panic("boom") })
		return nil
	}()
	if recovered != "boom" {
		t.Errorf("recovered %v, want the handler's panic", recovered)
	}
	var codes []string
	for _, r := range sink.Records() {
		codes = append(codes, r.Code)
	}
	if diff := cmp.Diff([]string{"INTERNAL"}, codes); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
}

// bindingSink is a TxBinder that "writes in the transaction" when the
// handler calls the commit function it put in the context.
type bindingSink struct {
	audit.MemorySink
	inTx []audit.Record
}

type commitKey struct{}

func (b *bindingSink) Bind(ctx context.Context, pending func() audit.Record) context.Context {
	return context.WithValue(ctx, commitKey{}, func() { b.inTx = append(b.inTx, pending()) })
}

func TestTxBinderBuildsTheRecordAtCommitWithNotedResources(t *testing.T) {
	sink := &bindingSink{}
	intercept := audit.UnaryServerInterceptor(sink, nil)
	create := "/ariesone.testing.v1.ProbeService/CreateWidget"
	_, _ = intercept(callContext(t), &testingv1.GetWidgetRequest{}, &grpc.UnaryServerInfo{FullMethod: create},
		authenticated(func(ctx context.Context, _ any) (any, error) {
			// The event recorder names the resource the call creates, then
			// the change commits.
			audit.NoteResource(ctx, "id", "0195f3a2-0000-7000-8000-00000000a002")
			audit.NoteResource(ctx, "id", "ignored: already noted")
			ctx.Value(commitKey{}).(func())()
			return &testingv1.Widget{Id: "0195f3a2-0000-7000-8000-00000000a002"}, nil
		}))
	want := []audit.Record{{
		RequestID: "req-1", Actor: "u-1", ActorKind: "user", CompanyID: "0195f3a2-0000-7000-8000-00000000c001", Method: create,
		Resources: map[string]string{"id": "0195f3a2-0000-7000-8000-00000000a002"}, Code: "OK", ClientAddr: "10.1.2.3:40000",
	}}
	if diff := cmp.Diff(want, sink.inTx, ignoreTiming); diff != "" {
		t.Errorf("record written in the transaction (-want +got):\n%s", diff)
	}
	// The interceptor still ends the call with Write; the sink decides.
	if got := len(sink.Records()); got != 1 {
		t.Errorf("%d records written at the end of the call, want 1", got)
	}
}

func TestNoteResourceOutsideACallDoesNothing(t *testing.T) {
	audit.NoteResource(context.Background(), "id", "x") // must not panic
}

func TestNoteOutcomeGivesACommittedRefusalItsCode(t *testing.T) {
	sink := &bindingSink{}
	intercept := audit.UnaryServerInterceptor(sink, nil)
	login := "/ariesone.testing.v1.ProbeService/Login"
	refusal := errs.Unauthenticated("invalid credentials")
	_, err := intercept(callContext(t), &testingv1.GetWidgetRequest{}, &grpc.UnaryServerInfo{FullMethod: login},
		func(ctx context.Context, _ any) (any, error) {
			// The failure count commits; the call is refused after it.
			audit.NoteOutcome(ctx, refusal)
			ctx.Value(commitKey{}).(func())()
			return nil, refusal
		})
	if err == nil {
		t.Fatal("the refusal did not reach the caller")
	}
	if len(sink.inTx) != 1 || sink.inTx[0].Code != "UNAUTHENTICATED" {
		t.Errorf("record written in the transaction = %+v, want one UNAUTHENTICATED", sink.inTx)
	}
}
