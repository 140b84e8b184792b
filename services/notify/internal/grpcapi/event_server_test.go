package grpcapi_test

import (
	"context"
	"testing"

	"google.golang.org/grpc/codes"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

func TestListEventsRPC(t *testing.T) {
	t.Parallel()
	h := newRPCHarness(t, false)
	a, b, loc := rpcID(t), rpcID(t), rpcID(t)
	created := rpcEvent(t, "company.location.created.v1", a, &companyv1.LocationCreated{CompanyId: a, LocationId: loc, Code: "ATL"}, rpcT0)
	h.apply(t, created, rpcEvent(t, "company.location.created.v1", b, &companyv1.LocationCreated{CompanyId: b}, rpcT0))

	resp, err := h.events.ListEvents(h.as(a, rpcID(t), "admin"), &notifyv1.ListEventsRequest{Types: []string{"company.*"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetEvents()) != 1 {
		t.Fatalf("events = %v", resp)
	}
	e := resp.GetEvents()[0]
	if e.GetId() != created.ID || e.GetType() != created.Type || e.GetCompanyId() != a || e.GetSource() != "company" || !e.GetOccurTime().AsTime().Equal(rpcT0) {
		t.Errorf("event = %v", e)
	}
	var payload companyv1.LocationCreated
	if err := e.GetPayload().UnmarshalTo(&payload); err != nil || payload.GetLocationId() != loc || payload.GetCode() != "ATL" {
		t.Errorf("payload = %v, %v", &payload, err)
	}
	none, err := h.events.ListEvents(h.as(a, rpcID(t), "admin"), &notifyv1.ListEventsRequest{Types: []string{"orders.*"}})
	if err != nil || len(none.GetEvents()) != 0 {
		t.Errorf("orders.* = %v, %v", none, err)
	}
	_, err = h.events.ListEvents(h.as(a, rpcID(t), "admin"), &notifyv1.ListEventsRequest{Types: []string{"company.*.v1"}})
	expectFields(t, err, "types[0]")
	_, err = h.events.ListEvents(h.as(a, rpcID(t), "warehouse"), &notifyv1.ListEventsRequest{})
	expectCode(t, err, codes.PermissionDenied)
}

func TestWatchEventsOff(t *testing.T) {
	t.Parallel()
	h := newRPCHarness(t, false)
	stream, err := h.events.WatchEvents(h.as(rpcID(t), rpcID(t), "admin"), &notifyv1.WatchEventsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = stream.Recv()
	expectCode(t, err, codes.FailedPrecondition)
}

func TestWatchEventsStreamsTheTenantsEvents(t *testing.T) {
	t.Parallel()
	h := newRPCHarness(t, true)
	a, b := rpcID(t), rpcID(t)
	ctx, cancel := context.WithCancel(h.as(a, rpcID(t), "partner"))
	defer cancel()
	stream, err := h.events.WatchEvents(ctx, &notifyv1.WatchEventsRequest{Types: []string{"company.location.*"}})
	if err != nil {
		t.Fatal(err)
	}
	// Headers arrive once the watch is registered.
	if _, err := stream.Header(); err != nil {
		t.Fatal(err)
	}
	event := func(id, typ, company string) domain.Event {
		return domain.Event{ID: id, Type: typ, CompanyID: company, Source: "company", PayloadType: "ariesone.company.v1.LocationCreated", OccurTime: rpcT0, Payload: []byte{0x12, 0x01, 'x'}}
	}
	h.live.Publish(event("b-location", "company.location.created.v1", b))
	h.live.Publish(event("a-user", "company.user.created.v1", a))
	h.live.Publish(event("a-location", "company.location.created.v1", a))
	h.live.Publish(event("a-audit", "company.audit.recorded.v1", a))
	h.live.Publish(event("a-location-2", "company.location.deleted.v1", a))
	for _, want := range []string{"a-location", "a-location-2"} {
		got, err := stream.Recv()
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		if got.GetId() != want || got.GetCompanyId() != a {
			t.Errorf("received %v, want %s", got, want)
		}
		if got.GetPayload().GetTypeUrl() != "type.googleapis.com/ariesone.company.v1.LocationCreated" || string(got.GetPayload().GetValue()) != "\x12\x01x" {
			t.Errorf("payload = %v", got.GetPayload())
		}
	}
	cancel()
	_, err = stream.Recv()
	expectCode(t, err, codes.Canceled)

	_, err = h.events.ListEvents(h.as(a, rpcID(t), "partner"), &notifyv1.ListEventsRequest{})
	expectCode(t, err, codes.PermissionDenied)
	bad, err := h.events.WatchEvents(h.as(a, rpcID(t), "admin"), &notifyv1.WatchEventsRequest{Types: []string{"NOPE"}})
	if err == nil {
		_, err = bad.Recv()
	}
	expectFields(t, err, "types[0]")
}
