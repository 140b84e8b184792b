// Package config reads a service's settings from environment variables once,
// at start, and refuses to start when any of them is wrong.
//
// Every accessor on Env returns a usable value (the default when the variable
// is unset or bad) and records what was wrong instead of returning an error,
// so a loader reads all of its variables straight through and then asks Err
// once. An operator who got three variables wrong learns about all three from
// one failed start, each by name, rather than from three restarts.
//
// Error messages quote the offending value so the fix is obvious, except for
// secrets: see Env.Secret for the rule that keeps passwords, keys and tokens
// out of logs and crash reports.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Env reads environment variables through a lookup function and collects the
// problems it finds. It is meant for one goroutine during start-up; it is not
// safe for concurrent use.
type Env struct {
	lookup   func(string) (string, bool)
	secrets  map[string]bool
	problems []problem
}

// problem keeps the raw value so the decision to hide it can be made in Err,
// after every Secret call, whatever order the loader used.
type problem struct {
	name   string
	reason string
	value  string
	set    bool // false: the variable was missing, there is no value to show
}

// New returns an Env reading variables through lookup: os.LookupEnv in a
// service's main, a map in tests (see FromMap). A nil lookup behaves as an
// empty environment, so every accessor yields its default.
func New(lookup func(string) (string, bool)) *Env {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	return &Env{lookup: lookup, secrets: map[string]bool{}}
}

// FromMap returns an Env over a fixed set of variables, for tests and tools
// that must not depend on the process environment.
func FromMap(vars map[string]string) *Env {
	return New(func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	})
}

// get returns the variable's value and whether it counts as set. A variable
// set to an empty or blank string counts as unset: deployment files often
// write `NAME=` to mean "not configured", and treating that as a malformed
// value would only force operators to delete lines.
func (e *Env) get(name string) (string, bool) {
	v, ok := e.lookup(name)
	if !ok || strings.TrimSpace(v) == "" {
		return "", false
	}
	return v, true
}

// Invalid records that the variable name holds value, which another package
// (a rate-limit or key parser) found malformed, so it is reported with every
// other problem, by name, with secrets hidden.
func (e *Env) Invalid(name, value, reason string) { e.invalid(name, value, reason) }

func (e *Env) invalid(name, value, reason string) {
	e.record(problem{name: name, reason: reason, value: value, set: true})
}

func (e *Env) record(p problem) {
	// The same variable read twice with the same fault is one problem.
	if slices.Contains(e.problems, p) {
		return
	}
	e.problems = append(e.problems, p)
}

// String returns the variable's value exactly as set, or def when it is
// unset. It never records a problem.
func (e *Env) String(name, def string) string {
	if v, ok := e.get(name); ok {
		return v
	}
	return def
}

// Required returns the variable's value and records a problem when it is
// unset or blank.
func (e *Env) Required(name string) string {
	v, ok := e.get(name)
	if !ok {
		e.record(problem{name: name, reason: "required but not set"})
		return ""
	}
	return v
}

// Int returns the variable as a base-10 integer within [min, max], or def
// when it is unset. A malformed or out-of-range value is recorded and def is
// returned.
func (e *Env) Int(name string, def, min, max int) int {
	v, ok := e.get(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		e.invalid(name, v, fmt.Sprintf("must be a whole number between %d and %d", min, max))
		return def
	}
	if n < min || n > max {
		e.invalid(name, v, fmt.Sprintf("must be between %d and %d", min, max))
		return def
	}
	return n
}

// Port returns the variable as a TCP port (1..65535), or def when unset.
func (e *Env) Port(name string, def int) int {
	v, ok := e.get(name)
	if !ok {
		return def
	}
	n, err := parsePort(strings.TrimSpace(v))
	if err != nil {
		e.invalid(name, v, "must be a port number between 1 and 65535")
		return def
	}
	return n
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, err
	}
	if n < 1 || n > 65535 {
		return 0, errors.New("port out of range")
	}
	return n, nil
}

// Bool returns the variable as a boolean, or def when unset. It accepts
// true/false, 1/0 and yes/no in any letter case; anything else is recorded
// rather than guessed, since a typo in a feature flag should not silently
// switch the feature off.
func (e *Env) Bool(name string, def bool) bool {
	v, ok := e.get(name)
	if !ok {
		return def
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes":
		return true
	case "false", "0", "no":
		return false
	}
	e.invalid(name, v, "must be one of true, false, 1, 0, yes, no")
	return def
}

// Duration returns the variable as a positive Go duration ("30s", "1m30s"),
// or def when unset. A bare number is refused: "30" could mean seconds or
// milliseconds, and guessing wrong turns a timeout into an outage.
func (e *Env) Duration(name string, def time.Duration) time.Duration {
	v, ok := e.get(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		e.invalid(name, v, `must be a duration with a unit, such as "500ms", "30s" or "2m"`)
		return def
	}
	if d <= 0 {
		e.invalid(name, v, "must be a positive duration")
		return def
	}
	return d
}

// URL returns the variable as an absolute URL whose scheme is one of schemes
// (any scheme when none are given), or def when unset. The URL needs a host,
// or a "host" query parameter as libpq uses for Unix sockets
// ("postgres:///app?host=/run/postgresql"). The value is returned with
// surrounding blanks removed but otherwise unchanged, so credentials and
// query parameters reach the client library as written.
func (e *Env) URL(name, def string, schemes ...string) string {
	v, ok := e.get(name)
	if !ok {
		return def
	}
	s := strings.TrimSpace(v)
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || (u.Host == "" && u.Query().Get("host") == "") {
		e.invalid(name, v, "must be an absolute URL such as "+exampleURL(schemes))
		return def
	}
	if len(schemes) > 0 && !slices.ContainsFunc(schemes, func(want string) bool {
		return strings.EqualFold(want, u.Scheme)
	}) {
		e.invalid(name, v, "must use scheme "+orList(schemes))
		return def
	}
	return s
}

func exampleURL(schemes []string) string {
	scheme := "https"
	if len(schemes) > 0 {
		scheme = schemes[0]
	}
	return scheme + "://host:port/path"
}

// OneOf returns the variable if it matches one of allowed, ignoring letter
// case, or def when unset. The allowed spelling is returned, so LOG_LEVEL=INFO
// yields "info".
func (e *Env) OneOf(name, def string, allowed ...string) string {
	v, ok := e.get(name)
	if !ok {
		return def
	}
	s := strings.TrimSpace(v)
	for _, a := range allowed {
		if strings.EqualFold(a, s) {
			return a
		}
	}
	e.invalid(name, v, "must be one of "+strings.Join(allowed, ", "))
	return def
}

// List returns the comma-separated items of the variable, each trimmed, with
// empty items dropped. A variable that is unset or holds no items yields a
// copy of def, so callers may modify the result.
func (e *Env) List(name string, def []string) []string {
	v, ok := e.get(name)
	if !ok {
		return slices.Clone(def)
	}
	var items []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	if len(items) == 0 {
		return slices.Clone(def)
	}
	return items
}

// HostPort returns the variable as "host:port" (IPv6 hosts in brackets) with
// a non-empty host and a port between 1 and 65535, or def when unset.
func (e *Env) HostPort(name, def string) string {
	v, ok := e.get(name)
	if !ok {
		return def
	}
	s := strings.TrimSpace(v)
	host, port, err := net.SplitHostPort(s)
	if err == nil && host != "" {
		if _, err = parsePort(port); err == nil {
			return s
		}
	}
	e.invalid(name, v, `must be host:port with a port between 1 and 65535, such as "collector:4317"`)
	return def
}

// HostPorts returns the variable as one "host:port" or several joined by
// commas (the replicas of a service, such as
// "127.0.0.1:8084,127.0.0.1:9084"), each checked as HostPort checks one and
// rejoined without spaces, or def when unset.
func (e *Env) HostPorts(name, def string) string {
	v, ok := e.get(name)
	if !ok {
		return def
	}
	parts := strings.Split(v, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		host, port, err := net.SplitHostPort(p)
		if err != nil || host == "" {
			e.invalid(name, v, `must be host:port, or several joined by commas, such as "serials:8084" or "127.0.0.1:8084,127.0.0.1:9084"`)
			return def
		}
		if _, err := parsePort(port); err != nil {
			e.invalid(name, v, fmt.Sprintf("entry %d: the port must be between 1 and 65535", i+1))
			return def
		}
		parts[i] = p
	}
	return strings.Join(parts, ",")
}

// Secret marks variables whose values must never appear in Err's message,
// whichever accessor reads them and whether Secret is called before or after.
//
// Marking is needed only for names the automatic rule misses. Err already
// hides the value of any variable whose name contains PASSWORD, PASSWD,
// SECRET, KEY, TOKEN or CREDENTIAL (in any case), and any value that may carry
// a password: anything shaped "user:password@host", with or without a scheme
// and whether or not it parses as a URL, and anything mentioning "password"
// (a libpq keyword string or a password query parameter).
func (e *Env) Secret(names ...string) {
	for _, n := range names {
		e.secrets[n] = true
	}
}

var secretNameParts = []string{"PASSWORD", "PASSWD", "SECRET", "KEY", "TOKEN", "CREDENTIAL"}

func (e *Env) hidden(name, value string) bool {
	if e.secrets[name] {
		return true
	}
	upper := strings.ToUpper(name)
	for _, part := range secretNameParts {
		if strings.Contains(upper, part) {
			return true
		}
	}
	return mayHoldPassword(value)
}

// mayHoldPassword errs on the side of hiding. Any "user:password@" shape
// counts, whether or not the value parses as a URL: a malformed connection
// string is exactly the one an operator pastes into a ticket.
func mayHoldPassword(value string) bool {
	if strings.Contains(strings.ToLower(value), "password") {
		return true
	}
	at := strings.LastIndex(value, "@")
	if at < 0 {
		return false
	}
	userinfo := value[:at]
	if i := strings.Index(userinfo, "://"); i >= 0 {
		userinfo = userinfo[i+len("://"):]
	}
	return strings.Contains(userinfo, ":")
}

// Err returns nil when every variable read so far was acceptable, or an
// *Error naming each variable that was not, in the order they were read.
func (e *Env) Err() error {
	if len(e.problems) == 0 {
		return nil
	}
	out := &Error{Problems: make([]Problem, 0, len(e.problems))}
	for _, p := range e.problems {
		msg := p.reason
		switch {
		case !p.set:
		case e.hidden(p.name, p.value):
			msg += " (value hidden)"
		default:
			msg += fmt.Sprintf(" (got %q)", shorten(p.value))
		}
		out.Problems = append(out.Problems, Problem{Name: p.name, Message: msg})
	}
	return out
}

// maxShown bounds how much of a bad value is quoted, so a stray file pasted
// into a variable does not flood the log.
const maxShown = 64

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxShown {
		return s
	}
	return string([]rune(s)[:maxShown]) + "..."
}

// Error reports every configuration problem found during one load. Its
// message is a single line, so it survives JSON log handlers intact.
type Error struct {
	Problems []Problem
}

// Problem is one variable that could not be used. Message already carries the
// offending value, or "(value hidden)" for secrets; the raw value is not kept.
type Problem struct {
	Name    string
	Message string
}

func (p Problem) String() string { return p.Name + ": " + p.Message }

func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	if len(parts) == 1 {
		return "config: " + parts[0]
	}
	return fmt.Sprintf("config: %d problems: %s", len(parts), strings.Join(parts, "; "))
}

func orList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
