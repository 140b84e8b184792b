package app

import (
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/usecase"
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
	// Pages seals the page tokens of every listing.
	Pages *page.Sealer
	// Keyring keys the fingerprints of create requests (usecase.Fingerprint).
	Keyring usecase.BlindIndexer
	// Now is the clock; nil means the system clock.
	Now usecase.Clock
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

// isUUID reports whether s is a UUID in canonical form.
func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
