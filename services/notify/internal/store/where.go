package store

import (
	"fmt"
	"strconv"
	"strings"
)

// where builds the WHERE clause of a listing from the filters a request
// sets, numbering the parameters as it goes. Only set filters appear, so
// each combination is its own statement with a plan that can use its index.
type where struct {
	conds []string
	args  []any
}

// add appends a condition whose %d verbs are the placeholders of args, in
// order.
func (w *where) add(cond string, args ...any) {
	nums := make([]any, len(args))
	for i := range args {
		nums[i] = len(w.args) + i + 1
	}
	w.conds = append(w.conds, fmt.Sprintf(cond, nums...))
	w.args = append(w.args, args...)
}

// addTypePatterns keeps events whose type matches one of patterns (an
// exact type, or a prefix ending in ".*"); none keeps every type.
func (w *where) addTypePatterns(patterns []string) {
	if len(patterns) == 0 {
		return
	}
	var exact, prefixes []string
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, ".*"); ok {
			prefixes = append(prefixes, prefix+".")
		} else {
			exact = append(exact, p)
		}
	}
	w.add("(type = any($%d) or exists (select 1 from unnest($%d::text[]) p where starts_with(type, p)))", exact, prefixes)
}

// next is the placeholder of the argument after the conditions' ones.
func (w *where) next() string { return "$" + strconv.Itoa(len(w.args)+1) }

// sql is " where c1 and c2 ...", or "" without conditions.
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " where " + strings.Join(w.conds, " and ")
}
