package postgres_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/postgres"
)

// Two locations of company A.
const (
	branchA1 = "0195f3a2-0000-7000-8000-0000000000b1"
	branchA2 = "0195f3a2-0000-7000-8000-0000000000b2"
)

// visitsMigration is a tenant table whose rows belong to a location, with
// the branch-scope policy the package documentation prescribes, and a
// child table scoped through its parent.
var visitsMigration = `
-- +goose Up
create table visits (
    id          uuid primary key,
    company_id  uuid not null,
    location_id uuid not null
);
alter table visits enable row level security;
alter table visits force row level security;
create policy tenant_isolation on visits
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
create policy branch_scope on visits as restrictive
    using (` + postgres.LocationScopeExpression("location_id") + `)
    with check (` + postgres.LocationScopeExpression("location_id") + `);
grant select, insert, update on visits to APP_ROLE;

create table visit_notes (
    id         uuid primary key,
    company_id uuid not null,
    visit_id   uuid not null references visits (id)
);
alter table visit_notes enable row level security;
alter table visit_notes force row level security;
create policy tenant_isolation on visit_notes
    using (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)
    with check (company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid);
create policy branch_scope on visit_notes as restrictive
    using ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
           or exists (select 1 from visits v where v.id = visit_id))
    with check ((select coalesce(current_setting('ariesone.location_ids', true), '') = '')
           or exists (select 1 from visits v where v.id = visit_id));
grant select, insert on visit_notes to APP_ROLE;
`

// scopedCtx is a request context of a user of companyID limited to
// locations.
func scopedCtx(companyID string, locations ...string) context.Context {
	return identity.NewContext(context.Background(), identity.Principal{
		Subject: "scoped-user", CompanyID: companyID, Roles: []string{"intake"},
		Kind: identity.KindUser, Locations: locations,
	})
}

// TestLocationScope: a transaction of a principal limited to locations
// sees and writes only those locations' rows (and the rows hanging off
// them), while an unrestricted principal and system work naming its
// tenant see every location; another tenant stays invisible either way.
func TestLocationScope(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlMigrations(map[string]string{"00001_visits.sql": visitsMigration}))
	const (
		visitA1 = "0195f3a2-0000-7000-8000-0000000000c1"
		visitA2 = "0195f3a2-0000-7000-8000-0000000000c2"
		visitB  = "0195f3a2-0000-7000-8000-0000000000c3"
	)
	seed := []struct{ company, id, location string }{{companyA, visitA1, branchA1}, {companyA, visitA2, branchA2}, {companyB, visitB, branchA1}}
	for _, v := range seed {
		err := f.app.WithTenantTx(context.Background(), v.company, func(tx pgx.Tx) error {
			if _, err := tx.Exec(context.Background(), "insert into visits values ($1, $2, $3)", v.id, v.company, v.location); err != nil {
				return err
			}
			_, err := tx.Exec(context.Background(), "insert into visit_notes values (gen_random_uuid(), $1, $2)", v.company, v.id)
			return err
		})
		if err != nil {
			t.Fatalf("seed %s: %v", v.id, err)
		}
	}
	visible := func(t *testing.T, ctx context.Context, run func(context.Context, func(pgx.Tx) error) error) [2][]string {
		t.Helper()
		var got [2][]string
		err := run(ctx, func(tx pgx.Tx) error {
			for i, q := range []string{"select id::text from visits", "select visit_id::text from visit_notes"} {
				rows, err := tx.Query(ctx, q)
				if err != nil {
					return err
				}
				if got[i], err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
					return err
				}
				slices.Sort(got[i])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	withTenant := func(ctx context.Context, fn func(pgx.Tx) error) error { return f.app.WithTenantTx(ctx, companyA, fn) }
	both := []string{visitA1, visitA2}
	for _, c := range []struct {
		name string
		ctx  context.Context
		run  func(context.Context, func(pgx.Tx) error) error
		want []string
	}{
		{"scoped to one branch", scopedCtx(companyA, branchA1), f.app.WithReadOnlyTx, []string{visitA1}},
		{"scoped to both branches", scopedCtx(companyA, branchA1, branchA2), f.app.WithTx, both},
		{"unrestricted user", tenantCtx(companyA), f.app.WithTx, both},
		{"system work naming its tenant", context.Background(), withTenant, both},
		{"scoped principal naming its own tenant", scopedCtx(companyA, branchA2), withTenant, []string{visitA2}},
		{"scoped principal of another tenant naming this one", scopedCtx(companyB, branchA2), withTenant, both},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff([2][]string{c.want, c.want}, visible(t, c.ctx, c.run)); diff != "" {
				t.Errorf("[visits, notes] (-want +got):\n%s", diff)
			}
		})
	}

	ctx := scopedCtx(companyA, branchA1)
	for _, c := range []struct {
		name string
		sql  string
		args []any
	}{
		{"insert into another branch", "insert into visits values (gen_random_uuid(), $1, $2)", []any{companyA, branchA2}},
		{"move a row to another branch", "update visits set location_id = $1 where id = $2", []any{branchA2, visitA1}},
		{"a child of another branch's row", "insert into visit_notes values (gen_random_uuid(), $1, $2)", []any{companyA, visitA2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := f.app.WithTx(ctx, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, c.sql, c.args...)
				return err
			})
			if !errs.Is(err, errs.KindNotFound) || sqlState(err) != codeInsufficientPrivilege {
				t.Errorf("error = %v, want NOT_FOUND caused by SQLSTATE %s", err, codeInsufficientPrivilege)
			}
		})
	}
	var affected int64
	err := f.app.WithTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "update visits set location_id = location_id where id = $1", visitA2)
		affected = tag.RowsAffected()
		return err
	})
	if err != nil || affected != 0 {
		t.Errorf("update of another branch's row: %d rows, %v; want 0 rows", affected, err)
	}

	// The scope is the transaction's: the next one on the same session is
	// unrestricted again.
	single := postgres.NewDB(openPool(t, postgres.Config{URL: f.appURL, Schema: f.schema, MaxConns: 1}))
	visible(t, ctx, single.WithTx)
	if diff := cmp.Diff([2][]string{both, both}, visible(t, tenantCtx(companyA), single.WithTx)); diff != "" {
		t.Errorf("after a scoped transaction (-want +got):\n%s", diff)
	}

	ran := false
	err = f.app.WithTx(scopedCtx(companyA, branchA1, "branch-1"), func(pgx.Tx) error { ran = true; return nil })
	if err == nil || ran {
		t.Errorf("malformed location: err %v, ran %v; want refused before any query", err, ran)
	}
}
