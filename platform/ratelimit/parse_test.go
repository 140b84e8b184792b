package ratelimit_test

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/ratelimit"
)

func TestParseLimit(t *testing.T) {
	tests := []struct {
		in      string
		want    ratelimit.Limit
		wantErr bool
	}{
		{in: "100/s:200", want: ratelimit.Limit{Rate: 100, Burst: 200}},
		{in: "600/m", want: ratelimit.Limit{Rate: 10, Burst: 600}},
		{in: "600/m:20", want: ratelimit.Limit{Rate: 10, Burst: 20}},
		{in: "3600/h:10", want: ratelimit.Limit{Rate: 1, Burst: 10}},
		{in: "0.5/s", want: ratelimit.Limit{Rate: 0.5, Burst: 1}},
		{in: "2.5/s", want: ratelimit.Limit{Rate: 2.5, Burst: 3}},
		{in: "  5/s:1 ", want: ratelimit.Limit{Rate: 5, Burst: 1}},
		{in: "1/s:2147483647", want: ratelimit.Limit{Rate: 1, Burst: math.MaxInt32}},

		{in: "", wantErr: true},
		{in: "   ", wantErr: true},
		{in: "100", wantErr: true},
		{in: "100:200", wantErr: true},
		{in: "/s:1", wantErr: true},
		{in: "100/", wantErr: true},
		{in: "100/d", wantErr: true},
		{in: "100/S", wantErr: true},
		{in: "100/s:", wantErr: true},
		{in: "100/s:0", wantErr: true},
		{in: "100/s:-1", wantErr: true},
		{in: "100/s:+1", wantErr: true},
		{in: "100/s:1.5", wantErr: true},
		{in: "100/s:2147483648", wantErr: true},
		{in: "100/s:1:2", wantErr: true},
		{in: "0/s", wantErr: true},
		{in: "0.0/s:1", wantErr: true},
		{in: "-1/s", wantErr: true},
		{in: "+1/s", wantErr: true},
		{in: "1e3/s", wantErr: true},
		{in: "inf/s", wantErr: true},
		{in: "NaN/s", wantErr: true},
		{in: "0x10/s", wantErr: true},
		{in: "1..2/s", wantErr: true},
		{in: "./s", wantErr: true},
		{in: "1 /s", wantErr: true},
		{in: "1/s/s", wantErr: true},
		{in: "0.01/h", wantErr: true},         // slower than one a day
		{in: "2000000000/s:1", wantErr: true}, // faster than MaxRate
		{in: "3000000000/s", wantErr: true},   // default burst too large
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ratelimit.ParseLimit(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseLimit(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseLimit(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestLimitStringRoundTrips(t *testing.T) {
	for _, in := range []string{"100/s:200", "600/m", "0.5/s:3", "7/h:1"} {
		l, err := ratelimit.ParseLimit(in)
		if err != nil {
			t.Fatalf("ParseLimit(%q): %v", in, err)
		}
		back, err := ratelimit.ParseLimit(l.String())
		if err != nil {
			t.Fatalf("ParseLimit(%q) of String() of %q: %v", l.String(), in, err)
		}
		if diff := cmp.Diff(l, back); diff != "" {
			t.Errorf("round trip of %q mismatch (-want +got):\n%s", in, diff)
		}
	}
}

func FuzzParseLimit(f *testing.F) {
	for _, seed := range []string{"100/s:200", "600/m", "0.5/s", "1/h:1", "", "/", ":", "1/s:", "9999999999999999999999/s", "1e9/s", ".5/m:2"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ratelimit.ParseLimit(s)
		if err != nil {
			if l != (ratelimit.Limit{}) {
				t.Errorf("ParseLimit(%q) returned %+v with error %v; want the zero Limit", s, l, err)
			}
			return
		}
		if err := l.Validate(); err != nil {
			t.Errorf("ParseLimit(%q) = %+v, which fails Validate: %v", s, l, err)
		}
	})
}
