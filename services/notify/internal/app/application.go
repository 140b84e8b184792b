package app

import (
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/page"
)

// Application is the notify API's whole use-case surface: every command
// and query its RPCs run.
type Application struct {
	Commands Commands
	Queries  Queries
}

// Commands change state, each in one unit of work.
type Commands struct {
	MarkNotificationRead   MarkNotificationReadHandler
	CreateNotificationRule CreateNotificationRuleHandler
	DeleteNotificationRule DeleteNotificationRuleHandler
}

// Queries read state and change nothing.
type Queries struct {
	ListAuditRecords      ListAuditRecordsHandler
	VerifyAuditChain      VerifyAuditChainHandler
	ListEvents            ListEventsHandler
	WatchEvents           WatchEventsHandler
	ListNotifications     ListNotificationsHandler
	GetNotificationRule   GetNotificationRuleHandler
	ListNotificationRules ListNotificationRulesHandler
}

// Deps are what the API's use cases are built from. The store implements
// every repository.
type Deps struct {
	Audit         AuditTrail
	Events        EventLog
	Rules         NotificationRules
	Notifications Notifications
	// Live fans events out to WatchEvents callers.
	Live *LiveEvents
	// Revocations end a WatchEvents stream within seconds of its token's
	// revocation; nil checks none (tests).
	Revocations RevocationChecker
	// Now is the clock; nil means the system clock.
	Now func() time.Time
}

// NewApplication builds the API's commands and queries.
func NewApplication(d Deps) *Application {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &service{Deps: d}
	return &Application{
		Commands: Commands{
			MarkNotificationRead:   MarkNotificationReadHandler{s},
			CreateNotificationRule: CreateNotificationRuleHandler{s},
			DeleteNotificationRule: DeleteNotificationRuleHandler{s},
		},
		Queries: Queries{
			ListAuditRecords:      ListAuditRecordsHandler{s},
			VerifyAuditChain:      VerifyAuditChainHandler{s},
			ListEvents:            ListEventsHandler{s},
			WatchEvents:           WatchEventsHandler{s},
			ListNotifications:     ListNotificationsHandler{s},
			GetNotificationRule:   GetNotificationRuleHandler{s},
			ListNotificationRules: ListNotificationRulesHandler{s},
		},
	}
}

// service is what every API handler shares.
type service struct {
	Deps
}

// now returns the clock's time at the database's precision (microseconds),
// so what a command returns equals what a later read returns.
func (s *service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// isUUID reports whether s is a UUID in canonical form.
func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// keysetPage runs one AIP-158 page of a listing in a keyset order. It
// checks the page size, decodes the token (bound to scope: the method, the
// tenant and the filter), fetches one item more than the page to learn
// whether another follows, and makes the next token from the keys of the
// page's last item. fetch receives the decoded keys (nil for the first
// page) and must refuse keys that do not parse with page.InvalidToken: a
// crafted token.
func keysetPage[T any](pageSize int32, token string, scope []string,
	fetch func(after []string, limit int) ([]T, error), keys func(T) []string) (items []T, next string, err error) {
	size, err := page.Size(pageSize)
	if err != nil {
		return nil, "", err
	}
	after, err := page.Decode(token, scope...)
	if err != nil {
		return nil, "", err
	}
	items, err = fetch(after, size+1)
	if err != nil || len(items) <= size {
		return items, "", err
	}
	items = items[:size]
	next, err = page.Encode(keys(items[size-1]), scope...)
	return items, next, err
}

// tokenKeys checks that a decoded token carries n keys.
func tokenKeys(after []string, n int) error {
	if after != nil && len(after) != n {
		return page.InvalidToken("is not a page token returned by this API")
	}
	return nil
}
