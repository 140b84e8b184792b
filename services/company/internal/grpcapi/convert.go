package grpcapi

import (
	"fmt"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// Enum tables: each API enum value and the domain value it stands for. The
// UNSPECIFIED values have no domain counterpart.
var (
	roleToDomain = map[companyv1.Role]domain.Role{
		companyv1.Role_ROLE_OWNER:      domain.RoleOwner,
		companyv1.Role_ROLE_ADMIN:      domain.RoleAdmin,
		companyv1.Role_ROLE_INTAKE:     domain.RoleIntake,
		companyv1.Role_ROLE_BILLING:    domain.RoleBilling,
		companyv1.Role_ROLE_WAREHOUSE:  domain.RoleWarehouse,
		companyv1.Role_ROLE_TECHNICIAN: domain.RoleTechnician,
		companyv1.Role_ROLE_AUDITOR:    domain.RoleAuditor,
		companyv1.Role_ROLE_PARTNER:    domain.RolePartner,
	}
	locationTypeToDomain = map[companyv1.LocationType]domain.LocationType{
		companyv1.LocationType_LOCATION_TYPE_BRANCH:    domain.LocationBranch,
		companyv1.LocationType_LOCATION_TYPE_WAREHOUSE: domain.LocationWarehouse,
	}
	companyStatusToProto = map[domain.CompanyStatus]companyv1.CompanyStatus{
		domain.CompanyActive:    companyv1.CompanyStatus_COMPANY_STATUS_ACTIVE,
		domain.CompanySuspended: companyv1.CompanyStatus_COMPANY_STATUS_SUSPENDED,
		domain.CompanyClosed:    companyv1.CompanyStatus_COMPANY_STATUS_CLOSED,
	}
	userStatusToProto = map[domain.UserStatus]companyv1.UserStatus{
		domain.UserActive:      companyv1.UserStatus_USER_STATUS_ACTIVE,
		domain.UserDeactivated: companyv1.UserStatus_USER_STATUS_DEACTIVATED,
		domain.UserLocked:      companyv1.UserStatus_USER_STATUS_LOCKED,
	}

	roleToProto         = protoconv.Invert(roleToDomain)
	locationTypeToProto = protoconv.Invert(locationTypeToDomain)
)

// rolesToDomain converts requested roles. A value outside the table
// (UNSPECIFIED, or a number the API does not define) keeps a name the
// domain refuses, so it is reported by index like any other bad role.
func rolesToDomain(roles []companyv1.Role) []domain.Role {
	out := make([]domain.Role, len(roles))
	for i, r := range roles {
		if d, ok := roleToDomain[r]; ok {
			out[i] = d
		} else {
			out[i] = domain.Role(fmt.Sprintf("role %d", int32(r)))
		}
	}
	return out
}

// roleFilter converts a List filter: UNSPECIFIED means no filter.
func roleFilter(r companyv1.Role) (domain.Role, error) {
	if r == companyv1.Role_ROLE_UNSPECIFIED {
		return "", nil
	}
	d, ok := roleToDomain[r]
	if !ok {
		return "", invalid("role", "is not a role")
	}
	return d, nil
}

// locationTypeFilter converts a List filter: UNSPECIFIED means no filter.
func locationTypeFilter(t companyv1.LocationType) (domain.LocationType, error) {
	if t == companyv1.LocationType_LOCATION_TYPE_UNSPECIFIED {
		return "", nil
	}
	d, ok := locationTypeToDomain[t]
	if !ok {
		return "", invalid("type", "is not a location type")
	}
	return d, nil
}

func rolesToProto(roles []domain.Role) []companyv1.Role {
	out := make([]companyv1.Role, len(roles))
	for i, r := range roles {
		out[i] = roleToProto[r]
	}
	return out
}

// companyToProto renders a company. The tax id itself is never returned,
// only its last four digits.
func companyToProto(c *domain.Company) *companyv1.Company {
	return &companyv1.Company{
		Id:           c.ID,
		Code:         c.Code,
		LegalName:    c.LegalName,
		DisplayName:  c.DisplayName,
		Npi:          c.NPI,
		TaxIdLast4:   c.TaxIDLast4,
		TaxonomyCode: c.TaxonomyCode,
		Address:      protoconv.AddressProto(c.Address),
		Phone:        protoconv.PhoneProto(c.Phone),
		Status:       companyStatusToProto[c.Status],
		CreateTime:   protoconv.Time(c.CreateTime),
		UpdateTime:   protoconv.Time(c.UpdateTime),
		Etag:         etag.FromVersion(c.Version),
	}
}

func companyValues(c *companyv1.Company) domain.CompanyValues {
	return domain.CompanyValues{
		LegalName:    c.GetLegalName(),
		DisplayName:  c.GetDisplayName(),
		NPI:          c.GetNpi(),
		TaxID:        c.GetTaxId(),
		TaxonomyCode: c.GetTaxonomyCode(),
		Address:      protoconv.Address(c.GetAddress()),
		Phone:        protoconv.Phone(c.GetPhone()),
	}
}

func locationToProto(l *domain.Location) *companyv1.Location {
	return &companyv1.Location{
		Id:         l.ID,
		Code:       l.Code,
		Name:       l.Name,
		Type:       locationTypeToProto[l.Type],
		Address:    protoconv.AddressProto(l.Address),
		Phone:      protoconv.PhoneProto(l.Phone),
		Npi:        l.NPI,
		TimeZone:   l.TimeZone,
		CreateTime: protoconv.Time(l.CreateTime),
		UpdateTime: protoconv.Time(l.UpdateTime),
		DeleteTime: protoconv.OptionalTime(l.DeleteTime),
		Etag:       etag.FromVersion(l.Version),
	}
}

// locationValues converts a location; an undefined type keeps a name the
// domain refuses.
func locationValues(l *companyv1.Location) domain.LocationValues {
	typ, ok := locationTypeToDomain[l.GetType()]
	if !ok && l.GetType() != companyv1.LocationType_LOCATION_TYPE_UNSPECIFIED {
		typ = domain.LocationType(fmt.Sprintf("type %d", int32(l.GetType())))
	}
	return domain.LocationValues{
		Code:     l.GetCode(),
		Name:     l.GetName(),
		Type:     typ,
		Address:  protoconv.Address(l.GetAddress()),
		Phone:    protoconv.Phone(l.GetPhone()),
		NPI:      l.GetNpi(),
		TimeZone: l.GetTimeZone(),
	}
}

func userToProto(u *domain.User) *companyv1.User {
	return &companyv1.User{
		Id:                 u.ID,
		Email:              u.Email,
		GivenName:          u.GivenName,
		FamilyName:         u.FamilyName,
		Roles:              rolesToProto(u.Roles),
		AllowedLocationIds: u.AllowedLocationIDs,
		Status:             userStatusToProto[u.Status],
		LastLoginTime:      protoconv.OptionalTime(u.LastLoginTime),
		CreateTime:         protoconv.Time(u.CreateTime),
		UpdateTime:         protoconv.Time(u.UpdateTime),
		Etag:               etag.FromVersion(u.Version),
	}
}

func userProfile(u *companyv1.User) domain.UserProfile {
	return domain.UserProfile{
		Email:              u.GetEmail(),
		GivenName:          u.GetGivenName(),
		FamilyName:         u.GetFamilyName(),
		AllowedLocationIDs: u.GetAllowedLocationIds(),
	}
}
