// Package civil holds Date, a calendar date with no time of day and no time
// zone: a date of birth, of service, of an order. Such dates are what
// google.type.Date carries and what a Postgres date column stores; a
// time.Time would attach an instant and a zone to them, and a birth date
// read back in another zone would move by a day.
//
// A Date is compared and stored as it is; turning an instant into the date
// it falls on needs a zone (the branch's), which is Of's argument.
package civil

import (
	"cmp"
	"errors"
	"fmt"
	"time"
)

// Date is a day of the proleptic Gregorian calendar. The zero value is no
// date: an optional date that is not set.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Of returns the date on which t falls in t's location. Convert t with
// In first to get the date in another zone.
func Of(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// layout is the form Parse reads and String writes (ISO 8601 extended).
const layout = "2006-01-02"

// Parse reads a date written YYYY-MM-DD, such as "2026-03-01": exactly ten
// characters, a four-digit year from 0001, and a day that exists in its
// month ("2026-02-29" is refused).
func Parse(s string) (Date, error) {
	if len(s) != len(layout) {
		return Date{}, errors.New("civil: a date is written YYYY-MM-DD, such as 2026-03-01")
	}
	t, err := time.Parse(layout, s)
	if err != nil || t.Year() < 1 {
		return Date{}, errors.New("civil: a date is written YYYY-MM-DD, such as 2026-03-01, and must exist in the calendar")
	}
	return Of(t), nil
}

// String returns the date as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date, which stands for "not set".
func (d Date) IsZero() bool { return d == Date{} }

// IsValid reports whether d is a day that exists: year 1 to 9999, month 1
// to 12, and a day within that month. The zero Date is not valid.
func (d Date) IsValid() bool {
	return d.Year >= 1 && d.Year <= 9999 && d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}

// daysIn returns the number of days of month in year.
func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// In returns the instant at which d begins (midnight) in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns the date n days after d (before it for negative n).
func (d Date) AddDays(n int) Date {
	return Of(d.In(time.UTC).AddDate(0, 0, n))
}

// AddMonths returns the same day n months after d (before it for negative
// n), kept within the month it lands in: 2026-01-31 plus one month is
// 2026-02-28, not 2026-03-03 as time.AddDate would say. That is how a
// length of need or a lookback counted in months is read: six months after
// August 31 is the end of February.
func (d Date) AddMonths(n int) Date {
	months := d.Year*12 + int(d.Month-1) + n
	year := months / 12
	if months%12 < 0 {
		year-- // floor, not truncation, for dates before year 1
	}
	month := time.Month(months-year*12) + time.January
	return Date{Year: year, Month: month, Day: min(d.Day, daysIn(year, month))}
}

// Compare returns -1 when d is before e, +1 when after, 0 when the same
// day.
func (d Date) Compare(e Date) int {
	if c := cmp.Compare(d.Year, e.Year); c != 0 {
		return c
	}
	if c := cmp.Compare(d.Month, e.Month); c != 0 {
		return c
	}
	return cmp.Compare(d.Day, e.Day)
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// DaysUntil returns the number of days from d to e: 1 for the next day,
// negative when e is before d.
func (d Date) DaysUntil(e Date) int {
	return int(e.In(time.UTC).Sub(d.In(time.UTC)).Hours() / 24)
}
