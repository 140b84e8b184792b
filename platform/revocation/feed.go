package revocation

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/bus"
)

// Event types that revoke tokens, all company's.
const (
	EventSessionRevoked   = "company.session.revoked.v1"
	EventUserDeactivated  = "company.user.deactivated.v1"
	EventUserRolesChanged = "company.user.roles_changed.v1"
	EventAPIKeyRevoked    = "company.api_key.revoked.v1"
)

// StreamName is the replayable stream of revocation events every process
// reads.
const StreamName = "ariesone.revocations"

// Subscription is the stream a Set is fed from, read back to Retention
// before now.
func Subscription(stream string, retention time.Duration, now time.Time) bus.StreamSubscription {
	return bus.StreamSubscription{
		Name:     stream,
		Bindings: []string{EventSessionRevoked, EventUserDeactivated, EventUserRolesChanged, EventAPIKeyRevoked},
		// Fixed, not Retention: every declarer must declare the stream
		// alike, and a set that remembers less simply reads less of it.
		MaxAge: StreamMaxAge,
		From:   now.Add(-retention),
	}
}

// StreamMaxAge is how long the broker keeps revocation events: longer than
// any process's Retention.
const StreamMaxAge = 2 * time.Hour

// Run feeds s from the revocation stream until ctx ends, marking it
// caught up or lost as the stream does.
func (s *Set) Run(ctx context.Context, sub bus.StreamSubscriber) error {
	return sub.ConsumeStream(ctx, Subscription(s.cfg.Stream, s.cfg.Retention, s.cfg.Now()), s.apply, s.Attached)
}

func (s *Set) apply(_ context.Context, batch []bus.Delivery) error {
	for _, d := range batch {
		if r, ok := FromEvent(d.Message); ok {
			s.Add(r)
		}
	}
	return nil
}

// FromEvent reads the revocation an event of company's carries; ok is
// false for any other event, or one that does not decode.
func FromEvent(m bus.Message) (Revocation, bool) {
	r := Revocation{Time: m.OccurTime}
	switch m.Type {
	case EventSessionRevoked:
		var e companyv1.SessionRevoked
		if proto.Unmarshal(m.Payload, &e) != nil {
			return r, false
		}
		r.SessionID = e.GetSessionId()
	case EventUserDeactivated:
		var e companyv1.UserDeactivated
		if proto.Unmarshal(m.Payload, &e) != nil {
			return r, false
		}
		r.Subject = e.GetUserId()
	case EventUserRolesChanged:
		var e companyv1.UserRolesChanged
		if proto.Unmarshal(m.Payload, &e) != nil {
			return r, false
		}
		r.Subject = e.GetUserId()
	case EventAPIKeyRevoked:
		var e companyv1.ApiKeyRevoked
		if proto.Unmarshal(m.Payload, &e) != nil {
			return r, false
		}
		r.Subject = e.GetApiKeyId()
	default:
		return r, false
	}
	return r, (r.SessionID != "" || r.Subject != "") && !r.Time.IsZero()
}
