package postgres_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

func TestConfigStringHidesPassword(t *testing.T) {
	tests := []postgres.Config{
		{URL: "postgres://serials:s3cret@db/ariesone"},
		{URL: "postgres://serials@db/ariesone?password=s3cret"},
		{URL: "host=db user=serials password=s3cret dbname=ariesone"},
	}
	for _, cfg := range tests {
		if s := cfg.String(); strings.Contains(s, "s3cret") {
			t.Errorf("String() = %q reveals the password", s)
		}
	}
}

func TestOpenAppliesSessionSettings(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	pool := openPool(t, postgres.Config{URL: dbURL, Schema: "serials", ApplicationName: "serials-test", MaxConns: 3})

	var got [2]string
	if err := pool.QueryRow(context.Background(), "select current_setting('search_path'), current_setting('application_name')").Scan(&got[0], &got[1]); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([2]string{"serials", "serials-test"}, got); diff != "" {
		t.Errorf("[search_path, application_name] (-want +got):\n%s", diff)
	}
	if max := pool.Config().MaxConns; max != 3 {
		t.Errorf("MaxConns = %d, want 3", max)
	}
}

func TestOpenFailsFast(t *testing.T) {
	t.Parallel()
	// A port nobody listens on: take one, then free it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	tests := []struct {
		name string
		cfg  postgres.Config
	}{
		{name: "nothing listening", cfg: postgres.Config{URL: fmt.Sprintf("postgres://serials@127.0.0.1:%d/ariesone", port), ConnectTimeout: 2 * time.Second}},
		{name: "unparseable URL", cfg: postgres.Config{URL: "postgres://%zz"}},
		{name: "invalid schema", cfg: postgres.Config{URL: pgtest.ServerURL(), Schema: "Serials; drop"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, err := postgres.Open(context.Background(), tt.cfg)
			if err == nil {
				pool.Close()
				t.Fatal("Open: want an error")
			}
		})
	}
}
