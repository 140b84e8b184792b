package revocation

import (
	"context"
	"maps"
	"slices"
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
		Bindings: slices.Sorted(maps.Keys(revokers)),
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

// revokers read, per event type, what an event revokes.
var revokers = map[string]func(payload []byte) (Revocation, error){
	EventSessionRevoked:   decoded(func(e *companyv1.SessionRevoked) Revocation { return Revocation{SessionID: e.GetSessionId()} }),
	EventUserDeactivated:  decoded(func(e *companyv1.UserDeactivated) Revocation { return Revocation{Subject: e.GetUserId()} }),
	EventUserRolesChanged: decoded(func(e *companyv1.UserRolesChanged) Revocation { return Revocation{Subject: e.GetUserId()} }),
	EventAPIKeyRevoked:    decoded(func(e *companyv1.ApiKeyRevoked) Revocation { return Revocation{Subject: e.GetApiKeyId()} }),
}

// decoded decodes a payload as M before read takes what it revokes.
func decoded[M any, PM interface {
	*M
	proto.Message
}](read func(PM) Revocation) func([]byte) (Revocation, error) {
	return func(payload []byte) (Revocation, error) {
		msg := PM(new(M))
		if err := proto.Unmarshal(payload, msg); err != nil {
			return Revocation{}, err
		}
		return read(msg), nil
	}
}

// FromEvent reads the revocation an event of company's carries; ok is
// false for any other event, or one that does not decode or names nothing.
func FromEvent(m bus.Message) (Revocation, bool) {
	read, known := revokers[m.Type]
	if !known {
		return Revocation{}, false
	}
	r, err := read(m.Payload)
	r.Time = m.OccurTime
	return r, err == nil && (r.SessionID != "" || r.Subject != "") && !r.Time.IsZero()
}
