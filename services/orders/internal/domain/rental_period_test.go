package domain_test

import (
	"testing"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

func date(t testing.TB, s string) civil.Date {
	t.Helper()
	d, err := civil.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRentalMonth(t *testing.T) {
	tests := []struct {
		name          string
		dos           string
		month         int
		from, through string
	}{
		{"first month", "2026-03-15", 1, "2026-03-15", "2026-04-14"},
		{"thirteenth month", "2026-03-15", 13, "2027-03-15", "2027-04-14"},
		{"January 31, month 1 ends before the clamped February anniversary", "2026-01-31", 1, "2026-01-31", "2026-02-27"},
		{"January 31, month 2 starts February 28", "2026-01-31", 2, "2026-02-28", "2026-03-30"},
		{"January 31, month 3 starts March 31 again", "2026-01-31", 3, "2026-03-31", "2026-04-29"},
		{"January 31, month 4 starts April 30", "2026-01-31", 4, "2026-04-30", "2026-05-30"},
		{"leap year February 29", "2028-01-31", 2, "2028-02-29", "2028-03-30"},
		{"delivered on February 29", "2028-02-29", 13, "2029-02-28", "2029-03-28"},
		{"across the year end", "2026-12-31", 2, "2027-01-31", "2027-02-27"},
		{"oxygen month 36", "2026-05-01", 36, "2029-04-01", "2029-04-30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.RentalMonth(date(t, tt.dos), tt.month)
			if err != nil {
				t.Fatal(err)
			}
			want := domain.RentalPeriod{Month: tt.month, From: date(t, tt.from), Through: date(t, tt.through)}
			if got != want {
				t.Errorf("RentalMonth(%s, %d) = %v to %v, want %v to %v", tt.dos, tt.month, got.From, got.Through, want.From, want.Through)
			}
			for _, day := range []civil.Date{got.From, got.Through} {
				if n := domain.RentalMonthOn(date(t, tt.dos), day); n != tt.month {
					t.Errorf("RentalMonthOn(%s, %s) = %d, want %d", tt.dos, day, n, tt.month)
				}
			}
		})
	}
}

func TestRentalMonthRefusesBadInput(t *testing.T) {
	if _, err := domain.RentalMonth(civil.Date{Year: 2026, Month: time.February, Day: 30}, 1); err == nil {
		t.Error("February 30 accepted as a date of service")
	}
	for _, n := range []int{0, -1} {
		if _, err := domain.RentalMonth(date(t, "2026-01-31"), n); err == nil {
			t.Errorf("month %d accepted", n)
		}
	}
	if n := domain.RentalMonthOn(date(t, "2026-01-31"), date(t, "2026-01-30")); n != 0 {
		t.Errorf("the day before delivery is in month %d, want 0", n)
	}
}

// FuzzRentalMonthAgainstDayByDay walks from the date of service one day at
// a time, starting a new month on each month's anniversary (the delivery's
// day of month, or the month's last day when it is shorter), and checks
// RentalMonthOn and RentalMonth agree with the walk on every day.
func FuzzRentalMonthAgainstDayByDay(f *testing.F) {
	f.Add(2026, 1, 31, 400)
	f.Add(2028, 2, 29, 800)
	f.Add(2026, 12, 31, 100)
	f.Add(2027, 3, 1, 1900)
	f.Fuzz(func(t *testing.T, year, month, day, days int) {
		dos := civil.Date{Year: 1900 + abs(year)%300, Month: time.Month(1 + abs(month)%12), Day: 1 + abs(day)%31}
		if !dos.IsValid() {
			return
		}
		days = abs(days) % 2000
		n := 1
		for d, i := dos, 0; i <= days; d, i = d.AddDays(1), i+1 {
			if i > 0 && d.Day == min(dos.Day, lastDay(d)) {
				n++
			}
			if got := domain.RentalMonthOn(dos, d); got != n {
				t.Fatalf("delivered %s: RentalMonthOn(%s) = %d, the walk says %d", dos, d, got, n)
			}
			p, err := domain.RentalMonth(dos, n)
			if err != nil {
				t.Fatal(err)
			}
			if d.Before(p.From) || d.After(p.Through) {
				t.Fatalf("delivered %s: %s is in month %d by the walk, outside RentalMonth's %s to %s", dos, d, n, p.From, p.Through)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// lastDay is the number of days in d's month.
func lastDay(d civil.Date) int {
	return time.Date(d.Year, d.Month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
