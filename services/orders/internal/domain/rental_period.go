package domain

import (
	"fmt"

	"github.com/ariesone/ariesone/platform/civil"
)

// RentalPeriod is one billing month of a rental line: month Month runs from
// From, the rental's anniversary day in that month, through Through, the day
// before the next anniversary.
type RentalPeriod struct {
	Month         int
	From, Through civil.Date
}

// RentalMonth returns billing month n (1 for the month that starts on the
// date of service) of a rental delivered on dateOfService. Anniversaries
// keep the delivery's day of month, clamped to the month's last day and
// never carried over from a short month: delivered January 31, month 2
// starts February 28 (29 in a leap year) and month 3 March 31.
func RentalMonth(dateOfService civil.Date, n int) (RentalPeriod, error) {
	if !dateOfService.IsValid() {
		return RentalPeriod{}, fmt.Errorf("rental period: date of service %v is not a valid date", dateOfService)
	}
	if n < 1 {
		return RentalPeriod{}, fmt.Errorf("rental period: month %d, want 1 or more", n)
	}
	return RentalPeriod{
		Month:   n,
		From:    dateOfService.AddMonths(n - 1),
		Through: dateOfService.AddMonths(n).AddDays(-1),
	}, nil
}

// RentalMonthOn returns the billing month of a rental delivered on
// dateOfService that contains day, or 0 when day is before the date of
// service.
func RentalMonthOn(dateOfService, day civil.Date) int {
	if day.Before(dateOfService) {
		return 0
	}
	// Whole months between the two, then one back when day falls before
	// that month's anniversary.
	n := (day.Year-dateOfService.Year)*12 + int(day.Month-dateOfService.Month)
	if day.Before(dateOfService.AddMonths(n)) {
		n--
	}
	return n + 1
}
