// Package etag turns a resource's version number into the etag clients send
// back for optimistic concurrency (AIP-154), and checks what they send.
//
// An etag is the version in decimal between double quotes ("42"): already
// in HTTP entity-tag form, so the gateway can copy it into the ETag header
// unchanged. Clients must treat it as opaque. A weak form (W/"42") is
// accepted too, because HTTP intermediaries that re-encode a response
// weaken its ETag on the way to the client.
package etag

import (
	"strconv"
	"strings"

	"github.com/ariesone/ariesone/platform/errs"
)

const (
	// Field is the request field an etag arrives in, for field violations.
	Field = "etag"
	// ReasonMismatch is the error reason when the supplied etag is stale.
	ReasonMismatch = "ETAG_MISMATCH"
	// weakPrefix marks a weak HTTP entity tag.
	weakPrefix = "W/"
	// maxLen is longer than any etag FromVersion makes (a quoted int64 with
	// the weak prefix is at most 23 bytes); longer input is not parsed.
	maxLen = 32
)

// FromVersion returns the etag of a resource at version.
func FromVersion(version int64) string {
	return `"` + strconv.FormatInt(version, 10) + `"`
}

// Check compares an etag supplied with a request against the resource's
// current version. An empty etag means the client did not ask for a check,
// and passes. A stale etag is errs.KindAborted with reason ReasonMismatch
// (re-read and retry may succeed); one FromVersion could not have made is
// errs.KindInvalid on field "etag".
func Check(supplied string, current int64) error {
	if supplied == "" {
		return nil
	}
	version, err := Parse(supplied)
	if err != nil {
		return err
	}
	if version != current {
		return errs.Aborted(ReasonMismatch, "the resource was changed since it was read; read it again and retry")
	}
	return nil
}

// Parse returns the version an etag names. Only the canonical form
// FromVersion makes is accepted (no sign, no leading zeros, no spaces), with
// an optional weak prefix, so every version has exactly one etag.
func Parse(etag string) (int64, error) {
	s := strings.TrimPrefix(etag, weakPrefix)
	if len(etag) > maxLen || len(s) < 3 || s[0] != '"' || s[len(s)-1] != '"' {
		return 0, malformed()
	}
	digits := s[1 : len(s)-1]
	// Formatting back and comparing rejects "+7", "007" and "-0", which
	// ParseInt alone would accept.
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || strconv.FormatInt(v, 10) != digits {
		return 0, malformed()
	}
	return v, nil
}

func malformed() error {
	return errs.Invalid(errs.FieldViolation{Field: Field, Description: "is not an etag returned by this API"})
}
