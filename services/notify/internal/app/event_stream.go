package app

import (
	"context"
	"time"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// WatchEvents opens a caller's live stream of its tenant's events.
type WatchEvents struct {
	// Types keeps events matching one of these patterns; empty keeps all.
	Types []string
	// ResumeAfter is the id of the last event a previous stream delivered:
	// the stream replays what came after it before going live. Empty
	// starts from now.
	ResumeAfter string
}

// ReasonTokenExpired ends a stream whose token expired: the client
// reconnects with a fresh token, resuming after the last event it got.
const ReasonTokenExpired = "TOKEN_EXPIRED"

// revocationCheckInterval is how often an open stream asks whether its
// token has expired or been revoked: it ends within this of either.
const revocationCheckInterval = time.Second

// replayPage is how many logged events a resuming stream reads at a time.
const replayPage = 500

// RevocationChecker refuses a principal whose token was revoked since it
// was issued; platform/revocation's Set implements it.
type RevocationChecker interface {
	Check(p identity.Principal) error
}

// Watch subscribes the caller to the live stream of its tenant's events:
// it registers the caller's watcher and, when resuming, finds where
// to resume from. The caller must Close the stream.
func (h Events) Watch(ctx context.Context, q WatchEvents) (*EventStream, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkPatterns("types", q.Types); err != nil {
		return nil, err
	}
	if h.n.Live == nil {
		return nil, errs.Unavailable("the live event stream is not running", nil)
	}
	st := &EventStream{n: h.n, principal: p, types: q.Types, visible: eventPolicy().VisibleTypes(p.Roles), seen: map[string]bool{}}
	if q.ResumeAfter != "" {
		if err := usecase.CheckID("resumeAfter", q.ResumeAfter); err != nil {
			return nil, err
		}
		pos, err := h.n.Store.EventPosition(ctx, q.ResumeAfter)
		if errs.Is(err, errs.KindNotFound) {
			return nil, errs.Invalid(errs.FieldViolation{Field: "resumeAfter", Description: "is not an event of this company"})
		}
		if err != nil {
			return nil, err
		}
		st.replayFrom, st.replaying = pos, true
	}
	// Registered before the replay is read: an event that arrives while it
	// is read waits in the watcher, and is skipped there if replayed.
	st.watcher = h.n.Live.Watch(p.CompanyID, p.Roles, q.Types)
	st.tick = time.NewTicker(revocationCheckInterval)
	return st, nil
}

// EventStream is one caller's WatchEvents: the replay of what it missed,
// then live events, each once, for as long as the caller's authority
// stands. It is used by one goroutine.
type EventStream struct {
	n         *notifier
	principal identity.Principal
	types     []string
	visible   []string
	watcher   *Watcher
	// tick is when the stream asks again whether its token has expired or
	// been revoked.
	tick *time.Ticker

	replaying  bool
	replayFrom domain.EventPosition
	pending    []*domain.Event
	// seen holds the ids replayed, so the live copy of one is skipped.
	seen map[string]bool
}

// Next returns the next event, or why the stream ends: the caller hung up
// (ctx), its token expired (UNAUTHENTICATED TOKEN_EXPIRED) or was revoked
// (UNAUTHENTICATED), the watcher fell behind (RESOURCE_EXHAUSTED), or the
// service is stopping (UNAVAILABLE).
func (st *EventStream) Next(ctx context.Context) (domain.Event, error) {
	if err := st.authority(); err != nil {
		return domain.Event{}, err
	}
	if e, ok, err := st.nextReplayed(ctx); ok || err != nil {
		return e, err
	}
	for {
		select {
		case <-ctx.Done():
			return domain.Event{}, ctx.Err()
		case <-st.tick.C:
			if err := st.authority(); err != nil {
				return domain.Event{}, err
			}
		case e, ok := <-st.watcher.Events():
			if !ok {
				return domain.Event{}, st.watcher.Err()
			}
			if st.seen[e.ID] {
				delete(st.seen, e.ID)
				continue
			}
			return e, nil
		}
	}
}

var errTokenExpired = &errs.Error{Kind: errs.KindUnauthenticated, Reason: ReasonTokenExpired,
	Message: "the token expired; reconnect with a fresh token and resumeAfter set to the last event id received"}

// authority refuses once the token has expired or been revoked.
func (st *EventStream) authority() error {
	if !st.principal.ExpireTime.IsZero() && !time.Now().Before(st.principal.ExpireTime) {
		return errTokenExpired
	}
	if st.n.Revocations != nil {
		return st.n.Revocations.Check(st.principal)
	}
	return nil
}

// nextReplayed returns the next logged event after the resume point, a
// page at a time, as the caller may see it; ok is false once the replay
// has caught up with the log.
func (st *EventStream) nextReplayed(ctx context.Context) (domain.Event, bool, error) {
	for {
		if len(st.pending) == 0 {
			if !st.replaying {
				return domain.Event{}, false, nil
			}
			page, err := st.n.Store.ListEventsAfter(ctx, st.visible, st.types, st.replayFrom, replayPage)
			if err != nil {
				return domain.Event{}, false, err
			}
			st.replaying = len(page) == replayPage
			if len(page) > 0 {
				last := page[len(page)-1]
				st.replayFrom = domain.EventPosition{OccurTime: last.OccurTime, ID: last.ID}
			}
			st.pending = page
			continue
		}
		e := st.pending[0]
		st.pending = st.pending[1:]
		st.seen[e.ID] = true
		if v, ok := showEvent(*e).to(st.principal.Roles); ok {
			return v, true, nil
		}
	}
}

// Close ends the stream's watcher.
func (st *EventStream) Close() {
	st.tick.Stop()
	st.watcher.Close()
}
