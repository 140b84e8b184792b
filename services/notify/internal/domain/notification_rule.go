package domain

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ariesone/ariesone/platform/errs"
)

// RecipientRoles are the roles a rule may address: every staff role. The
// partner role is for machine clients, which read events through webhooks
// and WatchEvents, not an inbox.
var RecipientRoles = []string{"owner", "admin", "intake", "billing", "warehouse", "technician", "auditor"}

// MaxRuleTitleLen bounds a rule's title, in characters.
const MaxRuleTitleLen = 200

// NotificationRule turns events of a type into notifications: for the users
// holding RecipientRole, and/or, with AtEventLocation, for those working at
// the location the event names.
type NotificationRule struct {
	ID        string
	CompanyID string
	// EventType is an event type pattern (see MatchEventType).
	EventType       string
	Title           string
	RecipientRole   string
	AtEventLocation bool
	// ToSubject addresses only the user the event is about (its resource,
	// a user id), whatever their role: built-in rules only.
	ToSubject  bool
	CreateTime time.Time
}

// NotificationRuleValues are the fields a client sets.
type NotificationRuleValues struct {
	EventType       string
	Title           string
	RecipientRole   string
	AtEventLocation bool
	// ToSubject: the API does not offer it; built-in rules use it.
	ToSubject bool
}

// NewNotificationRule checks v and returns the rule. Violations name the
// fields in lowerCamelCase ("eventType", "recipientRole"), relative to the
// rule.
func NewNotificationRule(id, companyID string, v NotificationRuleValues, now time.Time) (*NotificationRule, error) {
	var bad errs.Violations
	if !ValidEventTypePattern(v.EventType) {
		bad.Add("eventType", `must be an event type such as "serials.unit.maintenance_due.v1", or a prefix ending in ".*"`)
	}
	title := strings.TrimSpace(v.Title)
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		bad.Add("title", "is required")
	case n > MaxRuleTitleLen:
		bad.Addf("title", "must be at most %d characters", MaxRuleTitleLen)
	}
	switch {
	case v.RecipientRole != "" && !slices.Contains(RecipientRoles, v.RecipientRole):
		bad.Addf("recipientRole", "must be one of %s", strings.Join(RecipientRoles, ", "))
	case v.RecipientRole == "" && !v.AtEventLocation && !v.ToSubject:
		bad.Add("recipientRole", "is required unless atEventLocation is set: a rule must say who receives its notifications")
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	return &NotificationRule{
		ID:              id,
		CompanyID:       companyID,
		EventType:       v.EventType,
		Title:           title,
		RecipientRole:   v.RecipientRole,
		AtEventLocation: v.AtEventLocation,
		ToSubject:       v.ToSubject,
		CreateTime:      now,
	}, nil
}

// Matches reports whether the rule reacts to events of eventType.
func (r *NotificationRule) Matches(eventType string) bool {
	return MatchEventType(r.EventType, eventType)
}

// Addresses reports whether u receives the rule's notifications for an
// event with facts: u must be active, be the event's subject when the rule
// is for the subject, hold the rule's role when it names one, and work at
// one of the event's locations when the rule asks for that.
func (r *NotificationRule) Addresses(u *Recipient, facts EventFacts) bool {
	if !u.Active {
		return false
	}
	if r.ToSubject && u.UserID != facts.ResourceID {
		return false
	}
	locationIDs := facts.LocationIDs
	if r.RecipientRole != "" && !slices.Contains(u.Roles, r.RecipientRole) {
		return false
	}
	if r.AtEventLocation && !u.WorksAt(locationIDs) {
		return false
	}
	return true
}
