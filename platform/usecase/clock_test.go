package usecase_test

import (
	"testing"
	"time"

	"github.com/ariesone/ariesone/platform/usecase"
)

func TestClockStampsWhatTheDatabaseKeeps(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 30, 0, 123456789, time.FixedZone("EST", -5*3600))
	c := usecase.Clock(func() time.Time { return at })
	if got := c.Now(); !got.Equal(at) {
		t.Errorf("Now = %v, want %v", got, at)
	}
	want := time.Date(2026, 3, 10, 14, 30, 0, 123456000, time.UTC)
	if got := c.Stamp(); got != want {
		t.Errorf("Stamp = %v, want %v (UTC, microseconds)", got, want)
	}
	var system usecase.Clock
	if got := system.Stamp(); time.Since(got) > time.Minute || got.Location() != time.UTC || got.Nanosecond()%1000 != 0 {
		t.Errorf("a nil clock stamps %v, want the system's time in UTC to the microsecond", got)
	}
}
