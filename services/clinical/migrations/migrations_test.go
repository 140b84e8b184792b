package migrations_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/services/clinical/migrations"
)

const (
	companyA = "0195f3a2-0000-7000-8000-00000000000a"
	companyB = "0195f3a2-0000-7000-8000-00000000000b"
)

// TestEveryTenantTableIsScopedAndAppendOnlyWhereItShouldBe checks the
// schema's guarantees from the catalog, so a table added later without
// them fails here: every table holding tenant data has row-level security
// forced, and the runtime role can delete from none of them (records are
// deactivated, revoked or soft-deleted, never removed).
func TestEveryTenantTableIsScopedAndAppendOnlyWhereItShouldBe(t *testing.T) {
	s := pgtest.NewServiceSchema(t, "clinical", migrations.FS)
	// Platform tables with their own rules: the migration bookkeeping, and
	// the inbox (event ids only, pruned by the runtime role).
	platform := []string{"goose_db_version", "platform_db_version", "encryption_key_check", "inbox"}
	var clinical []string
	for _, tb := range s.Tables(t) {
		name := tb.Name
		if slices.Contains(platform, name) {
			continue
		}
		clinical = append(clinical, name)
		if !tb.RowSecurity {
			t.Errorf("table %s: row-level security not enabled and forced", name)
		}
		// The relay prunes sent events.
		if tb.Delete && name != "outbox" {
			t.Errorf("table %s: the runtime role may DELETE", name)
		}
	}
	want := []string{"coverages", "eligibility_checks", "idempotency_keys", "outbox", "patient_account_counters", "patients",
		"payers", "plans", "prescribers", "written_orders"}
	if !slices.Equal(clinical, want) {
		t.Errorf("tables = %v, want %v", clinical, want)
	}
}

// TestConstraintsBackTheDomainRules inserts rows behind the service's back
// (as the superuser) to show that the database itself refuses what the
// domain refuses: a second coverage at a taken rank, a coverage pointing at
// another company's patient, a signed order missing what signing requires.
func TestConstraintsBackTheDomainRules(t *testing.T) {
	s := pgtest.NewServiceSchema(t, "clinical", migrations.FS)
	ctx := context.Background()
	exec := func(sql string, args ...any) error {
		_, err := s.Super.Exec(ctx, sql, args...)
		return err
	}
	must := func(sql string, args ...any) {
		t.Helper()
		if err := exec(sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	const (
		patientA   = "0195f3a2-0000-7000-8000-0000000000a1"
		payerA     = "0195f3a2-0000-7000-8000-0000000000a2"
		planA      = "0195f3a2-0000-7000-8000-0000000000a3"
		prescriber = "0195f3a2-0000-7000-8000-0000000000a4"
	)
	must(`insert into patients (id, company_id, account_number, first_name, last_name, birth_date, sex,
		home_line1, home_city, home_state, home_postal_code, branch_id)
		values ($1, $2, 'PT0000001', 'Ada', 'Lovelace', '1950-12-10', 'female', '1 Main St', 'Atlanta', 'GA', '30301', $2)`,
		patientA, companyA)
	must(`insert into payers (id, company_id, name, payer_code, type) values ($1, $2, 'Medicare', 'MCR', 'medicare')`, payerA, companyA)
	must(`insert into plans (id, company_id, payer_id, name) values ($1, $2, $3, 'Part B')`, planA, companyA, payerA)
	must(`insert into prescribers (id, company_id, npi, first_name, last_name) values ($1, $2, '1234567893', 'Grace', 'Hopper')`,
		prescriber, companyA)

	coverage := `insert into coverages (id, company_id, patient_id, plan_id, member_id_ciphertext, rank, relationship, effective_date)
		values (gen_random_uuid(), $1, $2, $3, '\x01', $4, 'self', '2026-01-01')`
	must(coverage, companyA, patientA, planA, 1)
	for _, c := range []struct {
		name string
		err  error
	}{
		{"a second coverage at rank 1", exec(coverage, companyA, patientA, planA, 1)},
		{"rank 5", exec(coverage, companyA, patientA, planA, 5)},
		{"company B's coverage of company A's patient", exec(coverage, companyB, patientA, planA, 2)},
		{"a signed order without signature date, items or diagnoses", exec(`insert into written_orders
			(id, company_id, patient_id, prescriber_id, order_date, status) values (gen_random_uuid(), $1, $2, $3, '2026-01-01', 'signed')`,
			companyA, patientA, prescriber)},
		{"a second prescriber with the same NPI", exec(`insert into prescribers (id, company_id, npi, first_name, last_name)
			values (gen_random_uuid(), $1, '1234567893', 'Other', 'Person')`, companyA)},
	} {
		if c.err == nil {
			t.Errorf("%s: accepted, want a constraint violation", c.name)
		}
	}
	// The same NPI in another company is another prescriber record.
	must(`insert into prescribers (id, company_id, npi, first_name, last_name) values (gen_random_uuid(), $1, '1234567893', 'Grace', 'Hopper')`, companyB)
}
