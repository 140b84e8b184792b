package ratelimit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// limitSyntax is quoted in every ParseLimit error so the operator who set a
// bad environment value sees the expected form next to what went wrong.
const limitSyntax = `want COUNT/UNIT[:BURST] with UNIT s, m or h, for example "100/s:200" or "600/m"`

// unitSeconds is the length in seconds of each unit ParseLimit accepts.
var unitSeconds = map[string]float64{"s": 1, "m": 60, "h": 60 * 60}

// ParseLimit reads a limit written as COUNT/UNIT[:BURST], the form used in
// environment variables: "100/s:200" is 100 requests per second with bursts of
// 200, "600/m" is 600 requests per minute. COUNT is a positive decimal number
// ("0.5/s" is one request every two seconds); UNIT is s, m or h; BURST is a
// positive integer. Without BURST the bucket holds COUNT requests (rounded
// up), so "600/m" allows a minute's worth at once, like a fixed window would.
// Surrounding spaces are ignored.
func ParseLimit(s string) (Limit, error) {
	fail := func(format string, args ...any) (Limit, error) {
		return Limit{}, fmt.Errorf("ratelimit: parse limit %q: %s; %s", s, fmt.Sprintf(format, args...), limitSyntax)
	}
	text := strings.TrimSpace(s)
	if text == "" {
		return fail("empty value")
	}
	ratePart, burstPart, hasBurst := strings.Cut(text, ":")
	countPart, unit, hasUnit := strings.Cut(ratePart, "/")
	if !hasUnit {
		return fail("missing \"/\" between count and unit")
	}
	count, err := parseCount(countPart)
	if err != nil {
		return fail("count %q %v", countPart, err)
	}
	secs, ok := unitSeconds[unit]
	if !ok {
		return fail("unit %q is not s, m or h", unit)
	}
	l := Limit{Rate: count / secs}
	if hasBurst {
		if burstPart == "" || strings.Trim(burstPart, "0123456789") != "" {
			return fail("burst %q is not a whole number", burstPart)
		}
		burst, err := strconv.ParseInt(burstPart, 10, 32)
		if err != nil {
			return fail("burst %q is above the maximum of %d", burstPart, MaxBurst)
		}
		l.Burst = int(burst)
	} else {
		if count > MaxBurst {
			return fail("count %q is too large to be the burst; give BURST explicitly", countPart)
		}
		l.Burst = int(math.Ceil(count))
	}
	if err := l.Validate(); err != nil {
		return fail("%v", err)
	}
	return l, nil
}

// parseCount accepts plain decimals only ("100", "0.5"). strconv.ParseFloat
// alone would also take "inf", "1e3", "0x10" and "+5", none of which an
// operator means in a rate.
func parseCount(s string) (float64, error) {
	if s == "" {
		return 0, fmt.Errorf("is empty")
	}
	digits, dots := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
			dots++
		default:
			return 0, fmt.Errorf("is not a decimal number")
		}
	}
	if digits == 0 || dots > 1 {
		return 0, fmt.Errorf("is not a decimal number")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("is out of range")
	}
	if v <= 0 {
		return 0, fmt.Errorf("must be greater than zero")
	}
	return v, nil
}
