package page

import (
	"fmt"

	"github.com/ariesone/ariesone/platform/errs"
)

const (
	// DefaultSize is the page size when the request leaves page_size unset.
	DefaultSize = 50
	// MaxSize is the largest page a caller may ask for; it bounds the work
	// and memory one List call can cost.
	MaxSize = 1000
	// SizeField is the request field page sizes arrive in.
	SizeField = "pageSize"
)

// Size returns the number of items to return for a requested page_size: the
// default for zero, the request itself up to MaxSize, and an errs.KindInvalid
// error on field "pageSize" for a negative size or one above MaxSize.
//
// AIP-158 lets an API coerce an oversized page_size down to the maximum; we
// reject it instead so a client learns the limit rather than silently
// getting fewer items per page than it planned for.
func Size(requested int32) (int, error) {
	switch {
	case requested == 0:
		return DefaultSize, nil
	case requested < 0:
		return 0, errs.Invalid(errs.FieldViolation{Field: SizeField, Description: "must not be negative"})
	case requested > MaxSize:
		return 0, errs.Invalid(errs.FieldViolation{Field: SizeField, Description: fmt.Sprintf("must be at most %d", MaxSize)})
	}
	return int(requested), nil
}
