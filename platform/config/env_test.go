package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// problemsOf returns the problems Err reports, or nil when it reports none.
func problemsOf(t *testing.T, e *Env) []Problem {
	t.Helper()
	err := e.Err()
	if err == nil {
		return nil
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Err() = %T %v, want *config.Error", err, err)
	}
	return ce.Problems
}

func checkProblems(t *testing.T, e *Env, want []Problem) {
	t.Helper()
	if diff := cmp.Diff(want, problemsOf(t, e)); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

// one builds the expected problem list for a single variable.
func one(name, message string) []Problem {
	return []Problem{{Name: name, Message: message}}
}

func set(v string) map[string]string { return map[string]string{"V": v} }

func TestString(t *testing.T) {
	tests := []struct {
		desc string
		vars map[string]string
		want string
	}{
		{"unset uses default", nil, "def"},
		{"empty counts as unset", set(""), "def"},
		{"blank counts as unset", set("  "), "def"},
		{"value kept as written", set(" a b "), " a b "},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := FromMap(tt.vars)
			if diff := cmp.Diff(tt.want, e.String("V", "def")); diff != "" {
				t.Errorf("String (-want +got):\n%s", diff)
			}
			checkProblems(t, e, nil)
		})
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		desc     string
		vars     map[string]string
		want     string
		problems []Problem
	}{
		{"set", set("x"), "x", nil},
		{"missing", nil, "", one("V", "required but not set")},
		{"empty", set(""), "", one("V", "required but not set")},
		{"blank", set(" \t"), "", one("V", "required but not set")},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := FromMap(tt.vars)
			if diff := cmp.Diff(tt.want, e.Required("V")); diff != "" {
				t.Errorf("Required (-want +got):\n%s", diff)
			}
			checkProblems(t, e, tt.problems)
		})
	}
}

func TestInt(t *testing.T) {
	tests := []struct {
		desc     string
		vars     map[string]string
		want     int
		problems []Problem
	}{
		{"unset uses default", nil, 5, nil},
		{"valid", set("7"), 7, nil},
		{"surrounding blanks", set(" 8 "), 8, nil},
		{"lower bound", set("1"), 1, nil},
		{"upper bound", set("10"), 10, nil},
		{"malformed", set("ten"), 5, one("V", `must be a whole number between 1 and 10 (got "ten")`)},
		{"fraction", set("2.5"), 5, one("V", `must be a whole number between 1 and 10 (got "2.5")`)},
		{"below range", set("0"), 5, one("V", `must be between 1 and 10 (got "0")`)},
		{"above range", set("11"), 5, one("V", `must be between 1 and 10 (got "11")`)},
		{"overflow", set("99999999999999999999"), 5, one("V", `must be a whole number between 1 and 10 (got "99999999999999999999")`)},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := FromMap(tt.vars)
			if diff := cmp.Diff(tt.want, e.Int("V", 5, 1, 10)); diff != "" {
				t.Errorf("Int (-want +got):\n%s", diff)
			}
			checkProblems(t, e, tt.problems)
		})
	}
}

func TestPort(t *testing.T) {
	const msg = "must be a port number between 1 and 65535"
	tests := []struct {
		desc     string
		vars     map[string]string
		want     int
		problems []Problem
	}{
		{"unset uses default", nil, 50051, nil},
		{"valid", set("8080"), 8080, nil},
		{"lowest", set("1"), 1, nil},
		{"highest", set("65535"), 65535, nil},
		{"zero", set("0"), 50051, one("V", msg+` (got "0")`)},
		{"too high", set("65536"), 50051, one("V", msg+` (got "65536")`)},
		{"negative", set("-1"), 50051, one("V", msg+` (got "-1")`)},
		{"not a number", set("http"), 50051, one("V", msg+` (got "http")`)},
		{"host and port", set("localhost:80"), 50051, one("V", msg+` (got "localhost:80")`)},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := FromMap(tt.vars)
			if diff := cmp.Diff(tt.want, e.Port("V", 50051)); diff != "" {
				t.Errorf("Port (-want +got):\n%s", diff)
			}
			checkProblems(t, e, tt.problems)
		})
	}
}

func TestBool(t *testing.T) {
	const msg = "must be one of true, false, 1, 0, yes, no"
	tests := []struct {
		desc     string
		vars     map[string]string
		def      bool
		want     bool
		problems []Problem
	}{
		{"unset uses default false", nil, false, false, nil},
		{"unset uses default true", nil, true, true, nil},
		{"true", set("true"), false, true, nil},
		{"TRUE", set("TRUE"), false, true, nil},
		{"1", set("1"), false, true, nil},
		{"Yes", set("Yes"), false, true, nil},
		{"false", set("false"), true, false, nil},
		{"False", set("False"), true, false, nil},
		{"0", set("0"), true, false, nil},
		{"NO with blanks", set(" NO "), true, false, nil},
		{"typo keeps default", set("ture"), true, true, one("V", msg+` (got "ture")`)},
		{"on is not accepted", set("on"), false, false, one("V", msg+` (got "on")`)},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := FromMap(tt.vars)
			if diff := cmp.Diff(tt.want, e.Bool("V", tt.def)); diff != "" {
				t.Errorf("Bool (-want +got):\n%s", diff)
			}
			checkProblems(t, e, tt.problems)
		})
	}
}

func TestDuration(t *testing.T) {
	const malformed = `must be a duration with a unit, such as "500ms", "30s" or "2m"`
	tests := []struct {
		desc     string
		vars     map[string]string
		want     time.Duration
		problems []Problem
	}{
		{"unset uses default", nil, 20 * time.Second, nil},
		{"seconds", set("45s"), 45 * time.Second, nil},
		{"compound", set("1m30s"), 90 * time.Second, nil},
		{"milliseconds", set("250ms"), 250 * time.Millisecond, nil},
		{"bare number", set("30"), 20 * time.Second, one("V", malformed+` (got "30")`)},
		{"garbage", set("soon"), 20 * time.Second, one("V", malformed+` (got "soon")`)},
		{"zero", set("0s"), 20 * time.Second, one("V", `must be a positive duration (got "0s")`)},
		{"negative", set("-5s"), 20 * time.Second, one("V", `must be a positive duration (got "-5s")`)},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := FromMap(tt.vars)
			if diff := cmp.Diff(tt.want, e.Duration("V", 20*time.Second)); diff != "" {
				t.Errorf("Duration (-want +got):\n%s", diff)
			}
			checkProblems(t, e, tt.problems)
		})
	}
}

func TestURL(t *testing.T) {
	const absolute = "must be an absolute URL such as amqp://host:port/path"
	tests := []struct {
		desc     string
		vars     map[string]string
		schemes  []string
		want     string
		problems []Problem
	}{
		{"unset uses default", nil, nil, "amqp://default", nil},
		{"any scheme", set("https://x.example/jwks"), nil, "https://x.example/jwks", nil},
		{"allowed scheme", set("amqps://broker:5671/vh"), []string{"amqp", "amqps"}, "amqps://broker:5671/vh", nil},
		{"scheme case ignored", set("AMQP://broker"), []string{"amqp"}, "AMQP://broker", nil},
		{"blanks trimmed", set(" amqp://broker "), []string{"amqp"}, "amqp://broker", nil},
		{"socket host in query", set("postgres:///app?host=/run/postgresql"), []string{"postgres"}, "postgres:///app?host=/run/postgresql", nil},
		{"wrong scheme", set("http://broker"), []string{"amqp", "amqps"}, "amqp://default",
			one("V", `must use scheme amqp or amqps (got "http://broker")`)},
		{"no scheme", set("broker:5672"), []string{"amqp"}, "amqp://default",
			one("V", absolute+` (got "broker:5672")`)},
		{"no host", set("amqp:///vh"), []string{"amqp"}, "amqp://default",
			one("V", absolute+` (got "amqp:///vh")`)},
		{"unparsable", set("amqp://bro ker:%zz"), []string{"amqp"}, "amqp://default",
			one("V", absolute+` (got "amqp://bro ker:%zz")`)},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := FromMap(tt.vars)
			if diff := cmp.Diff(tt.want, e.URL("V", "amqp://default", tt.schemes...)); diff != "" {
				t.Errorf("URL (-want +got):\n%s", diff)
			}
			checkProblems(t, e, tt.problems)
		})
	}
}

func TestOneOf(t *testing.T) {
	tests := []struct {
		desc     string
		vars     map[string]string
		want     string
		problems []Problem
	}{
		{"unset uses default", nil, "info", nil},
		{"exact", set("debug"), "debug", nil},
		{"case folded to allowed spelling", set(" WARN "), "warn", nil},
		{"not allowed", set("verbose"), "info", one("V", `must be one of debug, info, warn, error (got "verbose")`)},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := FromMap(tt.vars)
			if diff := cmp.Diff(tt.want, e.OneOf("V", "info", "debug", "info", "warn", "error")); diff != "" {
				t.Errorf("OneOf (-want +got):\n%s", diff)
			}
			checkProblems(t, e, tt.problems)
		})
	}
}

func TestList(t *testing.T) {
	def := []string{"a", "b"}
	tests := []struct {
		desc string
		vars map[string]string
		want []string
	}{
		{"unset uses default", nil, []string{"a", "b"}},
		{"single", set("x"), []string{"x"}},
		{"trimmed, empties dropped", set(" x, ,y ,,z "), []string{"x", "y", "z"}},
		{"only separators uses default", set(" , ,"), []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := FromMap(tt.vars)
			got := e.List("V", def)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("List (-want +got):\n%s", diff)
			}
			checkProblems(t, e, nil)
		})
	}
	t.Run("default is copied", func(t *testing.T) {
		got := FromMap(nil).List("V", def)
		got[0] = "changed"
		if diff := cmp.Diff([]string{"a", "b"}, def); diff != "" {
			t.Errorf("caller's default was modified (-want +got):\n%s", diff)
		}
	})
}

func TestHostPort(t *testing.T) {
	const msg = `must be host:port with a port between 1 and 65535, such as "collector:4317"`
	tests := []struct {
		desc     string
		vars     map[string]string
		want     string
		problems []Problem
	}{
		{"unset uses default", nil, "localhost:4317", nil},
		{"name", set("collector:4317"), "collector:4317", nil},
		{"ipv4", set("10.0.0.5:80"), "10.0.0.5:80", nil},
		{"ipv6", set("[::1]:4317"), "[::1]:4317", nil},
		{"no port", set("collector"), "localhost:4317", one("V", msg+` (got "collector")`)},
		{"no host", set(":4317"), "localhost:4317", one("V", msg+` (got ":4317")`)},
		{"bad port", set("collector:http"), "localhost:4317", one("V", msg+` (got "collector:http")`)},
		{"port zero", set("collector:0"), "localhost:4317", one("V", msg+` (got "collector:0")`)},
		{"url", set("http://collector:4317"), "localhost:4317", one("V", msg+` (got "http://collector:4317")`)},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := FromMap(tt.vars)
			if diff := cmp.Diff(tt.want, e.HostPort("V", "localhost:4317")); diff != "" {
				t.Errorf("HostPort (-want +got):\n%s", diff)
			}
			checkProblems(t, e, tt.problems)
		})
	}
}

func TestHostPorts(t *testing.T) {
	const msg = `must be host:port, or several joined by commas, such as "serials:8084" or "127.0.0.1:8084,127.0.0.1:9084"`
	tests := []struct {
		desc     string
		vars     map[string]string
		want     string
		problems []Problem
	}{
		{"unset uses default", nil, "serials:8084", nil},
		{"one", set("serials:8084"), "serials:8084", nil},
		{"two, spaces dropped", set(" 127.0.0.1:8084 , 127.0.0.1:9084"), "127.0.0.1:8084,127.0.0.1:9084", nil},
		{"ipv6 among them", set("[::1]:8084,127.0.0.1:9084"), "[::1]:8084,127.0.0.1:9084", nil},
		{"empty entry", set("127.0.0.1:8084,"), "serials:8084", one("V", msg+` (got "127.0.0.1:8084,")`)},
		{"no port", set("127.0.0.1:8084,serials"), "serials:8084", one("V", msg+` (got "127.0.0.1:8084,serials")`)},
		{"bad port", set("a:1,b:70000"), "serials:8084", one("V", `entry 2: the port must be between 1 and 65535 (got "a:1,b:70000")`)},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := FromMap(tt.vars)
			if diff := cmp.Diff(tt.want, e.HostPorts("V", "serials:8084")); diff != "" {
				t.Errorf("HostPorts (-want +got):\n%s", diff)
			}
			checkProblems(t, e, tt.problems)
		})
	}
}

func TestNilLookupIsEmptyEnvironment(t *testing.T) {
	e := New(nil)
	if got := e.Port("API_PORT", 50051); got != 50051 {
		t.Errorf("Port = %d, want default 50051", got)
	}
	checkProblems(t, e, nil)
}

func TestErrAggregatesEveryProblem(t *testing.T) {
	e := FromMap(map[string]string{
		"API_PORT":         "http",
		"SHUTDOWN_TIMEOUT": "20",
		"FEATURE_X":        "maybe",
	})
	e.Port("API_PORT", 50051)
	e.Required("JWT_ISSUER")
	e.Duration("SHUTDOWN_TIMEOUT", time.Second)
	e.Bool("FEATURE_X", false)
	e.Port("API_PORT", 50051) // read twice, reported once

	want := []Problem{
		{Name: "API_PORT", Message: `must be a port number between 1 and 65535 (got "http")`},
		{Name: "JWT_ISSUER", Message: "required but not set"},
		{Name: "SHUTDOWN_TIMEOUT", Message: `must be a duration with a unit, such as "500ms", "30s" or "2m" (got "20")`},
		{Name: "FEATURE_X", Message: `must be one of true, false, 1, 0, yes, no (got "maybe")`},
	}
	checkProblems(t, e, want)

	msg := e.Err().Error()
	if !strings.HasPrefix(msg, "config: 4 problems: ") {
		t.Errorf("Err() = %q, want it to start with the problem count", msg)
	}
	for _, p := range want {
		if !strings.Contains(msg, p.Name+": ") {
			t.Errorf("Err() = %q, does not name %s", msg, p.Name)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("Err() = %q, want a single line", msg)
	}
}

func TestErrSingleProblem(t *testing.T) {
	e := FromMap(nil)
	e.Required("DB_NAME")
	want := "config: DB_NAME: required but not set"
	if diff := cmp.Diff(want, e.Err().Error()); diff != "" {
		t.Errorf("Err() (-want +got):\n%s", diff)
	}
}

func TestErrShortensLongValues(t *testing.T) {
	long := strings.Repeat("x", 500)
	e := FromMap(set(long))
	e.Port("V", 1)
	want := one("V", `must be a port number between 1 and 65535 (got "`+strings.Repeat("x", maxShown)+`...")`)
	checkProblems(t, e, want)
}

func TestSecretValuesNeverShown(t *testing.T) {
	const pw = "s3cr3t-Pa55"
	tests := []struct {
		desc string
		name string
		read func(e *Env, name string)
		val  string
		mark bool // call Secret explicitly
	}{
		{"password by name", "DB_PASSWORD", readPort, pw, false},
		{"passwd by name", "SMTP_PASSWD", readPort, pw, false},
		{"key by name", "ENCRYPTION_KEY", readBool, pw, false},
		{"key in lower case name", "api_key", readBool, pw, false},
		{"secret by name", "CLIENT_SECRET", readDuration, pw, false},
		{"token by name", "SLACK_TOKEN", readOneOf, pw, false},
		{"credential by name", "GCP_CREDENTIALS", readOneOf, pw, false},
		{"url with password", "DATABASE_URL", readMySQLURL, "postgres://app:" + pw + "@db:5432/app", false},
		{"amqp url with password", "AMQP_URL", readPort, "amqp://guest:" + pw + "@broker:5672/", false},
		{"any name holding a url with password", "UPSTREAM", readPort, "redis://:" + pw + "@cache:6379", false},
		{"unparsable url with at sign", "DATABASE_URL", readMySQLURL, "postgres://app:" + pw + "%zz@db/app", false},
		{"schemeless user info", "DB_DSN", readPort, "app:" + pw + "@db:5432", false},
		{"keyword string with password", "DB_DSN", readPort, "host=db password=" + pw, false},
		{"explicitly marked", "PHI_PEPPER", readPort, pw, true},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := FromMap(map[string]string{tt.name: tt.val})
			tt.read(e, tt.name)
			if tt.mark {
				e.Secret(tt.name) // after the read: hiding is decided in Err
			}
			err := e.Err()
			if err == nil {
				t.Fatalf("Err() = nil, want a problem for %s", tt.name)
			}
			msg := err.Error()
			if strings.Contains(msg, pw) {
				t.Errorf("Err() = %q, reveals the secret", msg)
			}
			if !strings.Contains(msg, tt.name+": ") || !strings.HasSuffix(msg, "(value hidden)") {
				t.Errorf("Err() = %q, want it to name %s and say the value is hidden", msg, tt.name)
			}
		})
	}
}

func TestNonSecretValuesShown(t *testing.T) {
	tests := []struct{ name, val string }{
		{"AMQP_URL", "http://guest@broker"}, // user but no password
		{"JWKS_URL", "ftp://company/jwks"},
		{"OPS_EMAIL", "ops@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := FromMap(map[string]string{tt.name: tt.val})
			e.URL(tt.name, "", "amqp", "https")
			if msg := e.Err().Error(); !strings.Contains(msg, `(got "`+tt.val+`")`) {
				t.Errorf("Err() = %q, want it to quote %q", msg, tt.val)
			}
		})
	}
}

func readPort(e *Env, name string)     { e.Port(name, 1) }
func readBool(e *Env, name string)     { e.Bool(name, false) }
func readDuration(e *Env, name string) { e.Duration(name, time.Second) }
func readOneOf(e *Env, name string)    { e.OneOf(name, "a", "a", "b") }
func readMySQLURL(e *Env, name string) { e.URL(name, "", "mysql") }
