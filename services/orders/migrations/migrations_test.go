package migrations_test

import (
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
	platform := []string{"goose_db_version", "platform_db_version", "encryption_key_check", "inbox"}
	deletable := []string{"order_lines", "outbox"}
	appendOnly := []string{"deliveries", "pickups", "price_lists", "resupply_confirmations", "resupply_shipments"}
	var tables []string
	for _, tb := range s.Tables(t) {
		name := tb.Name
		if slices.Contains(platform, name) {
			continue
		}
		tables = append(tables, name)
		if !tb.RowSecurity {
			t.Errorf("table %s: row-level security not enabled and forced", name)
		}
		if tb.Delete != slices.Contains(deletable, name) {
			t.Errorf("table %s: the runtime role may delete: %v", name, tb.Delete)
		}
		if tb.Update && slices.Contains(appendOnly, name) {
			t.Errorf("table %s: the runtime role may update an append-only record", name)
		}
	}
	want := []string{"claim_lines", "deliveries", "idempotency_keys", "order_lines", "orders", "outbox", "pickups", "price_lists", "prices", "rentals",
		"resupply_confirmations", "resupply_schedules", "resupply_shipments", "resupply_windows"}
	if !slices.Equal(tables, want) {
		t.Errorf("tables = %v, want %v", tables, want)
	}
}
