package contact

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/ariesone/ariesone/platform/errs"
)

// MaxEmail is the longest email address accepted, in bytes (RFC 5321's
// limit on a forward path).
const MaxEmail = 254

// NormalizeEmail trims an email address and checks that it is one bare
// address ("ana@example.com", no display name) whose domain has a dot, at
// most MaxEmail bytes. The address keeps the case it was typed in; callers
// that compare addresses fold case themselves. An empty address is a
// violation ("is required"): callers with an optional email skip the call
// for "".
func NormalizeEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	bad := func(d string) error { return errs.Invalid(errs.FieldViolation{Description: d}) }
	if email == "" {
		return "", bad("is required")
	}
	if len(email) > MaxEmail {
		return "", bad(fmt.Sprintf("must be at most %d characters", MaxEmail))
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Name != "" || a.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return "", bad("must be an email address such as ana@example.com")
	}
	return email, nil
}
