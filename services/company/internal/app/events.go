package app

import (
	"context"
	"log/slog"
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

// EventRecorder receives the events of committed changes. Commands call it
// after their transaction commits, so a recorded event always describes a
// change that happened (until the transactional outbox replaces it, an
// event may be lost if the process dies in between, never invented).
type EventRecorder interface {
	Record(ctx context.Context, e Event)
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

// LogRecorder writes one structured log line per event, naming it by type
// and ids only: payload values (names, emails) stay out of the log.
type LogRecorder struct {
	Logger *slog.Logger
}

// Record logs e.
func (l LogRecorder) Record(ctx context.Context, e Event) {
	payload := ""
	if e.Payload != nil {
		payload = string(proto.MessageName(e.Payload))
	}
	l.Logger.LogAttrs(ctx, slog.LevelInfo, "event",
		slog.String("event_type", e.Type),
		slog.String("company_id", e.CompanyID),
		slog.String("resource_id", e.ResourceID),
		slog.String("payload_type", payload))
}

// MemoryRecorder keeps events in memory, for tests.
type MemoryRecorder struct {
	mu     sync.Mutex
	events []Event
}

// Record appends e.
func (m *MemoryRecorder) Record(_ context.Context, e Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, e)
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
