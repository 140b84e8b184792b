package domain

import (
	"regexp"
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

// LocationType says what a location is for.
type LocationType string

// Location types.
const (
	// LocationBranch serves patients.
	LocationBranch LocationType = "branch"
	// LocationWarehouse holds stock and serial units.
	LocationWarehouse LocationType = "warehouse"
)

// Reasons of location errors.
const (
	// ReasonLocationDeleted: the location is soft-deleted; undelete it
	// before changing it.
	ReasonLocationDeleted = "LOCATION_DELETED"
)

// Location is a branch or warehouse of a company. Deletes are soft: a
// deleted location keeps its row, its history and its code.
type Location struct {
	ID        string
	CompanyID string
	// Code is unique within the company among all locations, deleted ones
	// included: a deleted location's code stays reserved.
	Code     string
	Name     string
	Type     LocationType
	Address  contact.Address
	Phone    contact.Phone
	NPI      string
	TimeZone string
	// Version increases by one with every change; the etag is made from it.
	Version    int64
	CreateTime time.Time
	UpdateTime time.Time
	// DeleteTime is set while the location is soft-deleted.
	DeleteTime *time.Time
}

// Deleted reports whether the location is soft-deleted.
func (l *Location) Deleted() bool { return l.DeleteTime != nil }

// LocationField names a writable field of a location by its API name.
// Besides the constants, the parts of the address and phone may be named
// alone: "address.city", "phone.number".
type LocationField string

// The writable fields of a location.
const (
	LocationCode     LocationField = "code"
	LocationName     LocationField = "name"
	LocationTypeF    LocationField = "type"
	LocationAddress  LocationField = "address"
	LocationPhone    LocationField = "phone"
	LocationNPI      LocationField = "npi"
	LocationTimeZone LocationField = "time_zone"
)

// LocationFields lists every writable field of a location, in API order.
var LocationFields = []LocationField{LocationCode, LocationName, LocationTypeF, LocationAddress, LocationPhone, LocationNPI, LocationTimeZone}

// LocationValues are the values a client sends for a location's writable
// fields.
type LocationValues struct {
	Code     string
	Name     string
	Type     LocationType
	Address  contact.Address
	Phone    contact.Phone
	NPI      string
	TimeZone string
}

// locationCodePattern is the shape of a location code.
var locationCodePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{1,19}$`)

// maxLocationName is the longest location name, in characters.
const maxLocationName = 100

// NewLocation returns a location of company built from values, created at
// now. Every field is checked; violations name fields relative to the
// location ("code", "address.state", "timeZone").
func NewLocation(id, companyID string, values LocationValues, now time.Time) (*Location, error) {
	l := &Location{ID: id, CompanyID: companyID, Version: 1, CreateTime: now, UpdateTime: now}
	if err := l.apply(LocationFields, values); err != nil {
		return nil, err
	}
	return l, nil
}

// Update writes the named fields of values into l at now. A deleted
// location must be undeleted first.
func (l *Location) Update(fields []LocationField, values LocationValues, now time.Time) error {
	if l.Deleted() {
		return errs.FailedPrecondition(ReasonLocationDeleted, "the location is deleted; undelete it before changing it")
	}
	if err := l.apply(fields, values); err != nil {
		return err
	}
	l.UpdateTime = now
	return nil
}

// apply checks and writes the named fields, all or none.
func (l *Location) apply(fields []LocationField, values LocationValues) error {
	var v errs.Violations
	var edit contactEdit
	next := *l
	for _, f := range fields {
		if edit.set(string(f), &next.Address, &next.Phone, values.Address, values.Phone) {
			continue
		}
		switch f {
		case LocationCode:
			next.Code = strings.ToUpper(strings.TrimSpace(values.Code))
			if !locationCodePattern.MatchString(next.Code) {
				v.Add("code", "must be 2-20 upper-case letters, digits and dashes, starting with a letter or digit")
			}
		case LocationName:
			next.Name = strings.TrimSpace(values.Name)
			v.CheckText("name", next.Name, true, maxLocationName)
		case LocationTypeF:
			next.Type = values.Type
			if next.Type != LocationBranch && next.Type != LocationWarehouse {
				v.Add("type", "must be branch or warehouse")
			}
		case LocationNPI:
			next.NPI = normalizeNPI(&v, "npi", values.NPI)
		case LocationTimeZone:
			next.TimeZone = strings.TrimSpace(values.TimeZone)
			if !usformat.ValidTimeZone(next.TimeZone) {
				v.Add("timeZone", `must be an IANA time zone such as "America/New_York"`)
			}
		default:
			v.Addf(string(f), "is not a writable field of a location")
		}
	}
	edit.check(&v, &next.Address, &next.Phone, true)
	if err := v.Err(); err != nil {
		return err
	}
	*l = next
	return nil
}

// Delete soft-deletes the location at now.
func (l *Location) Delete(now time.Time) error {
	if l.Deleted() {
		return errs.FailedPrecondition(ReasonLocationDeleted, "the location is already deleted")
	}
	l.DeleteTime = &now
	l.UpdateTime = now
	return nil
}

// Undelete restores a soft-deleted location at now. Restoring one that is
// not deleted is ALREADY_EXISTS, as AIP-164 asks.
func (l *Location) Undelete(now time.Time) error {
	if !l.Deleted() {
		e := errs.AlreadyExists("location", l.ID)
		e.Message = "the location is not deleted"
		return e
	}
	l.DeleteTime = nil
	l.UpdateTime = now
	return nil
}
