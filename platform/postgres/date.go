package postgres

import (
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/ariesone/ariesone/platform/civil"
)

// Date is a civil.Date as a date column: the zero date is NULL. Convert
// to it to write a date (postgres.Date(d)) and point at one to read it
// ((*postgres.Date)(&d)).
type Date civil.Date

// DateValue implements pgtype.DateValuer.
func (d Date) DateValue() (pgtype.Date, error) {
	c := civil.Date(d)
	if c.IsZero() {
		return pgtype.Date{}, nil
	}
	return pgtype.Date{Time: time.Date(c.Year, c.Month, c.Day, 0, 0, 0, 0, time.UTC), Valid: true}, nil
}

// ScanDate implements pgtype.DateScanner.
func (d *Date) ScanDate(v pgtype.Date) error {
	if !v.Valid {
		*d = Date{}
		return nil
	}
	if v.InfinityModifier != pgtype.Finite {
		return fmt.Errorf("postgres: an infinite date is not a calendar date")
	}
	*d = Date(civil.Of(v.Time))
	return nil
}
