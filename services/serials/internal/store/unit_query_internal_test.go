package store

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/platform/usecase/usecasetest"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/migrations"
)

// TestListUnitsByPatientUsesItsIndex loads 100,000 units, a third of them
// with patients, and shows that ListUnits by patient is answered from
// units_patient rather than a scan.
func TestListUnitsByPatientUsesItsIndex(t *testing.T) {
	t.Parallel()
	db := pgtest.NewServiceSchema(t, "serials", migrations.FS)
	company, item, wh, patient := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	bg := context.Background()
	for _, step := range []struct {
		sql  string
		args []any
	}{
		{`insert into items (id, company_id, code, name) values ($2, $1, 'E0601-RS', 'CPAP')`, []any{company, item}},
		{`insert into units (id, company_id, item_id, serial_number, status, warehouse_id, current_patient_id)
		  select gen_random_uuid(), $1, $2, 'SN' || lpad(n::text, 7, '0'),
		         case when n % 3 = 0 then 'rented' else 'on_hand' end, $3,
		         case when n % 3 = 0 then (case when n % 999 = 0 then $4::uuid else gen_random_uuid() end) end
		  from generate_series(1, 100000) n`, []any{company, item, wh, patient}},
		{`analyze units`, nil},
	} {
		if _, err := db.Super.Exec(bg, step.sql, step.args...); err != nil {
			t.Fatalf("%s: %v", step.sql, err)
		}
	}
	ctx := usecasetest.As(company, "auditor", "auditor")
	plan := explain(t, db.App, ctx, listUnitsSQL, "", "", "", patient, nil, nil, 51)
	t.Logf("units of one patient among 100,000:\n%s", plan)
	if !strings.Contains(plan, "units_patient") {
		t.Errorf("ListUnits by patient does not use units_patient:\n%s", plan)
	}
	units, err := New(db.App).ListUnits(ctx, app.UnitQuery{PatientID: patient, Limit: 500})
	if err != nil || len(units) != 100 {
		t.Errorf("the patient's units: %d, %v; want 100", len(units), err)
	}
}

// explain returns the plan of sql with args, as the caller of ctx runs it.
func explain(t *testing.T, db *postgres.DB, ctx context.Context, sql string, args ...any) string {
	t.Helper()
	var plan []string
	err := db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "explain "+sql, args...)
		if err != nil {
			return err
		}
		plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}
