package civil

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{in: "2026-03-01", want: Date{2026, time.March, 1}, ok: true},
		{in: "2024-02-29", want: Date{2024, time.February, 29}, ok: true},
		{in: "0001-01-01", want: Date{1, time.January, 1}, ok: true},
		{in: "9999-12-31", want: Date{9999, time.December, 31}, ok: true},
		{in: "2026-02-29"},
		{in: "2026-13-01"},
		{in: "2026-00-10"},
		{in: "2026-04-31"},
		{in: "0000-01-01"},
		{in: "2026-3-1"},
		{in: "2026/03/01"},
		{in: " 2026-03-01"},
		{in: "2026-03-01T00:00:00Z"},
		{in: "+026-03-01"},
		{in: ""},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestStringAndValidity(t *testing.T) {
	tests := []struct {
		d     Date
		s     string
		valid bool
	}{
		{d: Date{2026, time.March, 1}, s: "2026-03-01", valid: true},
		{d: Date{7, time.December, 31}, s: "0007-12-31", valid: true},
		{d: Date{}, s: "", valid: false},
		{d: Date{2026, time.February, 29}, s: "2026-02-29", valid: false},
		{d: Date{2026, 13, 1}, s: "2026-13-01", valid: false},
		{d: Date{10000, time.January, 1}, s: "10000-01-01", valid: false},
		{d: Date{2026, time.January, 0}, s: "2026-01-00", valid: false},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.s {
			t.Errorf("%#v.String() = %q, want %q", tt.d, got, tt.s)
		}
		if got := tt.d.IsValid(); got != tt.valid {
			t.Errorf("%#v.IsValid() = %v, want %v", tt.d, got, tt.valid)
		}
	}
}

func TestOf(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	instant := time.Date(2026, 3, 1, 2, 30, 0, 0, time.UTC)
	if got, want := Of(instant), (Date{2026, time.March, 1}); got != want {
		t.Errorf("Of(UTC) = %v, want %v", got, want)
	}
	if got, want := Of(instant.In(ny)), (Date{2026, time.February, 28}); got != want {
		t.Errorf("Of(New York) = %v, want %v", got, want)
	}
	if got := (Date{2026, time.March, 1}).In(ny); !got.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, ny)) {
		t.Errorf("In = %v", got)
	}
}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		from Date
		n    int
		want Date
	}{
		{Date{2026, time.January, 15}, 1, Date{2026, time.February, 15}},
		{Date{2026, time.January, 31}, 1, Date{2026, time.February, 28}},
		{Date{2024, time.January, 31}, 1, Date{2024, time.February, 29}},
		{Date{2026, time.August, 31}, 6, Date{2027, time.February, 28}},
		{Date{2026, time.March, 31}, -1, Date{2026, time.February, 28}},
		{Date{2026, time.March, 1}, -6, Date{2025, time.September, 1}},
		{Date{2026, time.March, 1}, -3, Date{2025, time.December, 1}},
		{Date{2026, time.December, 1}, 1, Date{2027, time.January, 1}},
		{Date{2026, time.March, 1}, 0, Date{2026, time.March, 1}},
		{Date{2026, time.March, 1}, 98, Date{2034, time.May, 1}},
		{Date{1, time.January, 1}, -1, Date{0, time.December, 1}},
		{Date{2024, time.February, 29}, 12, Date{2025, time.February, 28}},
	}
	for _, tt := range tests {
		if got := tt.from.AddMonths(tt.n); got != tt.want {
			t.Errorf("%v.AddMonths(%d) = %v, want %v", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestAddDays(t *testing.T) {
	tests := []struct {
		from Date
		n    int
		want Date
	}{
		{Date{2026, time.February, 28}, 1, Date{2026, time.March, 1}},
		{Date{2024, time.February, 28}, 1, Date{2024, time.February, 29}},
		{Date{2026, time.January, 1}, -1, Date{2025, time.December, 31}},
		{Date{2026, time.January, 1}, 365, Date{2027, time.January, 1}},
	}
	for _, tt := range tests {
		if got := tt.from.AddDays(tt.n); got != tt.want {
			t.Errorf("%v.AddDays(%d) = %v, want %v", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestCompare(t *testing.T) {
	dates := []Date{
		{1999, time.December, 31},
		{2026, time.January, 31},
		{2026, time.February, 1},
		{2026, time.February, 2},
		{2027, time.January, 1},
	}
	for i, a := range dates {
		for j, b := range dates {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := a.Compare(b); got != want {
				t.Errorf("%v.Compare(%v) = %d, want %d", a, b, got, want)
			}
			if got := a.Before(b); got != (want < 0) {
				t.Errorf("%v.Before(%v) = %v", a, b, got)
			}
			if got := a.After(b); got != (want > 0) {
				t.Errorf("%v.After(%v) = %v", a, b, got)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-03-01", "2024-02-29", "2026-02-29", "0000-00-00", "9999-12-31", "2026-1-01", "２０２６-03-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if !d.IsValid() {
			t.Fatalf("Parse(%q) = %#v, not a valid date", s, d)
		}
		if d.String() != s {
			t.Fatalf("Parse(%q).String() = %q: not the one spelling", s, d.String())
		}
	})
}

func FuzzAddMonths(f *testing.F) {
	f.Add(2026, 1, 31, 1)
	f.Add(2024, 2, 29, -12)
	f.Add(1900, 12, 1, 1200)
	f.Fuzz(func(t *testing.T, year, month, day, n int) {
		d := Date{Year: year, Month: time.Month(month), Day: day}
		if !d.IsValid() || n < -12*1000 || n > 12*1000 {
			return
		}
		got := d.AddMonths(n)
		if got.Day > d.Day || got.Day < 1 || got.Day < min(d.Day, 28) {
			t.Fatalf("%v.AddMonths(%d) = %#v: day not kept or clamped", d, n, got)
		}
		if months := (got.Year-d.Year)*12 + int(got.Month-d.Month); months != n {
			t.Fatalf("%v.AddMonths(%d) = %v, %d months away", d, n, got, months)
		}
		if got.Year >= 1 && got.Year <= 9999 && !got.IsValid() {
			t.Fatalf("%v.AddMonths(%d) = %#v, not a valid date", d, n, got)
		}
	})
}

func TestDaysUntil(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		want     int
	}{
		{"2026-01-31", "2026-01-31", 0},
		{"2026-01-31", "2026-02-01", 1},
		{"2026-03-01", "2026-02-28", -1},
		{"2024-02-28", "2024-03-01", 2},
		{"2026-03-07", "2026-03-09", 2}, // across a DST change in zones that have one
		{"2025-01-01", "2026-01-01", 365},
	} {
		from, err1 := Parse(tc.from)
		to, err2 := Parse(tc.to)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad case %v: %v %v", tc, err1, err2)
		}
		if got := from.DaysUntil(to); got != tc.want {
			t.Errorf("%s.DaysUntil(%s) = %d, want %d", tc.from, tc.to, got, tc.want)
		}
	}
}
