package domain

import (
	_ "embed"
	"strings"
	"sync"

	"github.com/ariesone/ariesone/platform/errs"
)

// commonPasswordList is the 10,000 most common passwords of zxcvbn 4.4.2's
// frequency list (MIT, Dropbox, Inc.; scripts/common-passwords.sh makes
// it), one per line, most common first: the first passwords an attacker
// tries against every account.
//
//go:embed common_passwords.txt
var commonPasswordList string

var (
	commonOnce sync.Once
	common     map[string]struct{}
)

// IsCommonPassword reports whether plain, ignoring case, is one of the
// shipped common passwords.
func IsCommonPassword(plain string) bool {
	commonOnce.Do(func() {
		lines := strings.Split(strings.TrimSpace(commonPasswordList), "\n")
		common = make(map[string]struct{}, len(lines))
		for _, p := range lines {
			common[strings.ToLower(strings.TrimSpace(p))] = struct{}{}
		}
	})
	_, ok := common[strings.ToLower(plain)]
	return ok
}

// CommonPasswordCount is how many passwords the list holds.
func CommonPasswordCount() int {
	IsCommonPassword("")
	return len(common)
}

// CheckNewPassword applies the rules a password must meet to be set for
// the account with email: CheckPasswordPolicy's length bounds, and not the
// email or its part before "@", nor a common password (NIST SP 800-63B
// 5.1.1.2: check against values known to be commonly used or expected).
func CheckNewPassword(field, plain, email string) error {
	if err := CheckPasswordPolicy(field, plain); err != nil {
		return err
	}
	lowered := strings.ToLower(strings.TrimSpace(plain))
	local, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	switch {
	case email != "" && (lowered == strings.ToLower(strings.TrimSpace(email)) || lowered == local):
		return errs.Invalid(errs.FieldViolation{Field: field, Description: "must not be the account's email"})
	case IsCommonPassword(plain):
		return errs.Invalid(errs.FieldViolation{Field: field, Description: "is one of the 10,000 most common passwords; choose another"})
	}
	return nil
}
