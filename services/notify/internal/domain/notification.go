package domain

import "time"

// Notification is one message in a user's inbox, made by a rule from an
// event.
type Notification struct {
	ID         string
	CompanyID  string
	UserID     string
	RuleID     string
	EventID    string
	EventType  string
	Title      string
	ResourceID string
	CreateTime time.Time
	// ReadTime is nil while the notification is unread.
	ReadTime *time.Time
}

// EventFacts are what notification rules read from an event's payload: the
// locations it names (its location_id, warehouse_id and branch_id fields)
// and the resource it is about.
type EventFacts struct {
	LocationIDs []string
	ResourceID  string
}

// NewID makes an id for a notification; the caller supplies ids so the
// domain stays free of randomness.
type NewID func() (string, error)

// Notify returns the notifications the matching rules make for e: one per
// rule and recipient, each recipient at most once per rule. Rules that do
// not match e's type make none; inactive users receive none.
func Notify(e Event, facts EventFacts, rules []*NotificationRule, users []*Recipient, newID NewID, now time.Time) ([]*Notification, error) {
	var out []*Notification
	for _, rule := range rules {
		if !rule.Matches(e.Type) {
			continue
		}
		for _, u := range users {
			if !rule.Addresses(u, facts) {
				continue
			}
			id, err := newID()
			if err != nil {
				return nil, err
			}
			out = append(out, &Notification{
				ID:         id,
				CompanyID:  e.CompanyID,
				UserID:     u.UserID,
				RuleID:     rule.ID,
				EventID:    e.ID,
				EventType:  e.Type,
				Title:      rule.Title,
				ResourceID: facts.ResourceID,
				CreateTime: now,
			})
		}
	}
	return out, nil
}
