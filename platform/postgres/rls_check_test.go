package postgres_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/postgres"
)

func TestCheckRowLevelSecurityReportsUnprotectedTables(t *testing.T) {
	t.Parallel()
	const policy = "(company_id = nullif(current_setting('ariesone.company_id', true), '')::uuid)"
	f := newFixture(t, sqlMigrations(map[string]string{"00001_tables.sql": `
-- +goose Up
create table protected (company_id uuid not null);
alter table protected enable row level security;
alter table protected force row level security;
create policy tenant_isolation on protected using ` + policy + ` with check ` + policy + `;

create table not_forced (company_id uuid not null);
alter table not_forced enable row level security;
create policy tenant_isolation on not_forced using ` + policy + `;

create table no_policy (company_id uuid not null);
alter table no_policy enable row level security;
alter table no_policy force row level security;

create table forgotten (company_id uuid not null, note text);

create table partitioned (company_id uuid not null, at date not null) partition by range (at);
alter table partitioned enable row level security;
alter table partitioned force row level security;
create policy tenant_isolation on partitioned using ` + policy + `;
create table partitioned_2026 partition of partitioned for values from ('2026-01-01') to ('2027-01-01');

create table reference_codes (code text primary key);
create view protected_view as select company_id from protected;
`}))

	got, err := postgres.CheckRowLevelSecurity(context.Background(), f.owner, f.schema)
	if err != nil {
		t.Fatalf("CheckRowLevelSecurity: %v", err)
	}
	want := []string{
		f.schema + ".forgotten: row level security not enabled, row level security not forced, no policy",
		f.schema + ".no_policy: no policy",
		f.schema + ".not_forced: row level security not forced",
		f.schema + ".partitioned_2026: row level security not enabled, row level security not forced, no policy",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestPlatformTablesPassRowLevelSecurityCheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t, notesMigrations())
	got, err := postgres.CheckRowLevelSecurity(context.Background(), f.app.Pool(), f.schema)
	if err != nil {
		t.Fatalf("CheckRowLevelSecurity: %v", err)
	}
	if diff := cmp.Diff([]string{}, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	// The check looked at the platform's table at all: it carries company_id.
	var tenantTables int
	err = f.super.QueryRow(context.Background(), `
		select count(distinct c.oid) from pg_class c
		join pg_namespace n on n.oid = c.relnamespace
		join pg_attribute a on a.attrelid = c.oid and a.attname = 'company_id'
		where n.nspname = $1 and c.relkind = 'r'`, f.schema).Scan(&tenantTables)
	if err != nil {
		t.Fatal(err)
	}
	if tenantTables != 3 {
		t.Errorf("tenant tables in schema = %d, want 3 (idempotency_keys, notes, outbox)", tenantTables)
	}
}
