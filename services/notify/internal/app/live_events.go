package app

import (
	"context"
	"slices"
	"sync"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// DefaultWatcherBuffer is how many events a watcher may have waiting before
// it counts as fallen behind.
const DefaultWatcherBuffer = 256

// LiveSubscription is what the hub receives: every event, on a private
// queue of this process, so each replica fans out to its own watchers.
var LiveSubscription = bus.Subscription{Queue: "", Bindings: []string{"#"}, Prefetch: 256, MaxBatch: 64}

// Reasons a watch ends, which clients may branch on.
const (
	ReasonWatcherFellBehind = "WATCHER_FELL_BEHIND"
	ReasonLiveEventsStopped = "LIVE_EVENTS_STOPPED"
)

var (
	// errFellBehind ends a watcher whose buffer filled: it is cut loose
	// rather than slowing the fan-out to everyone else.
	errFellBehind = &errs.Error{Kind: errs.KindResourceExhausted, Reason: ReasonWatcherFellBehind, Message: "watcher fell behind; reconnect"}
	// errStopped ends every watcher when the service stops.
	errStopped = &errs.Error{Kind: errs.KindUnavailable, Reason: ReasonLiveEventsStopped, Message: "the service is stopping; reconnect"}
)

// LiveEvents fans the mesh's events out to the watchers of their tenant as
// they arrive. Each watcher has a bounded buffer; a watcher that lets it
// fill is disconnected, so one slow client never holds back the others or
// the bus. Each watcher gets only the events its roles may see, as they may
// see them; audit records and events without a tenant are never sent.
type LiveEvents struct {
	buffer int

	mu       sync.Mutex
	stopped  bool
	watchers map[string]map[*Watcher]struct{}
}

// NewLiveEvents returns a hub whose watchers buffer up to buffer events
// (DefaultWatcherBuffer when buffer is not positive).
func NewLiveEvents(buffer int) *LiveEvents {
	if buffer <= 0 {
		buffer = DefaultWatcherBuffer
	}
	return &LiveEvents{buffer: buffer, watchers: map[string]map[*Watcher]struct{}{}}
}

// Run feeds the hub from sub until ctx ends, then ends every watcher with
// an Unavailable error so streams close and the server can drain.
func (h *LiveEvents) Run(ctx context.Context, sub bus.Subscriber) error {
	err := sub.Consume(ctx, LiveSubscription, h.publishBatch)
	h.stop()
	return err
}

func (h *LiveEvents) publishBatch(_ context.Context, batch []bus.Delivery) error {
	for _, d := range batch {
		h.Publish(eventFromMessage(d.Message))
	}
	return nil
}

// Publish hands e to every watcher of its tenant whose filter matches and
// whose roles may see it, as they may see it, without waiting for any of
// them.
func (h *LiveEvents) Publish(e domain.Event) {
	if e.CompanyID == "" || domain.IsAuditRecord(e.Type) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var shown *shownEvent
	for w := range h.watchers[e.CompanyID] {
		if !domain.MatchAnyEventType(w.types, e.Type) {
			continue
		}
		if shown == nil {
			shown = showEvent(e)
		}
		view, ok := shown.to(w.roles)
		if !ok {
			continue
		}
		select {
		case w.events <- view:
		default:
			h.endLocked(w, errFellBehind)
		}
	}
}

// Watch registers a watcher of companyID's events matching types (every
// type when empty), for a subscriber holding roles. Its Events channel
// closes when it ends; Err says why.
func (h *LiveEvents) Watch(companyID string, roles, types []string) *Watcher {
	w := &Watcher{hub: h, companyID: companyID, roles: slices.Clone(roles), types: slices.Clone(types), events: make(chan domain.Event, h.buffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		w.err = errStopped
		close(w.events)
		return w
	}
	if h.watchers[companyID] == nil {
		h.watchers[companyID] = map[*Watcher]struct{}{}
	}
	h.watchers[companyID][w] = struct{}{}
	return w
}

// Watchers counts the registered watchers, for metrics and tests.
func (h *LiveEvents) Watchers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, ws := range h.watchers {
		n += len(ws)
	}
	return n
}

func (h *LiveEvents) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopped = true
	for _, ws := range h.watchers {
		for w := range ws {
			h.endLocked(w, errStopped)
		}
	}
}

// endLocked removes w and closes its channel, once; err nil means the
// watcher closed itself.
func (h *LiveEvents) endLocked(w *Watcher, err error) {
	ws, ok := h.watchers[w.companyID]
	if !ok {
		return
	}
	if _, ok := ws[w]; !ok {
		return
	}
	delete(ws, w)
	if len(ws) == 0 {
		delete(h.watchers, w.companyID)
	}
	w.err = err
	close(w.events)
}

// Watcher is one subscriber to a tenant's live events.
type Watcher struct {
	hub       *LiveEvents
	companyID string
	// roles decide which events, and which of their fields, it sees.
	roles  []string
	types  []string
	events chan domain.Event
	// err is set, under the hub's lock, before events closes.
	err error
}

// Events delivers the watcher's events; it is closed when the watcher
// ends.
func (w *Watcher) Events() <-chan domain.Event { return w.events }

// Err says why Events closed: the watcher fell behind (ResourceExhausted),
// the service is stopping (Unavailable), or nil after Close. It may be
// called once Events is closed.
func (w *Watcher) Err() error {
	w.hub.mu.Lock()
	defer w.hub.mu.Unlock()
	return w.err
}

// Close ends the watcher; closing an ended watcher does nothing.
func (w *Watcher) Close() {
	w.hub.mu.Lock()
	defer w.hub.mu.Unlock()
	w.hub.endLocked(w, nil)
}
