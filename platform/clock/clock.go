// Package clock is the time a service's use cases run on. Production runs
// on the system clock; a test environment may run a service on an
// adjustable clock that an end-to-end test moves forward (a rental billed
// month by month, a refill window reached) without waiting for the
// calendar. Tokens, leases and timeouts never read it: they keep real
// time.
package clock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// System is the real clock.
type System struct{}

// Now is time.Now.
func (System) Now() time.Time { return time.Now() }

// Adjustable runs at the speed of the real clock from an instant a test
// sets: setting it to the first of next month makes Now that instant and
// lets time go on from there. Safe for concurrent use.
type Adjustable struct {
	offset atomic.Int64 // nanoseconds added to the real clock
	real   func() time.Time
}

// NewAdjustable returns an adjustable clock that starts at the real time.
func NewAdjustable() *Adjustable { return &Adjustable{real: time.Now} }

// Now is the real time moved by the last Set.
func (a *Adjustable) Now() time.Time { return a.real().Add(time.Duration(a.offset.Load())) }

// Set makes Now return t, and time run on from it.
func (a *Adjustable) Set(t time.Time) { a.offset.Store(int64(t.Sub(a.real()))) }

// setting is the body of a PUT to the clock endpoint and of its answers.
type setting struct {
	Now time.Time `json:"now"`
}

// Handler serves the adjustable clock over HTTP for the operations port:
// GET answers {"now": RFC 3339}; PUT with the same body sets it. A body
// that is not that is 400 with the reason.
func (a *Adjustable) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
		case http.MethodPut:
			var s setting
			dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&s); err != nil || s.Now.IsZero() {
				http.Error(w, fmt.Sprintf(`want {"now": "<RFC 3339 time>"}: %v`, errOrMissing(err)), http.StatusBadRequest)
				return
			}
			a.Set(s.Now)
		default:
			w.Header().Set("Allow", "GET, PUT")
			http.Error(w, "GET or PUT", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(setting{Now: a.Now().UTC()})
	})
}

func errOrMissing(err error) error {
	if err == nil {
		return fmt.Errorf("now is missing")
	}
	return err
}
