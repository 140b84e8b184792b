package migrations_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/services/orders/migrations"
)

// TestEveryTenantTableIsScopedAndEvidenceIsAppendOnly checks the schema's
// guarantees from the catalog, so a table added later without them fails
// here: every table holding tenant data has row-level security forced;
// proofs of delivery and pickups can be neither changed nor removed by the
// runtime role; and only a draft's lines (replaced as a whole) and sent
// events may be deleted.
func TestEveryTenantTableIsScopedAndEvidenceIsAppendOnly(t *testing.T) {
	s := pgtest.NewServiceSchema(t, "orders", migrations.FS)
	rows, err := s.Super.Query(context.Background(), `
		select c.relname, c.relrowsecurity and c.relforcerowsecurity,
		       has_table_privilege('orders_app', c.oid, 'DELETE'),
		       has_table_privilege('orders_app', c.oid, 'UPDATE')
		from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where n.nspname = 'orders' and c.relkind = 'r'
		order by c.relname`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	platform := []string{"goose_db_version", "platform_db_version", "encryption_key_check", "inbox"}
	deletable := []string{"order_lines", "outbox"}
	appendOnly := []string{"deliveries", "pickups", "price_lists", "resupply_confirmations", "resupply_shipments"}
	var tables []string
	for rows.Next() {
		var name string
		var forced, canDelete, canUpdate bool
		if err := rows.Scan(&name, &forced, &canDelete, &canUpdate); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(platform, name) {
			continue
		}
		tables = append(tables, name)
		if !forced {
			t.Errorf("table %s: row-level security not enabled and forced", name)
		}
		if canDelete != slices.Contains(deletable, name) {
			t.Errorf("table %s: the runtime role may delete: %v", name, canDelete)
		}
		if canUpdate && slices.Contains(appendOnly, name) {
			t.Errorf("table %s: the runtime role may update an append-only record", name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"claim_lines", "deliveries", "idempotency_keys", "order_lines", "orders", "outbox", "pickups", "price_lists", "prices", "rentals",
		"resupply_confirmations", "resupply_schedules", "resupply_shipments", "resupply_windows"}
	if !slices.Equal(tables, want) {
		t.Errorf("tables = %v, want %v", tables, want)
	}
}
