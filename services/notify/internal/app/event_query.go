package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// EventRepository reads the tenants' event log (the event consumer writes
// it: EventLog): a page of it for List, and where a WatchEvents stream
// resumes and what it replays.
type EventRepository interface {
	ListEvents(ctx context.Context, payloadTypes, patterns []string, after *domain.EventPosition, limit int) ([]*domain.Event, error)
	EventPosition(ctx context.Context, id string) (domain.EventPosition, error)
	ListEventsAfter(ctx context.Context, payloadTypes, patterns []string, after domain.EventPosition, limit int) ([]*domain.Event, error)
}

// Events are the event log's query and the live stream.
type Events struct{ n *notifier }

// ListEvents pages through the caller's event log, newest first: the
// events the caller's roles may see, each as they may see it.
type ListEvents struct {
	PageSize  int32
	PageToken string
	// Types keeps events matching one of these patterns; empty keeps all.
	Types []string
}

// EventPage is one page of the event log.
type EventPage = usecase.Page[*domain.Event]

// List returns one page. The page token is bound to the caller's tenant
// and the type filter.
func (h Events) List(ctx context.Context, q ListEvents) (EventPage, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return EventPage{}, err
	}
	if err := checkPatterns("types", q.Types); err != nil {
		return EventPage{}, err
	}
	scope := []string{"ListEvents", p.CompanyID, strings.Join(q.Types, ",")}
	events, next, err := usecase.CompositeKeysetPage(h.n.Pages, q.PageSize, q.PageToken, scope, 2, validEventKey,
		func(after []string, limit int) ([]*domain.Event, error) {
			var pos *domain.EventPosition
			if after != nil {
				t, _ := time.Parse(time.RFC3339Nano, after[0])
				pos = &domain.EventPosition{OccurTime: t, ID: after[1]}
			}
			return h.n.Store.ListEvents(ctx, eventPolicy().VisibleTypes(p.Roles), q.Types, pos, limit)
		},
		func(e *domain.Event) []string { return []string{e.OccurTime.UTC().Format(time.RFC3339Nano), e.ID} })
	if err != nil {
		return EventPage{}, err
	}
	shown := make([]*domain.Event, 0, len(events))
	for _, e := range events {
		// A payload that no longer decodes as its type is shown to no one;
		// the page is then one shorter, and the next token still holds.
		if v, ok := showEvent(*e).to(p.Roles); ok {
			shown = append(shown, &v)
		}
	}
	return EventPage{Items: shown, NextPageToken: next}, nil
}

// validEventKey accepts a ListEvents cursor: the occur time and the id of
// the previous page's last event.
func validEventKey(keys []string) bool {
	_, err := time.Parse(time.RFC3339Nano, keys[0])
	return err == nil && usecase.IsID(keys[1])
}

// checkPatterns refuses malformed event type patterns, each by index under
// field.
func checkPatterns(field string, patterns []string) error {
	var v errs.Violations
	for i, p := range patterns {
		if !domain.ValidEventTypePattern(p) {
			v.Add(fmt.Sprintf("%s[%d]", field, i), `must be an event type such as "company.location.created.v1", or a prefix ending in ".*"`)
		}
	}
	return v.Err()
}
