package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// handSubscriber is a bus.Subscriber whose deliveries the test hands over:
// Consume publishes its handler on ready and blocks until ctx ends.
type handSubscriber struct {
	ready chan bus.Handler
	subs  chan bus.Subscription
}

func newHandSubscriber() *handSubscriber {
	return &handSubscriber{ready: make(chan bus.Handler, 1), subs: make(chan bus.Subscription, 1)}
}

func (s *handSubscriber) Consume(ctx context.Context, sub bus.Subscription, h bus.Handler) error {
	s.subs <- sub
	s.ready <- h
	<-ctx.Done()
	return nil
}

// liveEvent is an event of type typ with an empty payload of the message
// that type carries (a location's, a user's or a unit's).
func liveEvent(id, typ, company string) bus.Delivery {
	payloadType := "ariesone.company.v1.LocationCreated"
	switch {
	case strings.HasPrefix(typ, "company.user."):
		payloadType = "ariesone.company.v1.UserCreated"
	case strings.HasPrefix(typ, "serials.unit."):
		payloadType = "ariesone.serials.v1.UnitTransitioned"
	}
	return bus.Delivery{Message: bus.Message{ID: id, Type: typ, CompanyID: company, PayloadType: payloadType, Payload: []byte{}, OccurTime: t0}}
}

var ownerRoles = []string{"owner"}

// liveOf is the event notify makes of a message.
func liveOf(m bus.Message) domain.Event {
	return domain.Event{ID: m.ID, Type: m.Type, PayloadType: m.PayloadType, CompanyID: m.CompanyID, OccurTime: m.OccurTime, Payload: m.Payload}
}

// receive takes the events waiting on w without blocking.
func receive(w *app.Watcher) []string {
	var ids []string
	for {
		select {
		case e, ok := <-w.Events():
			if !ok {
				return append(ids, "closed")
			}
			ids = append(ids, e.ID)
		default:
			return ids
		}
	}
}

func TestLiveEventsFanOut(t *testing.T) {
	t.Parallel()
	hub := app.NewLiveEvents(2)
	sub := newHandSubscriber()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hub.Run(ctx, sub) }()
	handle := <-sub.ready
	if got := <-sub.subs; got.Queue != "" || !cmp.Equal(got.Bindings, []string{"#"}) {
		t.Errorf("subscription = %+v, want a private queue bound to everything", got)
	}

	all := hub.Watch("a", ownerRoles, nil)
	locations := hub.Watch("a", ownerRoles, []string{"company.location.*"})
	slow := hub.Watch("a", ownerRoles, nil)
	otherTenant := hub.Watch("b", ownerRoles, nil)
	deliver := func(ds ...bus.Delivery) {
		t.Helper()
		if err := handle(context.Background(), ds); err != nil {
			t.Fatal(err)
		}
	}
	deliver(liveEvent("1", "company.location.created.v1", "a"),
		liveEvent("2", "company.audit.recorded.v1", "a"), // audit records stay in the trail
		liveEvent("3", "company.signing_key.rotated.v1", ""))
	if diff := cmp.Diff([]string{"1"}, receive(all)); diff != "" {
		t.Errorf("all (-want +got):\n%s", diff)
	}
	deliver(liveEvent("4", "company.user.created.v1", "a"), liveEvent("5", "company.location.updated.v1", "b"))
	if diff := cmp.Diff([]string{"4"}, receive(all)); diff != "" {
		t.Errorf("all (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1"}, receive(locations)); diff != "" {
		t.Errorf("locations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"5"}, receive(otherTenant)); diff != "" {
		t.Errorf("other tenant (-want +got):\n%s", diff)
	}
	// slow has read nothing: its buffer (2) is full, so the next event cuts
	// it loose while the others still receive.
	deliver(liveEvent("6", "company.location.deleted.v1", "a"))
	if diff := cmp.Diff([]string{"1", "4", "closed"}, receive(slow)); diff != "" {
		t.Errorf("slow (-want +got):\n%s", diff)
	}
	if err := slow.Err(); errs.KindOf(err) != errs.KindResourceExhausted {
		t.Errorf("slow watcher ended with %v, want resource exhausted", err)
	}
	if diff := cmp.Diff([]string{"6"}, receive(all)); diff != "" {
		t.Errorf("all after the slow one fell behind (-want +got):\n%s", diff)
	}
	if hub.Watchers() != 3 {
		t.Errorf("%d watchers, want 3", hub.Watchers())
	}
	locations.Close()
	locations.Close()
	// What was buffered before Close is still there to read.
	if diff := cmp.Diff([]string{"6", "closed"}, receive(locations)); diff != "" || locations.Err() != nil {
		t.Errorf("closed watcher: %v, err %v", diff, locations.Err())
	}

	// Stopping ends every watcher, and later watches end at once.
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	for _, w := range []*app.Watcher{all, otherTenant, hub.Watch("a", ownerRoles, nil)} {
		if got := receive(w); len(got) == 0 || got[len(got)-1] != "closed" || errs.KindOf(w.Err()) != errs.KindUnavailable {
			t.Errorf("after stop: %v, %v", got, w.Err())
		}
	}
}

// TestLiveEventsShowEachWatcherWhatItsRolesMaySee: one tenant, three
// watchers; the partner sees the location and the unit without its
// patient, never the user.
func TestLiveEventsShowEachWatcherWhatItsRolesMaySee(t *testing.T) {
	t.Parallel()
	hub := app.NewLiveEvents(8)
	owner := hub.Watch("a", ownerRoles, nil)
	partner := hub.Watch("a", []string{"partner"}, nil)
	warehouse := hub.Watch("a", []string{"warehouse"}, nil)
	unit, err := proto.Marshal(&serialsv1.UnitTransitioned{CompanyId: "a", UnitId: "u1", PatientId: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	rented := liveEvent("3", "serials.unit.transitioned.v1", "a").Message
	rented.Payload = unit
	hub.Publish(liveOf(liveEvent("1", "company.location.created.v1", "a").Message))
	hub.Publish(liveOf(liveEvent("2", "company.user.created.v1", "a").Message))
	hub.Publish(liveOf(rented))
	for name, tt := range map[string]struct {
		w           *app.Watcher
		want        []string
		wantPatient string
	}{
		"owner":     {owner, []string{"1", "2", "3"}, "p1"},
		"partner":   {partner, []string{"1", "3"}, ""},
		"warehouse": {warehouse, []string{"1", "3"}, ""},
	} {
		var ids []string
		patient := "none"
		for len(tt.w.Events()) > 0 {
			e := <-tt.w.Events()
			ids = append(ids, e.ID)
			if e.ID == "3" {
				got := &serialsv1.UnitTransitioned{}
				if err := proto.Unmarshal(e.Payload, got); err != nil {
					t.Fatal(err)
				}
				patient = got.GetPatientId()
			}
		}
		if diff := cmp.Diff(tt.want, ids); diff != "" || patient != tt.wantPatient {
			t.Errorf("%s got %v with patient %q, want patient %q (-want +got):\n%s", name, ids, patient, tt.wantPatient, diff)
		}
	}
}

func TestWatchEventsChecksPatterns(t *testing.T) {
	t.Parallel()
	a := app.NewApplication(app.Deps{Live: app.NewLiveEvents(1)})
	_, err := a.Events.Watch(as("0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f", "u", "admin"), app.WatchEvents{Types: []string{"company.*", "company.*.v1"}})
	if diff := cmp.Diff([]string{"types[1]"}, violations(t, err)); diff != "" {
		t.Errorf("bad pattern (-want +got):\n%s", diff)
	}
	_, err = a.Events.Watch(as("0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f", "u", "admin"), app.WatchEvents{ResumeAfter: "not-an-id"})
	if diff := cmp.Diff([]string{"resumeAfter"}, violations(t, err)); diff != "" {
		t.Errorf("bad resume point (-want +got):\n%s", diff)
	}
	w, err := a.Events.Watch(as("0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f", "u", "admin"), app.WatchEvents{})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	_, err = a.Events.Watch(context.Background(), app.WatchEvents{})
	wantKind(t, err, errs.KindUnauthenticated)
}
