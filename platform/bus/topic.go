package bus

import "strings"

// topicMatches reports whether routing key matches binding pattern with the
// semantics of an AMQP topic exchange: both are dot-separated words, "*" in
// the pattern matches exactly one word and "#" zero or more. The in-process
// bus routes with it, so a binding behaves the same with and without a
// broker.
//
// It walks pattern and key once with backtracking to the last "#" only
// (the glob algorithm), so a pattern full of "#" cannot make it
// exponential.
func topicMatches(pattern, key string) bool {
	p, k := topicWords(pattern), topicWords(key)
	pi, ki := 0, 0
	// Where to resume after the most recent "#": the pattern position after
	// it, and the key position it has absorbed up to.
	starP, starK := -1, 0
	for ki < len(k) {
		switch {
		case pi < len(p) && p[pi] == "#":
			starP, starK = pi+1, ki
			pi++
		case pi < len(p) && (p[pi] == "*" || p[pi] == k[ki]):
			pi++
			ki++
		case starP >= 0:
			// Let the last "#" absorb one more word and try again.
			starK++
			pi, ki = starP, starK
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == "#" {
		pi++
	}
	return pi == len(p)
}

// topicWords splits a pattern or key into words. The empty string has no
// words, as in RabbitMQ, so "#" matches the empty key and "*" does not.
func topicWords(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ".")
}
