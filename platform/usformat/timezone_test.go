package usformat_test

import (
	"strings"
	"testing"

	"github.com/ariesone/ariesone/platform/usformat"
)

func TestValidTimeZone(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"America/New_York", true},
		{"America/Chicago", true},
		{"America/Denver", true},
		{"America/Phoenix", true},
		{"America/Los_Angeles", true},
		{"America/Anchorage", true},
		{"Pacific/Honolulu", true},
		{"America/Puerto_Rico", true},
		{"Pacific/Guam", true},
		{"America/Indiana/Indianapolis", true},
		{"America/North_Dakota/New_Salem", true},
		{"America/Port-au-Prince", true},
		{"Europe/London", true},
		{"Etc/UTC", true},
		{"Etc/GMT+5", true},
		{"US/Eastern", true},

		{"", false},
		{"Local", false},
		{"UTC", false},
		{"GMT", false},
		{"EST", false},
		{"EST5EDT", false},
		{"America", false},
		{"America/", false},
		{"/America/New_York", false},
		{"America/New_York/", false},
		{"America//New_York", false},
		{"america/new_york", false},
		{"AMERICA/NEW_YORK", false},
		{"America/New York", false},
		{" America/New_York", false},
		{"America/New_York ", false},
		{"America/Atlantis", false},
		{"Mars/Olympus_Mons", false},
		{"America/../Europe/London", false},
		{"America/./New_York", false},
		{"posix/America/New_York", false},
		{"right/America/New_York", false},
		{"America/New_York\x00", false},
		{"America\\New_York", false},
		{"America/" + strings.Repeat("A", 100), false},
	}
	for _, tt := range tests {
		if got := usformat.ValidTimeZone(tt.in); got != tt.want {
			t.Errorf("ValidTimeZone(%q) = %t, want %t", tt.in, got, tt.want)
		}
	}
}
