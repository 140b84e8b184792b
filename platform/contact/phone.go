package contact

import (
	"strings"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

// PhoneKind tells a caller which number to dial for what.
type PhoneKind string

// Phone kinds; the empty kind means not specified.
const (
	PhoneKindUnspecified PhoneKind = ""
	PhoneKindHome        PhoneKind = "home"
	PhoneKindMobile      PhoneKind = "mobile"
	PhoneKindWork        PhoneKind = "work"
	PhoneKindFax         PhoneKind = "fax"
)

// Phone is a North American number stored in E.164 ("+14045550123").
type Phone struct {
	// Number is E.164 once normalized; clients may send any common
	// formatting.
	Number    string
	Extension string
	Kind      PhoneKind
}

// IsZero reports whether no phone is set.
func (p Phone) IsZero() bool { return p == Phone{} }

// MaxExtension is the longest extension, in digits.
const MaxExtension = 6

// NormalizePhone returns p with its number in E.164. An all-empty phone is
// valid and stays empty (whatever its kind: a kind alone is no phone).
// Violations name "number", "extension" and "kind".
func NormalizePhone(p Phone) (Phone, error) {
	p.Number = strings.TrimSpace(p.Number)
	p.Extension = strings.TrimSpace(p.Extension)
	if p.Number == "" && p.Extension == "" {
		return Phone{}, nil
	}
	var v errs.Violations
	if e164, ok := usformat.NormalizePhone(p.Number); ok {
		p.Number = e164
	} else {
		v.Add("number", "must be a 10-digit US phone number whose area code and exchange start with 2-9")
	}
	if len(p.Extension) > MaxExtension || strings.Trim(p.Extension, "0123456789") != "" {
		v.Addf("extension", "must be at most %d digits", MaxExtension)
	}
	switch p.Kind {
	case PhoneKindUnspecified, PhoneKindHome, PhoneKindMobile, PhoneKindWork, PhoneKindFax:
	default:
		v.Add("kind", "is not a phone kind")
	}
	return p, v.Err()
}

// CopyPart copies one part of from into p, the part named as an update
// mask names it after the phone field (the proto name): "number",
// "extension" or "kind". It reports false, changing nothing, for any other
// name.
func (p *Phone) CopyPart(from Phone, part string) bool {
	switch part {
	case "number":
		p.Number = from.Number
	case "extension":
		p.Extension = from.Extension
	case "kind":
		p.Kind = from.Kind
	default:
		return false
	}
	return true
}
