package app

import (
	"time"

	"google.golang.org/protobuf/proto"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// Company user event types that feed the users read model.
const (
	eventUserCreated      = "company.user.created.v1"
	eventUserUpdated      = "company.user.updated.v1"
	eventUserRolesChanged = "company.user.roles_changed.v1"
	eventUserDeactivated  = "company.user.deactivated.v1"
	eventUserReactivated  = "company.user.reactivated.v1"
	eventAPIKeyRevoked    = "company.api_key.revoked.v1"
)

// authorityEnded reads whether an event ends the authority of a user or an
// API key that webhook subscriptions may deliver with: a deactivated user,
// a revoked key. ok is false for every other event.
func authorityEnded(eventType string, msg proto.Message) (creatorID, reason string, ok bool) {
	switch p := msg.(type) {
	case *companyv1.UserDeactivated:
		return p.GetUserId(), domain.WebhookSuspendedCreatorDeactivated, eventType == eventUserDeactivated && p.GetUserId() != ""
	case *companyv1.ApiKeyRevoked:
		return p.GetApiKeyId(), domain.WebhookSuspendedAPIKeyRevoked, eventType == eventAPIKeyRevoked && p.GetApiKeyId() != ""
	}
	return "", "", false
}

// roleNames are the role names tokens and rules use, by API value.
var roleNames = map[companyv1.Role]string{
	companyv1.Role_ROLE_OWNER:      "owner",
	companyv1.Role_ROLE_ADMIN:      "admin",
	companyv1.Role_ROLE_INTAKE:     "intake",
	companyv1.Role_ROLE_BILLING:    "billing",
	companyv1.Role_ROLE_WAREHOUSE:  "warehouse",
	companyv1.Role_ROLE_TECHNICIAN: "technician",
	companyv1.Role_ROLE_AUDITOR:    "auditor",
	companyv1.Role_ROLE_PARTNER:    "partner",
}

func names(roles []companyv1.Role) []string {
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		if n, ok := roleNames[r]; ok {
			out = append(out, n)
		}
	}
	return out
}

// userChange reads what a company user event says about its user, timed
// by the event's occur time. ok is false for every other event.
func userChange(eventType string, msg proto.Message, at time.Time) (userID string, c domain.UserChange, ok bool) {
	active, inactive := true, false
	c.OccurTime = at
	switch p := msg.(type) {
	case *companyv1.UserCreated:
		if eventType != eventUserCreated {
			return "", c, false
		}
		c.SetsRoles, c.Roles = true, names(p.GetRoles())
		c.SetsLocations, c.LocationIDs = true, p.GetAllowedLocationIds()
		c.Active = &active
		return p.GetUserId(), c, true
	case *companyv1.UserUpdated:
		if eventType != eventUserUpdated {
			return "", c, false
		}
		c.SetsLocations, c.LocationIDs = true, p.GetAllowedLocationIds()
		return p.GetUserId(), c, true
	case *companyv1.UserRolesChanged:
		if eventType != eventUserRolesChanged {
			return "", c, false
		}
		c.SetsRoles, c.Roles = true, names(p.GetRoles())
		return p.GetUserId(), c, true
	case *companyv1.UserDeactivated:
		if eventType != eventUserDeactivated {
			return "", c, false
		}
		c.Active = &inactive
		return p.GetUserId(), c, true
	case *companyv1.UserReactivated:
		if eventType != eventUserReactivated {
			return "", c, false
		}
		c.Active = &active
		return p.GetUserId(), c, true
	}
	return "", c, false
}
