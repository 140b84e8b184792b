package app

import (
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// Event, UnitOfWork and EventRecorder are the platform's (usecase): the
// company service's commands record their events in the unit of work of
// their change like every other service's.
type (
	Event         = usecase.Event
	UnitOfWork    = usecase.UnitOfWork
	EventRecorder = usecase.EventRecorder
)

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

	EventSignInBlocked   = "company.user.sign_in_blocked.v1"
	EventPasswordChanged = "company.password.changed.v1"
	EventPasswordReset   = "company.password.reset.v1"

	EventSessionStarted    = "company.session.started.v1"
	EventSessionRevoked    = "company.session.revoked.v1"
	EventAPIKeyCreated     = "company.api_key.created.v1"
	EventAPIKeyRevoked     = "company.api_key.revoked.v1"
	EventSigningKeyRotated = "company.signing_key.rotated.v1"
)

// MemoryRecorder keeps events in memory, for tests.
type MemoryRecorder = usecase.MemoryRecorder

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
