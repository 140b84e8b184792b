package domain_test

import (
	"strings"
	"testing"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

func TestMatchEventType(t *testing.T) {
	tests := []struct {
		pattern, eventType string
		want               bool
	}{
		{"company.location.created.v1", "company.location.created.v1", true},
		{"company.location.created.v1", "company.location.created.v2", false},
		{"company.*", "company.user.created.v1", true},
		{"company.user.*", "company.user.created.v1", true},
		{"company.user.*", "company.location.created.v1", false},
		{"company.*", "companyx.user.created.v1", false},
		{"company.*", "company", false},
		{"serials.unit.*", "serials.unit", false},
	}
	for _, tt := range tests {
		if got := domain.MatchEventType(tt.pattern, tt.eventType); got != tt.want {
			t.Errorf("MatchEventType(%q, %q) = %v, want %v", tt.pattern, tt.eventType, got, tt.want)
		}
	}
}

func TestMatchAnyEventType(t *testing.T) {
	if !domain.MatchAnyEventType(nil, "company.user.created.v1") {
		t.Error("an empty list must match every type")
	}
	if domain.MatchAnyEventType([]string{"serials.*", "orders.order.created.v1"}, "company.user.created.v1") {
		t.Error("matched a type no pattern names")
	}
	if !domain.MatchAnyEventType([]string{"serials.*", "company.user.*"}, "company.user.created.v1") {
		t.Error("did not match a type the second pattern names")
	}
}

func TestValidEventTypePattern(t *testing.T) {
	tests := []struct {
		pattern string
		want    bool
	}{
		{"company.location.created.v1", true},
		{"company.*", true},
		{"serials.unit_due.*", true},
		{"", false},
		{"*", false},
		{"company.*.created", false},
		{"Company.location", false},
		{"company..x", false},
		{"company.", false},
		{"company.*.*", false},
		{"company " + "x", false},
		{"a" + strings.Repeat(".b", 100), false},
	}
	for _, tt := range tests {
		if got := domain.ValidEventTypePattern(tt.pattern); got != tt.want {
			t.Errorf("ValidEventTypePattern(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

func FuzzMatchEventType(f *testing.F) {
	f.Add("company.*", "company.user.created.v1")
	f.Add("company.user.created.v1", "company.user.created.v1")
	f.Add("a.*", "a")
	f.Fuzz(func(t *testing.T, pattern, eventType string) {
		got := domain.MatchEventType(pattern, eventType)
		// An exact pattern matches only itself; a prefix pattern only types
		// strictly longer than its prefix.
		if got && !strings.HasSuffix(pattern, ".*") && pattern != eventType {
			t.Fatalf("exact pattern %q matched %q", pattern, eventType)
		}
		if got && strings.HasSuffix(pattern, ".*") && len(eventType) <= len(pattern)-2 {
			t.Fatalf("prefix pattern %q matched the shorter %q", pattern, eventType)
		}
	})
}
