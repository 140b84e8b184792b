package domain

import (
	"testing"

	"github.com/ariesone/ariesone/platform/civil"
)

func TestFaceToFaceRequired(t *testing.T) {
	tests := []struct {
		hcpcs     string
		orderDate civil.Date
		want      bool
	}{
		{hcpcs: "K0800", orderDate: today, want: true},
		{hcpcs: "K0823", orderDate: date("2010-01-01"), want: true},
		{hcpcs: "K0899", orderDate: today, want: true},
		{hcpcs: "K0799", orderDate: today, want: false},
		{hcpcs: "K0900", orderDate: today, want: false},
		{hcpcs: "K0001", orderDate: today, want: false},
		{hcpcs: "E0601", orderDate: today, want: false},
		{hcpcs: "L1843", orderDate: date("2023-04-17"), want: true},
		{hcpcs: "L1843", orderDate: date("2023-04-16"), want: false},
		{hcpcs: "L2036", orderDate: today, want: true},
		{hcpcs: "L1833", orderDate: today, want: false},
		{hcpcs: "L0631", orderDate: civil.Date{}, want: true},
		{hcpcs: "k0823", orderDate: today, want: false},
		{hcpcs: "K08", orderDate: today, want: false},
		{hcpcs: "K08000", orderDate: today, want: false},
		{hcpcs: "", orderDate: today, want: false},
	}
	for _, tt := range tests {
		if got := FaceToFaceRequired(tt.hcpcs, tt.orderDate); got != tt.want {
			t.Errorf("FaceToFaceRequired(%q, %v) = %v, want %v", tt.hcpcs, tt.orderDate, got, tt.want)
		}
	}
}

// TestFaceToFaceListIsWellFormed keeps the data table honest: every range
// is of HCPCS codes, first before last, within one letter.
func TestFaceToFaceListIsWellFormed(t *testing.T) {
	for _, r := range faceToFaceList {
		if len(r.first) != 5 || len(r.last) != 5 || r.first[0] != r.last[0] || r.first > r.last {
			t.Errorf("range %s-%s is not a range of HCPCS codes", r.first, r.last)
		}
		if !r.since.IsZero() && !r.since.IsValid() {
			t.Errorf("range %s-%s: since %v is not a date", r.first, r.last, r.since)
		}
	}
}
