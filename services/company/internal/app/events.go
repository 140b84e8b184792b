package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// Event is a change the rest of the mesh may react to. Type is the routing
// key ("company.location.created.v1"); Payload is the event's message from
// ariesone/company/v1/events.proto.
type Event struct {
	Type       string
	CompanyID  string
	ResourceID string
	Payload    proto.Message
}

// UnitOfWork runs fn in one database transaction and hands it a context
// carrying that transaction: every repository call made with that context
// joins it, so the change and the events recorded for it commit together
// or not at all. fn's error rolls everything back and is returned. The
// service's *postgres.DB implements it; the app layer sees no SQL.
type UnitOfWork interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// EventRecorder writes the events of changes. Commands call Record inside
// the unit of work of the change an event describes, with the unit's
// context, and the recorder writes the event in that transaction (the
// outbox): an event is published if and only if its change commits. An
// error from Record aborts the change, and the command returns it.
type EventRecorder interface {
	Record(ctx context.Context, e Event) error
}

// changeAndRecord runs change in one unit of work and records the events it
// returns in the same transaction, returning change's result once both
// have committed. A change that returns no events (an idempotent replay, a
// no-op) commits without any.
func changeAndRecord[T any](ctx context.Context, uow UnitOfWork, recorder EventRecorder,
	change func(ctx context.Context) (T, []Event, error)) (T, error) {
	var out T
	err := uow.InTx(ctx, func(ctx context.Context) error {
		result, events, err := change(ctx)
		if err != nil {
			return err
		}
		if err := recordAll(ctx, recorder, events...); err != nil {
			return err
		}
		out = result
		return nil
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// recordAll records events in order, stopping at the first error.
func recordAll(ctx context.Context, recorder EventRecorder, events ...Event) error {
	for _, e := range events {
		if err := recorder.Record(ctx, e); err != nil {
			return fmt.Errorf("record %s: %w", e.Type, err)
		}
	}
	return nil
}

// Event types: "company.<resource>.<verb>.v1".
const (
	EventCompanyCreated = "company.company.created.v1"
	EventCompanyUpdated = "company.company.updated.v1"

	EventLocationCreated   = "company.location.created.v1"
	EventLocationUpdated   = "company.location.updated.v1"
	EventLocationDeleted   = "company.location.deleted.v1"
	EventLocationUndeleted = "company.location.undeleted.v1"

	EventUserCreated      = "company.user.created.v1"
	EventUserUpdated      = "company.user.updated.v1"
	EventUserRolesChanged = "company.user.roles_changed.v1"
	EventUserDeactivated  = "company.user.deactivated.v1"
	EventUserReactivated  = "company.user.reactivated.v1"

	EventSessionStarted    = "company.session.started.v1"
	EventSessionRevoked    = "company.session.revoked.v1"
	EventAPIKeyCreated     = "company.api_key.created.v1"
	EventAPIKeyRevoked     = "company.api_key.revoked.v1"
	EventSigningKeyRotated = "company.signing_key.rotated.v1"
)

// MemoryRecorder keeps events in memory, for tests. It is not
// transactional: an event recorded in a unit of work that rolls back
// afterwards stays kept.
type MemoryRecorder struct {
	// Check, when set, vets every event before it is kept; its error is
	// Record's, so the change aborts. Test harnesses use it to require that
	// events are recorded inside a unit of work.
	Check func(ctx context.Context, e Event) error

	mu     sync.Mutex
	events []Event
	fail   error
}

// Record runs Check and appends e, or returns the error set by FailWith
// and keeps nothing.
func (m *MemoryRecorder) Record(ctx context.Context, e Event) error {
	if m.Check != nil {
		if err := m.Check(ctx, e); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.events = append(m.events, e)
	return nil
}

// FailWith makes every later Record return err (nil records again), so a
// test can show that a change whose event cannot be written does not
// happen.
func (m *MemoryRecorder) FailWith(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = err
}

// Events returns a copy of everything recorded so far, in order.
func (m *MemoryRecorder) Events() []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.events)
}

// Types returns the types of the events recorded so far, in order.
func (m *MemoryRecorder) Types() []string {
	var out []string
	for _, e := range m.Events() {
		out = append(out, e.Type)
	}
	return out
}

// The enums of events.proto follow the API's naming: ROLE_OWNER for
// "owner", LOCATION_TYPE_BRANCH for "branch". Deriving the value from the
// name keeps one source of truth; an unknown name becomes the UNSPECIFIED
// zero value.

func protoRoles(roles []domain.Role) []companyv1.Role {
	out := make([]companyv1.Role, len(roles))
	for i, r := range roles {
		out[i] = companyv1.Role(companyv1.Role_value["ROLE_"+strings.ToUpper(string(r))])
	}
	return out
}

func protoLocationType(t domain.LocationType) companyv1.LocationType {
	return companyv1.LocationType(companyv1.LocationType_value["LOCATION_TYPE_"+strings.ToUpper(string(t))])
}

func protoUserStatus(s domain.UserStatus) companyv1.UserStatus {
	return companyv1.UserStatus(companyv1.UserStatus_value["USER_STATUS_"+strings.ToUpper(string(s))])
}

func fieldNames[F ~string](fields []F) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = string(f)
	}
	return out
}

func timestamp(t time.Time) *timestamppb.Timestamp { return timestamppb.New(t) }
