package domain_test

import (
	"math"
	"testing"
	"time"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

func TestWebhookRetrySchedule(t *testing.T) {
	s := domain.WebhookRetrySchedule{Base: 30 * time.Second, Max: time.Hour}
	tests := []struct {
		attempt int
		nominal time.Duration
	}{
		{attempt: 0, nominal: 30 * time.Second},
		{attempt: 1, nominal: 30 * time.Second},
		{attempt: 2, nominal: time.Minute},
		{attempt: 3, nominal: 2 * time.Minute},
		{attempt: 7, nominal: 32 * time.Minute},
		{attempt: 8, nominal: time.Hour},
		{attempt: 1000, nominal: time.Hour},
		{attempt: math.MaxInt, nominal: time.Hour},
	}
	for _, tt := range tests {
		if got := s.Nominal(tt.attempt); got != tt.nominal {
			t.Errorf("Nominal(%d) = %v, want %v", tt.attempt, got, tt.nominal)
		}
		if got := s.Floor(tt.attempt); got != tt.nominal/2 {
			t.Errorf("Floor(%d) = %v, want %v", tt.attempt, got, tt.nominal/2)
		}
		for _, r := range []float64{0, 0.25, 0.999999, 1, -1, 7, math.NaN(), math.Inf(1)} {
			got := s.Delay(tt.attempt, r)
			if got < tt.nominal/2 || got > tt.nominal {
				t.Errorf("Delay(%d, %v) = %v, outside [%v, %v]", tt.attempt, r, got, tt.nominal/2, tt.nominal)
			}
		}
		if got, want := s.Delay(tt.attempt, 0.5), tt.nominal/2+tt.nominal/4; got != want {
			t.Errorf("Delay(%d, 0.5) = %v, want %v", tt.attempt, got, want)
		}
	}
}

// TestWebhookRetryFloorsGrow is the property receivers rely on: until the
// cap (while the nominal wait doubles), the shortest possible wait after attempt n+1 is at least the
// longest possible wait after attempt n, so retries of one delivery never
// come closer together, whatever the jitter.
func TestWebhookRetryFloorsGrow(t *testing.T) {
	s := domain.WebhookRetrySchedule{Base: 50 * time.Millisecond, Max: time.Second}
	for n := 1; 2*s.Nominal(n) <= s.Max; n++ {
		if s.Floor(n+1) < s.Nominal(n) {
			t.Errorf("Floor(%d) = %v < Nominal(%d) = %v", n+1, s.Floor(n+1), n, s.Nominal(n))
		}
	}
}

func TestWebhookRetryScheduleWithoutCapDoesNotOverflow(t *testing.T) {
	s := domain.WebhookRetrySchedule{Base: time.Hour}
	if got := s.Nominal(200); got <= 0 {
		t.Errorf("Nominal(200) = %v, want a positive duration", got)
	}
	if got := (domain.WebhookRetrySchedule{}).Delay(3, 0.5); got != 0 {
		t.Errorf("zero schedule Delay = %v, want 0", got)
	}
}
