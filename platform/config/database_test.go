package config

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadDatabase(t *testing.T) {
	tests := []struct {
		desc        string
		vars        map[string]string
		want        Database
		conn        string
		migrateConn string
		problems    []Problem
	}{
		{
			desc:        "defaults",
			want:        Database{Host: "127.0.0.1", Port: 5432, Name: "ariesone", User: "postgres", SSLMode: "disable", MaxConns: 10, MigrateOnStart: true},
			conn:        "postgres://postgres@127.0.0.1:5432/ariesone?sslmode=disable",
			migrateConn: "postgres://postgres@127.0.0.1:5432/ariesone?sslmode=disable",
		},
		{
			desc: "parts with password needing escapes",
			vars: map[string]string{
				"DB_HOST": "db.internal", "DB_PORT": "6432", "DB_NAME": "orders", "DB_USER": "orders_app",
				"DB_PASSWORD": "p@ss/w:rd", "DB_SSLMODE": "VERIFY-FULL", "DB_MAX_CONNS": "25",
			},
			want: Database{
				Host: "db.internal", Port: 6432, Name: "orders", User: "orders_app", Password: "p@ss/w:rd",
				SSLMode: "verify-full", MaxConns: 25, MigrateOnStart: true,
			},
			conn:        "postgres://orders_app:p%40ss%2Fw%3Ard@db.internal:6432/orders?sslmode=verify-full",
			migrateConn: "postgres://orders_app:p%40ss%2Fw%3Ard@db.internal:6432/orders?sslmode=verify-full",
		},
		{
			desc: "migrations left to a separate step",
			vars: map[string]string{"DATABASE_URL": "postgres://orders_svc@db/ariesone", "DB_MIGRATE_ON_START": "false"},
			want: Database{
				URL:  "postgres://orders_svc@db/ariesone",
				Host: "127.0.0.1", Port: 5432, Name: "ariesone", User: "postgres", SSLMode: "disable", MaxConns: 10,
			},
			conn:        "postgres://orders_svc@db/ariesone",
			migrateConn: "postgres://orders_svc@db/ariesone",
		},
		{
			desc:        "unix socket directory",
			vars:        map[string]string{"DB_HOST": "/var/run/postgresql"},
			want:        Database{Host: "/var/run/postgresql", Port: 5432, Name: "ariesone", User: "postgres", SSLMode: "disable", MaxConns: 10, MigrateOnStart: true},
			conn:        "postgres://postgres@/ariesone?host=%2Fvar%2Frun%2Fpostgresql&port=5432&sslmode=disable",
			migrateConn: "postgres://postgres@/ariesone?host=%2Fvar%2Frun%2Fpostgresql&port=5432&sslmode=disable",
		},
		{
			desc: "DATABASE_URL wins and a separate migration role",
			vars: map[string]string{
				"DATABASE_URL":   "postgresql://app:pw@db:5432/ariesone?sslmode=require",
				"DB_HOST":        "ignored",
				"DB_MIGRATE_URL": "postgres://owner:pw2@db:5432/ariesone?sslmode=require",
			},
			want: Database{
				URL:  "postgresql://app:pw@db:5432/ariesone?sslmode=require",
				Host: "ignored", Port: 5432, Name: "ariesone", User: "postgres", SSLMode: "disable", MaxConns: 10,
				MigrateURL: "postgres://owner:pw2@db:5432/ariesone?sslmode=require", MigrateOnStart: true,
			},
			conn:        "postgresql://app:pw@db:5432/ariesone?sslmode=require",
			migrateConn: "postgres://owner:pw2@db:5432/ariesone?sslmode=require",
		},
		{
			desc: "malformed values all reported",
			vars: map[string]string{
				"DATABASE_URL": "mysql://db/app", "DB_PORT": "five", "DB_SSLMODE": "prefer",
				"DB_MAX_CONNS": "0", "DB_MIGRATE_URL": "db:5432", "DB_MIGRATE_ON_START": "sometimes",
			},
			want: Database{Host: "127.0.0.1", Port: 5432, Name: "ariesone", User: "postgres", SSLMode: "disable", MaxConns: 10, MigrateOnStart: true},
			problems: []Problem{
				{Name: "DATABASE_URL", Message: `must use scheme postgres or postgresql (got "mysql://db/app")`},
				{Name: "DB_PORT", Message: `must be a port number between 1 and 65535 (got "five")`},
				{Name: "DB_SSLMODE", Message: `must be one of disable, require, verify-full (got "prefer")`},
				{Name: "DB_MAX_CONNS", Message: `must be between 1 and 1000 (got "0")`},
				{Name: "DB_MIGRATE_URL", Message: `must be an absolute URL such as postgres://host:port/path (got "db:5432")`},
				{Name: "DB_MIGRATE_ON_START", Message: `must be one of true, false, 1, 0, yes, no (got "sometimes")`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := FromMap(tt.vars)
			got := LoadDatabase(e, "ariesone")
			checkProblems(t, e, tt.problems)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("LoadDatabase (-want +got):\n%s", diff)
			}
			if tt.problems != nil {
				return
			}
			if diff := cmp.Diff(tt.conn, got.ConnString()); diff != "" {
				t.Errorf("ConnString (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.migrateConn, got.MigrateConnString()); diff != "" {
				t.Errorf("MigrateConnString (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadDatabaseNameRequiredWithoutURL(t *testing.T) {
	e := FromMap(nil)
	LoadDatabase(e, "")
	checkProblems(t, e, one("DB_NAME", "required when DATABASE_URL is not set"))

	e = FromMap(map[string]string{"DATABASE_URL": "postgres://db/app"})
	LoadDatabase(e, "")
	checkProblems(t, e, nil)
}

// TestDatabasePasswordNeverInErr proves the rule operators rely on when they
// paste a start-up failure into a ticket: no form of the database password
// reaches the message, while the variables are still named.
func TestDatabasePasswordNeverInErr(t *testing.T) {
	const pw = "Tr0ub4dor-and-3"
	e := FromMap(map[string]string{
		"DB_PASSWORD":    pw,
		"DATABASE_URL":   "mysql://app:" + pw + "@db/app",
		"DB_MIGRATE_URL": "owner:" + pw + "@db:5432/app",
		"DB_PORT":        "not-a-port",
	})
	LoadDatabase(e, "ariesone")
	e.Required("DB_PASSWORD_FILE")
	e.Int("DB_PASSWORD", 0, 0, 1) // a secret read as the wrong type

	msg := e.Err().Error()
	if strings.Contains(msg, pw) {
		t.Fatalf("Err() reveals the password: %q", msg)
	}
	for _, name := range []string{"DATABASE_URL", "DB_MIGRATE_URL", "DB_PORT", "DB_PASSWORD"} {
		if !strings.Contains(msg, name+": ") {
			t.Errorf("Err() = %q, does not name %s", msg, name)
		}
	}
	if got := strings.Count(msg, "(value hidden)"); got != 3 {
		t.Errorf("Err() = %q, hides %d values, want 3", msg, got)
	}
}

func TestDatabaseLogValueRedacts(t *testing.T) {
	const pw = "hunter2hunter2"
	tests := []struct {
		desc string
		d    Database
	}{
		{"parts", Database{Host: "db", Port: 5432, Name: "app", User: "app", Password: pw, SSLMode: "require", MaxConns: 5}},
		{"url", Database{URL: "postgres://app:" + pw + "@db/app", MigrateURL: "postgres://db/app?password=" + pw}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("starting", "db", tt.d)
			if strings.Contains(buf.String(), pw) {
				t.Errorf("logged database settings reveal the password: %s", buf.String())
			}
			if !strings.Contains(buf.String(), "xxxxx") {
				t.Errorf("logged database settings = %s, want a redaction marker", buf.String())
			}
		})
	}
}
