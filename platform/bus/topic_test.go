package bus

import (
	"strings"
	"testing"
)

func TestTopicMatches(t *testing.T) {
	tests := []struct {
		pattern, key string
		want         bool
	}{
		{"company.location.created.v1", "company.location.created.v1", true},
		{"company.location.created.v1", "company.location.updated.v1", false},
		{"company.*.created.v1", "company.location.created.v1", true},
		{"company.*.created.v1", "company.created.v1", false},
		{"company.*", "company.location.created", false},
		{"company.#", "company.location.created.v1", true},
		{"company.#", "company", true},
		{"company.#", "orders.order.created.v1", false},
		{"#", "anything.at.all", true},
		{"#", "", true},
		{"*", "", false},
		{"*", "one", true},
		{"*", "one.two", false},
		{"", "", true},
		{"", "a", false},
		{"#.v1", "orders.order.delivered.v1", true},
		{"#.v1", "v1", true},
		{"#.v1", "orders.order.delivered.v2", false},
		{"*.*.*.v1", "orders.order.delivered.v1", true},
		{"orders.#.v1", "orders.v1", true},
		{"orders.#.delivered.#", "orders.order.delivered.v1", true},
		{"orders.#.#.v1", "orders.order.x.v1", true},
		{"#.#", "", true},
		{"*.#", "", false},
		{"a..b", "a..b", true},
		{"a.*.b", "a..b", true},
		{"a.b", "a.b.", false},
		// A key may hold the wildcard characters; they are plain words there.
		{"a.*", "a.#", true},
		{"a.b", "a.*", false},
	}
	for _, tt := range tests {
		if got := topicMatches(tt.pattern, tt.key); got != tt.want {
			t.Errorf("topicMatches(%q, %q) = %v, want %v", tt.pattern, tt.key, got, tt.want)
		}
	}
}

// referenceMatch is the definition of topic matching written as plainly as
// possible (and exponential): the fuzz test holds topicMatches to it.
func referenceMatch(p, k []string) bool {
	if len(p) == 0 {
		return len(k) == 0
	}
	switch p[0] {
	case "#":
		for i := 0; i <= len(k); i++ {
			if referenceMatch(p[1:], k[i:]) {
				return true
			}
		}
		return false
	case "*":
		return len(k) > 0 && referenceMatch(p[1:], k[1:])
	default:
		return len(k) > 0 && k[0] == p[0] && referenceMatch(p[1:], k[1:])
	}
}

func FuzzTopicMatches(f *testing.F) {
	f.Add("company.*.created.#", "company.location.created.v1")
	f.Add("#.#.a", "a.a.a")
	f.Add("*.*", "a.b")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, pattern, key string) {
		p, k := topicWords(pattern), topicWords(key)
		if len(p) > 12 || len(k) > 12 {
			return // keeps the reference fast
		}
		got := topicMatches(pattern, key)
		if want := referenceMatch(p, k); got != want {
			t.Fatalf("topicMatches(%q, %q) = %v, reference says %v", pattern, key, got, want)
		}
		if !strings.ContainsAny(key, "*#") && !topicMatches(key, key) {
			t.Fatalf("key %q does not match itself as a pattern", key)
		}
		if !topicMatches("#", key) {
			t.Fatalf("# does not match %q", key)
		}
	})
}
