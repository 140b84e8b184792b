package auth

import "strings"

// Role names. A token's roles claim holds some of these; the tenant's owner
// is the only role that may change the company itself or rotate keys.
const (
	RoleOwner      = "owner"
	RoleAdmin      = "admin"
	RoleIntake     = "intake"
	RoleBilling    = "billing"
	RoleWarehouse  = "warehouse"
	RoleTechnician = "technician"
	RoleAuditor    = "auditor"
	RolePartner    = "partner"
)

// RolePermissions maps each role to the permission patterns it grants. A
// pattern is a permission ("patients.read"), a resource wildcard
// ("patients.*"), a verb wildcard ("*.read") or everything ("*"). The table is
// data: tests read it, and changing a role's reach is a reviewed one-line
// change here.
var RolePermissions = map[string][]string{
	RoleOwner: {"*"},
	RoleAdmin: {
		"self.*", "company.read", "locations.*", "users.*", "apikeys.*",
		"patients.*", "payers.*", "coverages.*", "prescribers.*", "written_orders.*",
		"price_lists.*", "orders.*", "deliveries.*", "rentals.*", "claims.*",
		"resupply.*", "items.*", "serials.*", "stock.*", "maintenance.*", "usage.*",
		"notifications.*", "notification_rules.*", "webhooks.*", "events.*", "audit.read",
	},
	RoleIntake: {
		"self.*", "company.read", "locations.read", "patients.*", "payers.read",
		"coverages.*", "prescribers.*", "written_orders.*", "orders.read", "orders.write",
		"items.read", "resupply.*", "notifications.*",
	},
	RoleBilling: {
		"self.*", "company.read", "locations.read", "patients.read", "patients.phi",
		"payers.*", "coverages.*", "prescribers.read", "written_orders.read",
		"price_lists.*", "orders.read", "orders.write", "orders.approve", "serials.reserve", "items.read",
		"rentals.*", "claims.*", "resupply.*", "notifications.*",
	},
	RoleWarehouse: {
		"self.*", "company.read", "locations.read", "items.*", "serials.*", "stock.*",
		"maintenance.read", "orders.read", "deliveries.*", "resupply.*", "notifications.*",
	},
	RoleTechnician: {
		"self.*", "company.read", "locations.read", "items.read", "serials.read",
		"maintenance.*", "usage.*", "orders.read", "deliveries.write", "notifications.*",
	},
	RoleAuditor: {"self.*", "*.read", "audit.*"},
	RolePartner: {
		"self.read", "company.read", "locations.read", "items.read", "serials.read",
		"orders.read", "webhooks.*", "events.watch",
	},
}

// Permits reports whether any of roles grants permission. Unknown roles grant
// nothing, and an empty permission is never granted.
func Permits(roles []string, permission string) bool {
	if permission == "" {
		return false
	}
	for _, role := range roles {
		for _, pattern := range RolePermissions[role] {
			if matches(pattern, permission) {
				return true
			}
		}
	}
	return false
}

func matches(pattern, permission string) bool {
	if pattern == "*" || pattern == permission {
		return true
	}
	pr, pv, ok := strings.Cut(pattern, ".")
	if !ok {
		return false
	}
	r, v, ok := strings.Cut(permission, ".")
	if !ok {
		return false
	}
	return (pr == "*" || pr == r) && (pv == "*" || pv == v)
}
