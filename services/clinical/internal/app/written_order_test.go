package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/page/pagetest"
	"github.com/ariesone/ariesone/platform/usecase/usecasetest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// clinicAt is the clinical application on a fresh schema whose clock reads
// *now, judging "today" in zone.
func clinicAt(t *testing.T, now *time.Time, zone *time.Location) *app.Application {
	t.Helper()
	db, s, ring := clinicaltest.NewStore(t)
	return app.NewApplication(app.Deps{
		Store: s, Keyring: ring, Pages: pagetest.Sealer(t, ring), UnitOfWork: db.App, Events: usecasetest.Recorder(t),
		Now: func() time.Time { return *now }, Zone: zone,
	})
}

// intakeCaller is a caller of a fresh company.
func intakeCaller() context.Context {
	return identity.NewContext(context.Background(), identity.Principal{Subject: uuid.NewString(), CompanyID: uuid.NewString()})
}

func civilDay(s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// orderParties registers a patient and a prescriber through the use cases.
func orderParties(t *testing.T, a *app.Application, ctx context.Context) (patientID, prescriberID string) {
	t.Helper()
	p, err := a.Patients.Create(ctx, app.CreatePatient{Values: domain.PatientValues{
		FirstName: "Ruth", LastName: "Okafor", BirthDate: civilDay("1948-03-14"), Sex: domain.SexFemale,
		HomeAddress: contact.Address{Line1: "1 Main St", City: "Atlanta", State: "GA", PostalCode: "30308"},
		BranchID:    uuid.NewString(),
	}})
	if err != nil {
		t.Fatal(err)
	}
	rx, err := a.Prescribers.Create(ctx, app.CreatePrescriber{Values: domain.PrescriberValues{
		NPI: "1234567893", FirstName: "Ada", LastName: "Lovelace"}})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID, rx.ID
}

// TestSignedOrderReadsExpiredOnceItsLengthOfNeedRunsOut drives the clock
// past an order's expiry date: it reads signed through the expiry date,
// in the service's zone, and expired from the day after, in Get and in
// the listing's status filter.
func TestSignedOrderReadsExpiredOnceItsLengthOfNeedRunsOut(t *testing.T) {
	t.Parallel()
	atlanta, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, time.January, 20, 15, 0, 0, 0, atlanta)
	a := clinicAt(t, &now, atlanta)
	ctx := intakeCaller()
	patientID, prescriberID := orderParties(t, a, ctx)
	created, err := a.WrittenOrders.Create(ctx, app.CreateWrittenOrder{Values: domain.WrittenOrderValues{
		PatientID: patientID, PrescriberID: prescriberID, OrderDate: civilDay("2025-01-15"), LengthOfNeedMonths: 3,
		Items:     []domain.WrittenOrderItem{{HCPCS: "E0601", Description: "CPAP device", Quantity: 1}},
		Diagnoses: []string{"G47.33"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// Signing today is allowed, tomorrow is not.
	_, err = a.WrittenOrders.Sign(ctx, app.SignWrittenOrder{ID: created.ID, SignatureDate: civilDay("2025-01-21")})
	errstest.Check(t, err, false, errs.KindFailedPrecondition, domain.ReasonWrittenOrderIncomplete)
	if got := errstest.PreconditionTypes(t, err); len(got) != 1 || got[0] != domain.UnmetSignatureDateInFuture {
		t.Errorf("precondition types = %v", got)
	}
	signed, err := a.WrittenOrders.Sign(ctx, app.SignWrittenOrder{ID: created.ID, SignatureDate: civilDay("2025-01-20")})
	if err != nil {
		t.Fatal(err)
	}
	if signed.ExpireDate() != civilDay("2025-04-15") {
		t.Fatalf("expire date = %s", signed.ExpireDate())
	}

	tests := []struct {
		at   time.Time
		want domain.WrittenOrderStatus
	}{
		{time.Date(2025, time.April, 15, 23, 59, 0, 0, atlanta), domain.WrittenOrderSigned},
		// Already April 16 in UTC, still April 15 in the service's zone.
		{time.Date(2025, time.April, 16, 3, 0, 0, 0, time.UTC), domain.WrittenOrderSigned},
		{time.Date(2025, time.April, 16, 0, 0, 0, 0, atlanta), domain.WrittenOrderExpired},
		{time.Date(2026, time.January, 1, 12, 0, 0, 0, atlanta), domain.WrittenOrderExpired},
	}
	for _, tt := range tests {
		now = tt.at
		got, err := a.WrittenOrders.Get(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tt.want {
			t.Errorf("at %s: status %s, want %s", tt.at, got.Status, tt.want)
		}
		for _, filter := range []domain.WrittenOrderStatus{domain.WrittenOrderSigned, domain.WrittenOrderExpired} {
			page, err := a.WrittenOrders.List(ctx, app.ListWrittenOrders{Status: filter})
			if err != nil {
				t.Fatal(err)
			}
			if listed := len(page.Items) == 1; listed != (filter == tt.want) {
				t.Errorf("at %s: listed as %s: %v", tt.at, filter, listed)
			}
		}
	}

	// Expired is never stored: an expired order is revoked as the signed
	// order it is.
	revoked, err := a.WrittenOrders.Revoke(ctx, app.RevokeWrittenOrder{ID: created.ID, Reason: "need ended"})
	if err != nil || revoked.Status != domain.WrittenOrderRevoked {
		t.Errorf("Revoke = %+v, %v", revoked, err)
	}
}

func TestWrittenOrderCommandsRefuseBadIDsAndMissingCallers(t *testing.T) {
	t.Parallel()
	now := time.Now()
	a := clinicAt(t, &now, nil)
	ctx := intakeCaller()
	tests := []struct {
		name  string
		run   func(context.Context) error
		field string
	}{
		{"get", func(ctx context.Context) error { _, err := a.WrittenOrders.Get(ctx, "x"); return err }, "id"},
		{"update", func(ctx context.Context) error {
			_, err := a.WrittenOrders.Update(ctx, app.UpdateWrittenOrder{ID: "x"})
			return err
		}, "writtenOrder.id"},
		{"sign", func(ctx context.Context) error {
			_, err := a.WrittenOrders.Sign(ctx, app.SignWrittenOrder{ID: "x"})
			return err
		}, "id"},
		{"revoke", func(ctx context.Context) error {
			_, err := a.WrittenOrders.Revoke(ctx, app.RevokeWrittenOrder{ID: "x", Reason: "r"})
			return err
		}, "id"},
		{"list", func(ctx context.Context) error {
			_, err := a.WrittenOrders.List(ctx, app.ListWrittenOrders{PatientID: "x"})
			return err
		}, "patientId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(ctx)
			errstest.Check(t, err, false, errs.KindInvalid, "")
			if got := errstest.Fields(t, err); len(got) != 1 || got[0] != tt.field {
				t.Errorf("fields = %v, want [%s]", got, tt.field)
			}
			errstest.Check(t, tt.run(context.Background()), false, errs.KindUnauthenticated, "")
		})
	}
}
