// Package ratelimit enforces token-bucket quotas per principal (user, API key,
// or client address at the edge) and per method class ("read", "write",
// "login", ...). Two Limiter implementations share one contract: Memory keeps
// buckets in the process and is the default; Redis keeps them in Redis so that
// every replica of a service draws from the same quota. The gRPC interceptors
// in this package turn a denial into ResourceExhausted with RetryInfo and
// publish the quota as response headers a REST gateway can forward.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// DefaultClass names the limit applied to any class that Classes does not
// list. Every Classes must define it, so no method is ever unlimited by
// accident of a missing entry.
const DefaultClass = "default"

// Bounds of a Limit. Below MinRate the refill interval exceeds a day, which is
// a ban rather than a rate; above MaxRate a bucket cannot be told apart from
// no limit at all.
const (
	// MinRate is the slowest accepted refill: one request per day.
	MinRate = 1.0 / (24 * 60 * 60)
	// MaxRate is the fastest accepted refill, in requests per second.
	MaxRate = 1e9
	// MaxBurst is the largest accepted bucket capacity.
	MaxBurst = math.MaxInt32
)

// Limit is one token bucket: it refills at Rate tokens per second up to Burst
// tokens, and each request takes one token.
type Limit struct {
	// Rate is the sustained number of requests per second; it may be
	// fractional (0.5 is one request every two seconds).
	Rate float64
	// Burst is the bucket capacity: how many requests may arrive at once
	// after a quiet period. It is what clients see as x-ratelimit-limit.
	Burst int
}

// Validate reports whether l describes a usable bucket.
func (l Limit) Validate() error {
	switch {
	case math.IsNaN(l.Rate) || math.IsInf(l.Rate, 0):
		return fmt.Errorf("rate %v is not a finite number", l.Rate)
	case l.Rate < MinRate:
		return fmt.Errorf("rate %v/s is below the minimum of one request per day", l.Rate)
	case l.Rate > MaxRate:
		return fmt.Errorf("rate %v/s is above the maximum of %v/s", l.Rate, MaxRate)
	case l.Burst < 1:
		return fmt.Errorf("burst %d must be at least 1", l.Burst)
	case l.Burst > MaxBurst:
		return fmt.Errorf("burst %d is above the maximum of %d", l.Burst, MaxBurst)
	}
	return nil
}

// String formats l in the form ParseLimit reads, with the rate per second
// ("10/s:600"), so a logged limit can be pasted back into configuration.
func (l Limit) String() string {
	return strconv.FormatFloat(l.Rate, 'f', -1, 64) + "/s:" + strconv.Itoa(l.Burst)
}

// Classes maps a method class to its limit. It must contain DefaultClass.
type Classes map[string]Limit

// Validate reports every problem with c at once, so a bad configuration is
// fixed in one pass rather than one restart per mistake.
func (c Classes) Validate() error {
	var errs []error
	if _, ok := c[DefaultClass]; !ok {
		errs = append(errs, fmt.Errorf("class %q is missing; it applies to every unlisted class", DefaultClass))
	}
	for name, l := range c {
		if name == "" || strings.Contains(name, ":") {
			// The class is the first segment of a bucket key "class:key";
			// a colon in it would let two buckets share one key.
			errs = append(errs, fmt.Errorf("class name %q must be non-empty and contain no colon", name))
			continue
		}
		if err := l.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("class %q: %w", name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("ratelimit: invalid classes: %w", err)
	}
	return nil
}

// resolve returns the class whose bucket a request of class draws from, and
// its limit. Unlisted classes share the default bucket, so inventing class
// names cannot multiply a principal's quota.
func (c Classes) resolve(class string) (string, Limit) {
	if l, ok := c[class]; ok {
		return class, l
	}
	return DefaultClass, c[DefaultClass]
}

// bucketKey names the bucket of key within class. Class names contain no
// colon (Classes.Validate), so the first colon always ends the class.
func bucketKey(class, key string) string { return class + ":" + key }

// Decision is the outcome of one Allow call and the quota state behind it.
type Decision struct {
	// Allowed reports whether the request may proceed.
	Allowed bool
	// Limit is the bucket capacity (the Burst of the class's Limit).
	Limit int
	// Remaining is how many more requests would be allowed right now.
	Remaining int
	// RetryAfter is how long a denied caller should wait before a retry can
	// succeed; it is zero when Allowed.
	RetryAfter time.Duration
	// ResetAfter is how long until the bucket is full again if no further
	// requests arrive.
	ResetAfter time.Duration
}

// Limiter decides whether the principal identified by key may make one more
// request of the given method class. Unknown classes fall back to
// DefaultClass.
//
// When err is non-nil the Decision still says what to do: an implementation
// that fails open returns Allowed true together with the error, so the caller
// can serve the request and still log or count the failure. Only Allowed is
// meaningful in a Decision returned with an error.
type Limiter interface {
	Allow(ctx context.Context, key string, class string) (Decision, error)
}
