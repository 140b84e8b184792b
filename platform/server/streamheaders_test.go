package server_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/ratelimit"
)

// TestRefusedStreamEndsWithoutHeaders holds that a stream the chain refuses
// ends trailers-only, with the chain's metadata in the trailers, and that a
// stream the handler accepts gets that metadata in its headers. A client
// (the REST gateway) tells the two apart by whether headers arrived.
func TestRefusedStreamEndsWithoutHeaders(t *testing.T) {
	limiter, err := ratelimit.NewMemory(ratelimit.Classes{
		ratelimit.DefaultClass: {Rate: 100, Burst: 100},
		"read":                 {Rate: 1.0 / 3600, Burst: 1},
	}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{limiter: limiter})
	limited := authtest.Bearer(h.token(companyA, "partner"))

	type outcome struct {
		Code    codes.Code
		Headers bool
		// Keys are the metadata keys the client found, in headers or
		// trailers, among those the chain sets.
		Keys   []string
		Events []string
	}
	watch := func(ctx context.Context, req *notifyv1.WatchEventsRequest) outcome {
		t.Helper()
		stream, err := h.events.WatchEvents(ctx, req)
		if err != nil {
			t.Fatalf("WatchEvents: %v", err)
		}
		header, err := stream.Header()
		if err != nil {
			t.Fatalf("Header: %v", err)
		}
		var o outcome
		o.Headers = header != nil
		for {
			e, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				o.Code = status.Code(err)
				break
			}
			o.Events = append(o.Events, e.GetId())
		}
		md := metadata.Join(header, stream.Trailer())
		for _, k := range []string{"x-request-id", ratelimit.HeaderLimit, ratelimit.HeaderRetryAfter} {
			if len(md.Get(k)) > 0 {
				o.Keys = append(o.Keys, k)
			}
		}
		return o
	}
	tests := []struct {
		name string
		ctx  context.Context
		req  *notifyv1.WatchEventsRequest
		want outcome
	}{
		{
			name: "accepted",
			ctx:  limited,
			req:  &notifyv1.WatchEventsRequest{},
			want: outcome{Code: codes.OK, Headers: true, Keys: []string{"x-request-id", ratelimit.HeaderLimit}, Events: watchedEvents},
		},
		{
			name: "over the rate limit",
			ctx:  limited,
			req:  &notifyv1.WatchEventsRequest{},
			want: outcome{Code: codes.ResourceExhausted, Keys: []string{"x-request-id", ratelimit.HeaderLimit, ratelimit.HeaderRetryAfter}},
		},
		{
			name: "no credentials",
			ctx:  context.Background(),
			req:  &notifyv1.WatchEventsRequest{},
			want: outcome{Code: codes.Unauthenticated, Keys: []string{"x-request-id"}},
		},
		{
			name: "role without the permission",
			ctx:  authtest.Bearer(h.token(companyA, "technician")),
			req:  &notifyv1.WatchEventsRequest{},
			want: outcome{Code: codes.PermissionDenied, Keys: []string{"x-request-id"}},
		},
		{
			name: "invalid filter",
			ctx:  authtest.Bearer(h.token(companyA, "owner")),
			req:  &notifyv1.WatchEventsRequest{Types: []string{"Not A Type"}},
			want: outcome{Code: codes.InvalidArgument, Keys: []string{"x-request-id", ratelimit.HeaderLimit}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, watch(tt.ctx, tt.req)); diff != "" {
				t.Errorf("stream (-want +got):\n%s", diff)
			}
		})
	}
}
