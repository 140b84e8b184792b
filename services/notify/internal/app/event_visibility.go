package app

import (
	"sync"

	"google.golang.org/protobuf/reflect/protoregistry"

	// Every service's events, registered with protoregistry by their
	// generated packages: an event whose type is not linked in here has no
	// visibility rule notify can read, and is delivered to nobody.
	_ "github.com/ariesone/ariesone/gen/go/ariesone/audit/v1"
	_ "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	_ "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	_ "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	_ "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"

	"github.com/ariesone/ariesone/platform/eventaccess"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// eventPolicy is who may see which event and which of its fields, read
// once from the rules the linked-in event messages declare. The live
// stream, webhook deliveries and the event log all show events through
// it, so the three channels agree.
var eventPolicy = sync.OnceValue(func() *eventaccess.Policy {
	return eventaccess.NewPolicy(protoregistry.GlobalFiles, protoregistry.GlobalTypes)
})

// shownEvent is one event on its way to several subscribers: its payload
// is decoded and redacted once per distinct view, not once per subscriber.
type shownEvent struct {
	event   domain.Event
	payload *eventaccess.Event
}

func showEvent(e domain.Event) *shownEvent {
	return &shownEvent{event: e, payload: eventPolicy().Prepare(e.PayloadType, e.Payload)}
}

// to returns the event as a subscriber holding roles may see it, and false
// when it may not see it at all.
func (s *shownEvent) to(roles []string) (domain.Event, bool) {
	payload, ok := s.payload.For(roles)
	if !ok {
		return domain.Event{}, false
	}
	e := s.event
	e.Payload = payload
	return e, true
}
