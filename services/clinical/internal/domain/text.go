package domain

import (
	"strings"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
)

// normalizeID trims and checks the id of another resource: a UUID in its
// canonical 36-character form, returned lower-case. An empty id is a
// violation only when required. what names the resource for the client
// ("location", "plan").
func normalizeID(v *errs.Violations, field, raw string, required bool, what string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		if required {
			v.Add(field, "is required")
		}
		return ""
	}
	id, err := uuid.Parse(raw)
	if err != nil || len(raw) != 36 {
		v.Addf(field, "must be a %s id (UUID)", what)
		return raw
	}
	return id.String()
}

// checkDate records a violation of field when a set date does not exist in
// the calendar (a google.type.Date of February 30, for example), or when a
// required date is not set. It reports whether the date is set and valid,
// so callers compare only dates that are.
func checkDate(v *errs.Violations, field string, d civil.Date, required bool) bool {
	switch {
	case d.IsZero():
		if required {
			v.Add(field, "is required")
		}
		return false
	case !d.IsValid():
		v.Add(field, "must be a calendar date: a year 1-9999, a month 1-12 and a day that exists in that month")
		return false
	}
	return true
}
