package domain

import (
	"regexp"
	"strings"
)

// An event type pattern names the events a rule, a webhook subscription or a
// watcher wants: either one type exactly ("company.location.created.v1") or
// every type under a prefix, written with a trailing ".*" ("company.*",
// "serials.unit.*"). The API validates patterns with the same expression.
var eventTypePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?$`)

// MaxEventTypePatternLen bounds a pattern, as the API does.
const MaxEventTypePatternLen = 200

// ValidEventTypePattern reports whether p is a well-formed pattern.
func ValidEventTypePattern(p string) bool {
	return len(p) <= MaxEventTypePatternLen && eventTypePattern.MatchString(p)
}

// MatchEventType reports whether eventType is named by pattern. A prefix
// pattern matches at a dot boundary only: "company.*" matches
// "company.user.created.v1" but not "companyx.user.created.v1", and not
// "company" itself.
func MatchEventType(pattern, eventType string) bool {
	if prefix, ok := strings.CutSuffix(pattern, ".*"); ok {
		return strings.HasPrefix(eventType, prefix+".")
	}
	return pattern == eventType
}

// MatchAnyEventType reports whether any of patterns names eventType; an
// empty list names every type.
func MatchAnyEventType(patterns []string, eventType string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if MatchEventType(p, eventType) {
			return true
		}
	}
	return false
}
