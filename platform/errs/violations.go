package errs

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Violations collects field problems found while validating one request, so
// a client learns about all of them in one round trip instead of one at a
// time. The zero value is ready to use.
type Violations struct {
	fields []FieldViolation
}

// Add records that field is wrong, with a description for the client.
func (v *Violations) Add(field, description string) {
	v.fields = append(v.fields, FieldViolation{Field: field, Description: description})
}

// Addf is Add with a formatted description.
func (v *Violations) Addf(field, format string, args ...any) {
	v.Add(field, fmt.Sprintf(format, args...))
}

// Merge adds every violation of err under the prefix ("address" turns
// "postalCode" into "address.postalCode"), also when err wraps the Invalid
// error. Non-Invalid errors are added as a violation of the prefix itself.
func (v *Violations) Merge(prefix string, err error) {
	if err == nil {
		return
	}
	var e *Error
	if errors.As(err, &e) && e.Kind == KindInvalid {
		for _, f := range e.Fields {
			v.Add(join(prefix, f.Field), f.Description)
		}
		return
	}
	v.Add(prefix, err.Error())
}

// Len reports how many violations were recorded.
func (v *Violations) Len() int { return len(v.fields) }

// Err returns nil when nothing was recorded, or an Invalid error listing every
// violation in the order they were added.
func (v *Violations) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return Invalid(append([]FieldViolation(nil), v.fields...)...)
}

func join(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	default:
		return prefix + "." + field
	}
}

// CheckText records a violation of field when a required value is empty,
// or a value is not valid UTF-8 or longer than max characters.
func (v *Violations) CheckText(field, value string, required bool, max int) {
	v.checkText(field, value, required, max, false)
}

// CheckLine is CheckText for a value that must also hold no control
// character: names and descriptions that travel on to claims, where a tab
// or line break corrupts the record.
func (v *Violations) CheckLine(field, value string, required bool, max int) {
	v.checkText(field, value, required, max, true)
}

func (v *Violations) checkText(field, value string, required bool, max int, line bool) {
	switch {
	case value == "" && required:
		v.Add(field, "is required")
	case !utf8.ValidString(value):
		v.Add(field, "must be valid UTF-8")
	case line && strings.ContainsFunc(value, unicode.IsControl):
		v.Add(field, "must not contain control characters such as tabs or line breaks")
	case utf8.RuneCountInString(value) > max:
		v.Addf(field, "must be at most %d characters", max)
	}
}
