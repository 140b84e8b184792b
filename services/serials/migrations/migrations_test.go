package migrations_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/services/serials/migrations"
)

const (
	companyA = "0195f3a2-0000-7000-8000-00000000000a"
	companyB = "0195f3a2-0000-7000-8000-00000000000b"
	item     = "0195f3a2-0000-7000-8000-0000000000c1"
	wh       = "0195f3a2-0000-7000-8000-0000000000d1"
	patient  = "0195f3a2-0000-7000-8000-0000000000e1"
	line     = "0195f3a2-0000-7000-8000-0000000000b1"
)

// TestEveryTenantTableIsScoped checks from the catalog that every table
// holding tenant data has row-level security forced, that the runtime role
// deletes from none, and that the transaction log is append-only for it.
func TestEveryTenantTableIsScoped(t *testing.T) {
	s := pgtest.NewServiceSchema(t, "serials", migrations.FS)
	platform := []string{"goose_db_version", "platform_db_version", "encryption_key_check", "inbox", "outbox", "idempotency_keys"}
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
		// Business records are never deleted; a manufacturer's serial rule
		// is configuration, removed by DeleteManufacturerSerialRule (and
		// audited like every call).
		if tb.Delete && name != "manufacturer_serial_rules" {
			t.Errorf("table %s: the runtime role may DELETE", name)
		}
		if name == "unit_transactions" && tb.Update {
			t.Error("the runtime role may UPDATE the transaction log")
		}
	}
	if want := []string{"items", "maintenance_records", "manufacturer_serial_rules", "stock", "unit_transactions", "units", "usage_readings"}; !slices.Equal(tables, want) {
		t.Errorf("tables = %v, want %v", tables, want)
	}
}

// TestConstraintsBackTheDomainRules inserts rows behind the service's back
// to show the database refuses what the domain refuses.
func TestConstraintsBackTheDomainRules(t *testing.T) {
	s := pgtest.NewServiceSchema(t, "serials", migrations.FS)
	ctx := context.Background()
	exec := func(sql string, args ...any) error {
		_, err := s.Super.Exec(ctx, sql, args...)
		return err
	}
	if err := exec(`insert into items (id, company_id, code, name) values ($1, $2, 'E0601-RS', 'CPAP')`, item, companyA); err != nil {
		t.Fatal(err)
	}
	unit := func(id, serial, status string, patientID any) error {
		return exec(`insert into units (id, company_id, item_id, serial_number, status, warehouse_id, current_patient_id)
			values ($1, $2, $3, $4, $5, $6, $7)`, id, companyA, item, serial, status, wh, patientID)
	}
	if err := unit("0195f3a2-0000-7000-8000-0000000000f1", "J3X0012345", "on_hand", nil); err != nil {
		t.Fatal(err)
	}
	refused := []struct {
		name string
		err  error
	}{
		{"the same serial twice for an item", unit("0195f3a2-0000-7000-8000-0000000000f2", "J3X0012345", "on_hand", nil)},
		{"a serial not in its normalized form", unit("0195f3a2-0000-7000-8000-0000000000f3", "j3x 001", "on_hand", nil)},
		{"a rented unit without its patient", unit("0195f3a2-0000-7000-8000-0000000000f4", "J3X0012346", "rented", nil)},
		{"a unit on hand with a patient", unit("0195f3a2-0000-7000-8000-0000000000f5", "J3X0012347", "on_hand", patient)},
		{"an unknown status", unit("0195f3a2-0000-7000-8000-0000000000f6", "J3X0012348", "borrowed", nil)},
		{"a unit of another company's item", exec(`insert into units (id, company_id, item_id, serial_number, status, warehouse_id)
			values ('0195f3a2-0000-7000-8000-0000000000f7', $1, $2, 'X1', 'on_hand', $3)`, companyB, item, wh)},
		{"a negative stock counter", exec(`insert into stock (company_id, warehouse_id, item_id, on_hand) values ($1, $2, $3, -1)`,
			companyA, wh, item)},
		{"a receive with a from status", exec(`insert into unit_transactions (id, company_id, unit_id, kind, from_status, to_status, to_warehouse_id)
			values ('0195f3a2-0000-7000-8000-0000000000a9', $1, '0195f3a2-0000-7000-8000-0000000000f1', 'receive', 'on_hand', 'on_hand', $2)`,
			companyA, wh)},
		{"a unit on hand under an order line", exec(`update units set order_line_id = $1 where id = '0195f3a2-0000-7000-8000-0000000000f1'`, line)},
		{"a transaction note over 500 characters", exec(`insert into unit_transactions (id, company_id, unit_id, kind, to_status, to_warehouse_id, note)
			values ('0195f3a2-0000-7000-8000-0000000000aa', $1, '0195f3a2-0000-7000-8000-0000000000f1', 'receive', 'on_hand', $2, repeat('x', 501))`,
			companyA, wh)},
	}
	for _, r := range refused {
		if r.err == nil {
			t.Errorf("%s: accepted", r.name)
		}
	}

	// One unit reserved for an order line; a second for the same line is
	// refused, one for another line is not.
	reserve := func(id, orderLine string) error {
		return exec(`update units set status = 'reserved', order_line_id = $2 where id = $1`, id, orderLine)
	}
	for _, id := range []string{"0195f3a2-0000-7000-8000-0000000000f8", "0195f3a2-0000-7000-8000-0000000000f9"} {
		if err := unit(id, "J3X"+strings.ToUpper(id[len(id)-2:]), "on_hand", nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := reserve("0195f3a2-0000-7000-8000-0000000000f1", line); err != nil {
		t.Fatal(err)
	}
	if err := reserve("0195f3a2-0000-7000-8000-0000000000f8", line); err == nil {
		t.Error("a second unit reserved for one order line: accepted")
	}
	if err := reserve("0195f3a2-0000-7000-8000-0000000000f9", "0195f3a2-0000-7000-8000-0000000000b2"); err != nil {
		t.Errorf("a unit reserved for another order line: %v", err)
	}
}
