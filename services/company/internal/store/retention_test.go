package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/domain"
	"github.com/ariesone/ariesone/services/company/internal/store"
	"github.com/ariesone/ariesone/services/company/internal/store/storetest"
)

const retention = 90 * 24 * time.Hour

// history seeds sessions, refresh tokens and password tokens behind the
// back of row-level security, at times relative to the database's clock
// (the pruning's own), as days ago: negative is in the future.
type history struct {
	t   *testing.T
	db  *storetest.DB
	ctx context.Context
}

// ago is a SQL expression for days before now.
func ago(days float64) string { return fmt.Sprintf("now() - interval '%f days'", days) }

// session inserts a session of user created days ago, lasting 12 hours,
// revoked revoked days ago when revoked is not nil.
func (h history) session(tn tenant, created float64, revoked *float64) string {
	h.t.Helper()
	id := newID(h.t)
	revoke, reason := "null", "''"
	if revoked != nil {
		revoke, reason = ago(*revoked), "'logout'"
	}
	_, err := h.db.Super.Exec(h.ctx, `
		insert into sessions (id, company_id, user_id, create_time, last_seen_time, idle_timeout, expire_time, revoke_time, revoke_reason)
		values ($1, $2, $3, `+ago(created)+`, `+ago(created)+`, interval '30 minutes', `+ago(created)+` + interval '12 hours', `+revoke+`, `+reason+`)`,
		id, tn.company.ID, tn.owner.ID)
	if err != nil {
		h.t.Fatalf("seed session: %v", err)
	}
	return id
}

// token inserts a refresh token of session created days ago, expiring
// expires days ago, used or revoked days ago when not nil.
func (h history) token(tn tenant, session string, created, expires float64, used, revoked *float64) string {
	h.t.Helper()
	id := newID(h.t)
	orNull := func(d *float64) string {
		if d == nil {
			return "null"
		}
		return ago(*d)
	}
	_, err := h.db.Super.Exec(h.ctx, `
		insert into refresh_tokens (token_hash, company_id, session_id, create_time, expire_time, used_time, revoke_time)
		values (sha256($1::text::bytea), $2, $3, `+ago(created)+`, `+ago(expires)+`, `+orNull(used)+`, `+orNull(revoked)+`)`,
		id, tn.company.ID, session)
	if err != nil {
		h.t.Fatalf("seed refresh token: %v", err)
	}
	return id
}

// passwordToken inserts a password token created days ago, expiring
// expires days ago, used days ago when not nil.
func (h history) passwordToken(tn tenant, created, expires float64, used *float64) string {
	h.t.Helper()
	id := newID(h.t)
	use := "null"
	if used != nil {
		use = ago(*used)
	}
	_, err := h.db.Super.Exec(h.ctx, `
		insert into password_tokens (token_hash, company_id, user_id, purpose, create_time, expire_time, used_time)
		values (sha256($1::text::bytea), $2, $3, 'reset', `+ago(created)+`, `+ago(expires)+`, `+use+`)`,
		id, tn.company.ID, tn.owner.ID)
	if err != nil {
		h.t.Fatalf("seed password token: %v", err)
	}
	return id
}

// left returns the ids of the rows still in table, by the id the test's
// setup returned (token hashes are sha256 of it).
func (h history) left(table string, ids map[string]string) []string {
	h.t.Helper()
	var out []string
	for name, id := range ids {
		q := `select count(*) from ` + table + ` where token_hash = sha256($1::text::bytea)`
		if table == "sessions" {
			q = `select count(*) from sessions where id = $1::text::uuid`
		}
		var n int
		if err := h.db.Super.QueryRow(h.ctx, q, id).Scan(&n); err != nil {
			h.t.Fatal(err)
		}
		if n > 0 {
			out = append(out, name)
		}
	}
	return out
}

func days(d float64) *float64 { return &d }

// Pruning deletes, in every tenant, refresh tokens used, revoked or expired
// before the retention, sessions ended before it once their tokens are
// gone, and password tokens spent or expired before it; it leaves live
// sessions and tokens and recent history, and a session whose token is
// still within the retention. It counts what it deleted per table.
func TestPruningDeletesOnlyWhatIsPastRetention(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	acme, bravo := seed(t, s, "acme"), seed(t, s, "bravo")
	h := history{t: t, db: db, ctx: context.Background()}

	live := h.session(acme, 1.0/24, nil)
	oldRevoked := h.session(acme, 100, days(100))
	otherTenantOld := h.session(bravo, 120, days(120))
	recentRevoked := h.session(acme, 10, days(10))
	// Ended 95 days ago, but its last token expires within the retention.
	oldWithRecentToken := h.session(acme, 95, nil)
	sessions := map[string]string{
		"live": live, "old revoked": oldRevoked, "other tenant's old": otherTenantOld,
		"recent revoked": recentRevoked, "old with a recent token": oldWithRecentToken,
	}
	tokens := map[string]string{
		"live current":              h.token(acme, live, 1.0/24, -7, nil, nil),
		"live used":                 h.token(acme, live, 1.0/24, -7, days(1.0/48), nil),
		"old used":                  h.token(acme, oldRevoked, 100, 93, days(100), nil),
		"old revoked":               h.token(acme, oldRevoked, 100, 93, nil, days(100)),
		"other tenant's old":        h.token(bravo, otherTenantOld, 120, 113, days(120), nil),
		"recent revoked":            h.token(acme, recentRevoked, 10, 3, nil, days(10)),
		"old session's recent one":  h.token(acme, oldWithRecentToken, 95, 85, nil, nil),
		"old session's expired one": h.token(acme, oldWithRecentToken, 95, 91, days(95), nil),
	}
	passwords := map[string]string{
		"old used":    h.passwordToken(acme, 100, 99, days(100)),
		"old expired": h.passwordToken(bravo, 100, 99, nil),
		"recent":      h.passwordToken(acme, 1, -1, nil),
		"recent used": h.passwordToken(acme, 5, 4, days(5)),
	}

	reg := prometheus.NewRegistry()
	pruner, err := app.NewAuthRetention(store.NewAuth(db.App), retention, reg)
	if err != nil {
		t.Fatal(err)
	}
	n, err := pruner.Prune(h.ctx)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	if n != 4+2+2 {
		t.Errorf("Prune deleted %d rows, want 8", n)
	}
	sorted := cmpopts.SortSlices(func(a, b string) bool { return a < b })
	if diff := cmp.Diff([]string{"live", "old with a recent token", "recent revoked"}, h.left("sessions", sessions), sorted); diff != "" {
		t.Errorf("sessions left (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"live current", "live used", "old session's recent one", "recent revoked"}, h.left("refresh_tokens", tokens), sorted); diff != "" {
		t.Errorf("refresh tokens left (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"recent", "recent used"}, h.left("password_tokens", passwords), sorted); diff != "" {
		t.Errorf("password tokens left (-want +got):\n%s", diff)
	}
	for table, want := range map[string]float64{"refresh_tokens": 4, "sessions": 2, "password_tokens": 2} {
		c, err := prunedCounter(reg, table)
		if err != nil || c != want {
			t.Errorf("pruned %s counted %v (%v), want %v", table, c, err, want)
		}
	}

	// Again: nothing more is due, and nothing fails.
	if n, err := pruner.Prune(h.ctx); err != nil || n != 0 {
		t.Errorf("second Prune = %d, %v; want 0, nil", n, err)
	}
}

// The function refuses a retention under a day whoever calls it, so a bad
// setting cannot prune live history; the runtime role cannot delete the
// rows itself.
func TestPruningRefusesAShortRetention(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	acme := seed(t, s, "acme")
	h := history{t: t, db: db, ctx: context.Background()}
	h.session(acme, 2, days(2))
	if _, err := store.NewAuth(db.App).PruneAuthHistory(h.ctx, time.Hour, 10); err == nil {
		t.Errorf("pruning with a 1h retention succeeded")
	}
	for _, table := range []string{"sessions", "refresh_tokens", "password_tokens"} {
		_, err := db.App.Pool().Exec(h.ctx, `delete from `+table)
		if err == nil {
			t.Errorf("the runtime role may delete from %s", table)
		}
	}
}

// Two replicas pruning at once, in small batches, share the rows: every
// call succeeds, and the rows they report deleted add up to exactly the
// rows that were due, so none was deleted twice.
func TestConcurrentPruningDeletesEachRowOnce(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	tenants := []tenant{seed(t, s, "acme"), seed(t, s, "bravo")}
	h := history{t: t, db: db, ctx: context.Background()}
	const perTenant = 40
	for _, tn := range tenants {
		for i := range perTenant {
			old := 91 + float64(i)/10
			session := h.session(tn, old, days(old))
			h.token(tn, session, old, old-7, days(old), nil)
			h.token(tn, session, old, old-7, nil, days(old))
			h.passwordToken(tn, old, old-1, nil)
		}
		h.session(tn, 1, days(1)) // recent: stays
	}
	pruneStore := store.NewAuth(db.App)

	var mu sync.Mutex
	var total domain.PrunedAuthHistory
	add := func(p domain.PrunedAuthHistory) {
		mu.Lock()
		defer mu.Unlock()
		total.RefreshTokens += p.RefreshTokens
		total.Sessions += p.Sessions
		total.PasswordTokens += p.PasswordTokens
	}
	const batch = 7
	run := func() error {
		for {
			p, err := pruneStore.PruneAuthHistory(h.ctx, retention, batch)
			if err != nil {
				return err
			}
			add(p)
			if p.Total() == 0 {
				return nil
			}
		}
	}
	errc := make(chan error, 2)
	for range 2 {
		go func() { errc <- run() }()
	}
	for range 2 {
		if err := <-errc; err != nil {
			t.Fatalf("a concurrent prune failed: %v", err)
		}
	}
	// A session whose last tokens the other replica was deleting waits
	// for a later batch: one more run, as the next tick would, takes it.
	if err := run(); err != nil {
		t.Fatal(err)
	}
	want := domain.PrunedAuthHistory{RefreshTokens: 2 * 2 * perTenant, Sessions: 2 * perTenant, PasswordTokens: 2 * perTenant}
	if total != want {
		t.Errorf("deleted %+v in all, want %+v: each due row once", total, want)
	}
	var sessionsLeft int
	if err := db.Super.QueryRow(h.ctx, `select count(*) from sessions`).Scan(&sessionsLeft); err != nil || sessionsLeft != len(tenants) {
		t.Errorf("%d sessions left (%v), want the %d recent ones", sessionsLeft, err, len(tenants))
	}
}

// prunedCounter reads the pruned-rows counter of table.
func prunedCounter(reg *prometheus.Registry, table string) (float64, error) {
	families, err := reg.Gather()
	if err != nil {
		return 0, err
	}
	for _, f := range families {
		if f.GetName() != "ariesone_company_auth_pruned_rows_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "table" && l.GetValue() == table {
					return m.GetCounter().GetValue(), nil
				}
			}
		}
	}
	return 0, fmt.Errorf("no counter for %s", table)
}

// Pruning also forgets per-source sign-in failure counters older than the
// retention, unless a block of theirs is still running.
func TestPruningForgetsOldSignInFailures(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	acme := seed(t, s, "acme")
	h := history{t: t, db: db, ctx: context.Background()}
	counter := func(source string, updated float64, lockedUntil string) {
		t.Helper()
		_, err := db.Super.Exec(h.ctx, `
			insert into sign_in_failures (company_id, user_id, source, failed_count, lockouts, locked_until, update_time)
			values ($1, $2, $3, 5, 1, `+lockedUntil+`, `+ago(updated)+`)`, acme.company.ID, acme.owner.ID, source)
		if err != nil {
			t.Fatalf("seed sign-in failures: %v", err)
		}
	}
	counter("198.51.100.1", 100, "null")                      // old: forgotten
	counter("198.51.100.2", 100, ago(95))                     // old block long over: forgotten
	counter("198.51.100.3", 100, "now() + interval '1 hour'") // still blocked: kept
	counter("198.51.100.4", 1, "null")                        // recent: kept

	reg := prometheus.NewRegistry()
	pruner, err := app.NewAuthRetention(store.NewAuth(db.App), retention, reg)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := pruner.Prune(h.ctx); err != nil || n != 2 {
		t.Fatalf("Prune = %d, %v; want 2 counters forgotten", n, err)
	}
	var left []string
	rows, err := db.Super.Query(h.ctx, `select source from sign_in_failures order by source`)
	if err != nil {
		t.Fatal(err)
	}
	left, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"198.51.100.3", "198.51.100.4"}, left); diff != "" {
		t.Errorf("counters left (-want +got):\n%s", diff)
	}
	if c, err := prunedCounter(reg, "sign_in_failures"); err != nil || c != 2 {
		t.Errorf("pruned sign_in_failures counted %v (%v), want 2", c, err)
	}
}
