package domain

import (
	"time"

	"github.com/ariesone/ariesone/platform/civil"
)

// now is the instant tests act at; today is the date at the branch then.
var (
	now   = time.Date(2026, 3, 1, 15, 0, 0, 0, time.UTC)
	today = date("2026-03-01")
)

// Ids as the service makes them (UUIDv7, canonical form).
const (
	companyID    = "0195f3a2-0000-7000-8000-0000000000c1"
	branchID     = "0195f3a2-0000-7000-8000-0000000000b1"
	patientID    = "0195f3a2-0000-7000-8000-0000000000a1"
	prescriberID = "0195f3a2-0000-7000-8000-0000000000d1"
	planID       = "0195f3a2-0000-7000-8000-0000000000e1"
	payerID      = "0195f3a2-0000-7000-8000-0000000000f1"
)

// date parses a YYYY-MM-DD literal, or panics: tests only.
func date(s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}
