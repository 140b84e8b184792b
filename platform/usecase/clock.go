package usecase

import "time"

// Clock is the time a service's use cases read: the system clock in
// production, the adjustable one (platform/clock) in end-to-end tests, a
// fixed one in unit tests. Nil means the system clock.
type Clock func() time.Time

// Now is the clock's time.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now()
	}
	return c()
}

// Stamp is the clock's time as a use case records it: in UTC, at the
// database's precision (microseconds), so what a command returns equals
// what a later read of the same row returns.
func (c Clock) Stamp() time.Time {
	return c.Now().UTC().Truncate(time.Microsecond)
}
