package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/usecase/usecasetest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
	"github.com/ariesone/ariesone/services/clinical/internal/store"
)

// txSpy is the store, noting the transaction each read a readiness check
// makes runs in.
type txSpy struct {
	*store.Store
	txs        []pgx.Tx
	isolations []string
}

func (s *txSpy) note(ctx context.Context) {
	tx, _ := postgres.TxFromContext(ctx)
	s.txs = append(s.txs, tx)
	var isolation string
	if tx != nil {
		_ = tx.QueryRow(ctx, "show transaction_isolation").Scan(&isolation)
	}
	s.isolations = append(s.isolations, isolation)
}

func (s *txSpy) GetPatient(ctx context.Context, id string) (*domain.Patient, error) {
	s.note(ctx)
	return s.Store.GetPatient(ctx, id)
}

func (s *txSpy) PatientCoverages(ctx context.Context, patientID string) ([]domain.Coverage, error) {
	s.note(ctx)
	return s.Store.PatientCoverages(ctx, patientID)
}

func (s *txSpy) PatientWrittenOrders(ctx context.Context, patientID string) ([]domain.WrittenOrder, error) {
	s.note(ctx)
	return s.Store.PatientWrittenOrders(ctx, patientID)
}

// TestReadinessReadsOneSnapshot checks that the patient, the coverages and
// the orders a readiness check weighs are read in one transaction that sees
// one moment (REPEATABLE READ).
func TestReadinessReadsOneSnapshot(t *testing.T) {
	t.Parallel()
	db, s, ring := clinicaltest.NewStore(t)
	spy := &txSpy{Store: s}
	a := app.NewApplication(app.Deps{Store: spy, Keyring: ring, UnitOfWork: db.App, Snapshots: db.App, Events: usecasetest.Recorder(t)})
	ctx := intakeCaller()
	patientID, _ := orderParties(t, a, ctx)
	spy.txs, spy.isolations = nil, nil

	report, err := a.Readiness.Check(ctx, app.CheckReadiness{PatientID: patientID, HCPCSCodes: []string{"E0601"}, DateOfService: civil.Of(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	if len(spy.txs) != 3 || spy.txs[0] == nil || spy.txs[1] != spy.txs[0] || spy.txs[2] != spy.txs[0] {
		t.Errorf("the three reads ran in transactions %v, want one", spy.txs)
	}
	if spy.isolations[0] != "repeatable read" {
		t.Errorf("the reads ran at isolation %q, want one snapshot (repeatable read)", spy.isolations[0])
	}
	var codes []domain.RequirementCode
	for _, m := range report.Missing {
		codes = append(codes, m.Code)
	}
	if diff := cmp.Diff([]domain.RequirementCode{domain.RequirementNoPrimaryCoverage, domain.RequirementNoSignedOrder}, codes); diff != "" {
		t.Errorf("requirements (-want +got):\n%s", diff)
	}
	if report.Ready() || report.PatientID != patientID {
		t.Errorf("report = %+v", report)
	}
}

func TestCheckReadinessReportsEveryBadField(t *testing.T) {
	t.Parallel()
	now := time.Now()
	a := clinicAt(t, &now, nil)
	ctx := intakeCaller()
	tests := []struct {
		name   string
		q      app.CheckReadiness
		fields []string
	}{
		{"all at once", app.CheckReadiness{PatientID: "x", HCPCSCodes: []string{"E0601", "bad"}, DateOfService: civil.Date{Year: 2025, Month: 2, Day: 30}},
			[]string{"patientId", "hcpcsCodes[1]", "dateOfService"}},
		{"no codes, no date", app.CheckReadiness{PatientID: uuid.NewString()}, []string{"hcpcsCodes", "dateOfService"}},
		{"too many codes", app.CheckReadiness{PatientID: uuid.NewString(), HCPCSCodes: make([]string, domain.MaxReadinessCodes+1),
			DateOfService: civil.Of(now)}, []string{"hcpcsCodes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.Readiness.Check(ctx, tt.q)
			if diff := cmp.Diff(tt.fields, errstest.Fields(t, err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	_, err := a.Readiness.Check(ctx, app.CheckReadiness{PatientID: uuid.NewString(), HCPCSCodes: []string{"E0601"}, DateOfService: civil.Of(now)})
	errstest.Check(t, err, false, errs.KindNotFound, "")
	_, err = a.Readiness.Check(context.Background(), app.CheckReadiness{})
	errstest.Check(t, err, false, errs.KindUnauthenticated, "")
}
