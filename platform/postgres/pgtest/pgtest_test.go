package pgtest_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

// exists reports whether the named database and roles exist on the server.
func exists(t *testing.T, db string, roles ...string) []bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var got []bool
	var dbExists bool
	if err := conn.QueryRow(ctx, "select exists (select 1 from pg_database where datname = $1)", db).Scan(&dbExists); err != nil {
		t.Fatal(err)
	}
	got = append(got, dbExists)
	for _, r := range roles {
		var roleExists bool
		if err := conn.QueryRow(ctx, "select exists (select 1 from pg_roles where rolname = $1)", r).Scan(&roleExists); err != nil {
			t.Fatal(err)
		}
		got = append(got, roleExists)
	}
	return got
}

func TestDatabaseAndRolesLiveForOneTest(t *testing.T) {
	var db, app, owner string
	t.Run("inner", func(t *testing.T) {
		dbURL := pgtest.NewDatabase(t)
		db = pgtest.DatabaseName(t, dbURL)
		var appURL, ownerURL string
		app, appURL = pgtest.NewAppRole(t, dbURL)
		owner, ownerURL = pgtest.NewOwnerRole(t, dbURL)

		type session struct {
			User, Database        string
			Super, Bypass, OwnsDB bool
		}
		query := `select current_user, current_database(), rolsuper, rolbypassrls,
		                 pg_get_userbyid((select datdba from pg_database where datname = current_database())) = current_user
		          from pg_roles where rolname = current_user`
		var got []session
		for _, u := range []string{appURL, ownerURL} {
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, u)
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
			var s session
			err = conn.QueryRow(ctx, query).Scan(&s.User, &s.Database, &s.Super, &s.Bypass, &s.OwnsDB)
			conn.Close(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		want := []session{
			{User: app, Database: db},
			{User: owner, Database: db, OwnsDB: true},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("sessions (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]bool{true, true, true}, exists(t, db, app, owner)); diff != "" {
			t.Errorf("[database, app role, owner role] exist during the test (-want +got):\n%s", diff)
		}
	})
	if diff := cmp.Diff([]bool{false, false, false}, exists(t, db, app, owner)); diff != "" {
		t.Errorf("[database, app role, owner role] exist after the test (-want +got):\n%s", diff)
	}
}

// envUnreachableChild switches TestUnreachableServerFailsTheTest into the
// child process that calls NewDatabase against a server that is not there.
const envUnreachableChild = "ARIESONE_PGTEST_UNREACHABLE_CHILD"

func TestUnreachableServerFailsTheTest(t *testing.T) {
	if os.Getenv(envUnreachableChild) != "" {
		pgtest.NewDatabase(t)
		return
	}
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestUnreachableServerFailsTheTest$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(),
		envUnreachableChild+"=1",
		pgtest.EnvURL+"=postgres://postgres@127.0.0.1:"+strconv.Itoa(port)+"/postgres?sslmode=disable&connect_timeout=2")
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Fatalf("child with no server: %v, want exit status 1 (a failed test)\n%s", err, out)
	}
	// A skip would also not be a pass; make sure it was reported as a failure.
	if !bytes.Contains(out, []byte("--- FAIL: TestUnreachableServerFailsTheTest")) {
		t.Errorf("child output does not report the test as failed:\n%s", out)
	}
}
