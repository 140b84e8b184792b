package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/platform/usecase/usecasetest"
	"github.com/ariesone/ariesone/services/serials/internal/app"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
	"github.com/ariesone/ariesone/services/serials/migrations"
)

// TestRecallOverManyUnits loads 200,000 units (2,000 lots of 100, a third
// of them rented to patients) and shows that a recall by lot is answered
// from the lot index, names exactly the lot's units and their patients,
// and that a recalled unit can no longer be rented.
func TestRecallOverManyUnits(t *testing.T) {
	t.Parallel()
	db := pgtest.NewServiceSchema(t, "serials", migrations.FS)
	s := New(db.App)
	company, item, wh := uuid.NewString(), uuid.NewString(), uuid.NewString()
	ctx := usecasetest.As(company, "warehouse-user", "warehouse")
	bg := context.Background()
	for _, sql := range []string{
		`insert into items (id, company_id, code, name, manufacturer, model) values ($2, $1, 'E0601-RS', 'CPAP', 'ResMed', 'AirSense 10')`,
		`insert into units (id, company_id, item_id, serial_number, lot, status, warehouse_id, current_patient_id)
		 select gen_random_uuid(), $1, $2, 'SN' || lpad(n::text, 7, '0'), 'LOT' || lpad((n % 2000)::text, 4, '0'),
		        case when n % 3 = 0 then 'rented' else 'on_hand' end, $3,
		        case when n % 3 = 0 then gen_random_uuid() end
		 from generate_series(1, 200000) n`,
		`analyze units`, `analyze items`,
	} {
		args := []any{company, item, wh}
		if !strings.Contains(sql, "$3") {
			args = args[:2]
		}
		if strings.HasPrefix(sql, "analyze") {
			args = nil
		}
		if _, err := db.Super.Exec(bg, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}

	lot := app.RecallQuery{Lot: "LOT0042"}
	plan := explain(t, db.App, ctx, recallHoldersSQL, lot.Manufacturer, lot.Model, lot.Lot, nil, nil, 500)
	t.Logf("recall by lot over 200,000 units:\n%s", plan)
	if !strings.Contains(plan, "units_recall_lot") {
		t.Errorf("the recall by lot does not use units_recall_lot:\n%s", plan)
	}

	holders, err := s.RecallHolders(ctx, lot, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	patients := 0
	for _, h := range holders {
		if h.PatientID != "" {
			patients++
		}
	}
	if len(holders) != 100 || patients < 30 || patients > 36 {
		t.Errorf("lot recall: %d units, %d with patients; want 100 and about a third", len(holders), patients)
	}
	byModel, err := s.RecallHolders(ctx, app.RecallQuery{Manufacturer: "resmed", Model: "airsense 10", Lot: "LOT0042"}, nil, 1000)
	if err != nil || len(byModel) != 100 {
		t.Errorf("recall by maker, model and lot: %d units, %v", len(byModel), err)
	}
	other, err := s.RecallHolders(usecasetest.As(uuid.NewString(), "x", "warehouse"), lot, nil, 1000)
	if err != nil || len(other) != 0 {
		t.Errorf("another company sees %d of the recall's units (%v)", len(other), err)
	}

	n, err := s.SetRecalled(ctx, lot, true)
	if err != nil || n != 100 {
		t.Fatalf("SetRecalled = %d, %v; want 100", n, err)
	}
	var onHand string
	for _, h := range holders {
		if h.Status == domain.StatusOnHand {
			onHand = h.UnitID
			break
		}
	}
	// The stock rows of this bulk load were not counted; the refusal
	// comes before any stock moves.
	_, err = s.ApplyTransaction(ctx, onHand, domain.UnitTransaction{Kind: domain.TxRent, PatientID: uuid.NewString(), Time: time.Now()}, "u", nil)
	if e, ok := err.(*errs.Error); !ok || e.Reason != domain.ReasonUnitRecalled {
		t.Errorf("renting a recalled unit = %v; want UNIT_RECALLED", err)
	}
}
