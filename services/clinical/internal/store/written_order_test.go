package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
	"github.com/ariesone/ariesone/services/clinical/internal/app"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
	"github.com/ariesone/ariesone/services/clinical/internal/store"
)

// tenantContext is a caller of a fresh company.
func tenantContext() (context.Context, string) {
	company := uuid.NewString()
	return identity.NewContext(context.Background(), identity.Principal{Subject: uuid.NewString(), CompanyID: company}), company
}

// insertPatient puts a minimal patient row of company behind RLS's back
// (the patient's own store is not under test here).
func insertPatient(t *testing.T, db pgtest.Schema, company string) string {
	t.Helper()
	id := uuid.NewString()
	_, err := db.Super.Exec(context.Background(), `
		insert into clinical.patients (id, company_id, account_number, first_name, last_name, birth_date, sex,
			home_line1, home_city, home_state, home_postal_code, branch_id)
		values ($1, $2, 'PT' || lpad((floor(random() * 9999999))::text, 7, '0'), 'Ruth', 'Okafor', '1948-03-14', 'female',
			'1 Main St', 'Atlanta', 'GA', '30308', $3)`, id, company, uuid.NewString())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func newPrescriber(t *testing.T, ctx context.Context, s *store.Store, company, npi string) *domain.Prescriber {
	t.Helper()
	p, err := domain.NewPrescriber(uuid.NewString(), company, domain.PrescriberValues{NPI: npi, FirstName: "Ada", LastName: "Lovelace"},
		time.Now().UTC().Truncate(time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	created, _, err := s.CreatePrescriber(ctx, p, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return created
}

func day(s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func newOrder(t *testing.T, company, patientID, prescriberID string, orderDate civil.Date, months int) *domain.WrittenOrder {
	t.Helper()
	o, err := domain.NewWrittenOrder(uuid.Must(uuid.NewV7()).String(), company, domain.WrittenOrderValues{
		PatientID: patientID, PrescriberID: prescriberID, OrderDate: orderDate, LengthOfNeedMonths: months,
		Items: []domain.WrittenOrderItem{
			{HCPCS: "E0601", Description: "CPAP device", Quantity: 1},
			{HCPCS: "E1399", Description: "Chin strap", Quantity: 1},
			{HCPCS: "E1399", Description: "Hose cleaner", Quantity: 2},
		},
		Diagnoses: []string{"G4733"},
	}, time.Now().UTC().Truncate(time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestWrittenOrderRoundTripAndTenancy(t *testing.T) {
	t.Parallel()
	db, s, _ := clinicaltest.NewStore(t)
	ctx, company := tenantContext()
	patientID := insertPatient(t, db, company)
	rx := newPrescriber(t, ctx, s, company, "1234567893")
	o := newOrder(t, company, patientID, rx.ID, day("2025-01-15"), 12)
	o.FaceToFaceDate = day("2024-12-01")

	created, replayed, err := s.CreateWrittenOrder(ctx, o, "", nil)
	if err != nil || replayed {
		t.Fatalf("CreateWrittenOrder = %v, %v", replayed, err)
	}
	got, err := s.GetWrittenOrder(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(created, got); diff != "" {
		t.Errorf("read back (-created +read):\n%s", diff)
	}
	var codes []string
	if err := db.Super.QueryRow(context.Background(), `select hcpcs_codes from clinical.written_orders where id = $1`, o.ID).Scan(&codes); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"E0601", "E1399"}, codes); diff != "" {
		t.Errorf("hcpcs_codes (-want +got):\n%s", diff)
	}
	orders, err := s.PatientWrittenOrders(ctx, patientID)
	if err != nil || len(orders) != 1 || orders[0].ID != o.ID {
		t.Errorf("PatientWrittenOrders = %v, %v", orders, err)
	}

	// A change whose function fails writes nothing.
	boom := errors.New("boom")
	if _, err := s.UpdateWrittenOrder(ctx, o.ID, func(o *domain.WrittenOrder) error {
		o.Diagnoses = []string{"I10"}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("UpdateWrittenOrder = %v, want boom", err)
	}
	if got, _ := s.GetWrittenOrder(ctx, o.ID); got.Version != 1 || got.Diagnoses[0] != "G4733" {
		t.Errorf("after a failed change: %+v", got)
	}

	// Another company sees nothing of it.
	other, _ := tenantContext()
	_, err = s.GetWrittenOrder(other, o.ID)
	errstest.Check(t, err, false, errs.KindNotFound, "")
	if orders, err := s.PatientWrittenOrders(other, patientID); err != nil || len(orders) != 0 {
		t.Errorf("other company's PatientWrittenOrders = %v, %v", orders, err)
	}
	_, err = s.UpdateWrittenOrder(other, o.ID, func(*domain.WrittenOrder) error { return nil })
	errstest.Check(t, err, false, errs.KindNotFound, "")
	if list, err := s.ListWrittenOrders(other, app.WrittenOrderQuery{Today: day("2025-02-01"), Limit: 10}); err != nil || len(list) != 0 {
		t.Errorf("other company's ListWrittenOrders = %v, %v", list, err)
	}
}

func TestCreateWrittenOrderChecksItsPatientAndPrescriber(t *testing.T) {
	t.Parallel()
	db, s, _ := clinicaltest.NewStore(t)
	ctx, company := tenantContext()
	patientID := insertPatient(t, db, company)
	rx := newPrescriber(t, ctx, s, company, "1234567893")
	otherCtx, otherCompany := tenantContext()
	otherPatient := insertPatient(t, db, otherCompany)
	otherRx := newPrescriber(t, otherCtx, s, otherCompany, "1234567893")

	_, _, err := s.CreateWrittenOrder(ctx, newOrder(t, company, otherPatient, rx.ID, day("2025-01-15"), 12), "", nil)
	errstest.Check(t, err, false, errs.KindNotFound, "")
	_, _, err = s.CreateWrittenOrder(ctx, newOrder(t, company, patientID, otherRx.ID, day("2025-01-15"), 12), "", nil)
	errstest.Check(t, err, false, errs.KindNotFound, "")

	if _, err := s.UpdatePrescriber(ctx, rx.ID, func(p *domain.Prescriber) error { p.Active = false; return nil }); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.CreateWrittenOrder(ctx, newOrder(t, company, patientID, rx.ID, day("2025-01-15"), 12), "", nil)
	errstest.Check(t, err, false, errs.KindFailedPrecondition, app.ReasonPrescriberInactive)

	// An order already naming the prescriber keeps it; renaming to an
	// inactive one is refused.
	active := newPrescriber(t, ctx, s, company, "1987654328")
	o := newOrder(t, company, patientID, active.ID, day("2025-01-15"), 12)
	if _, _, err := s.CreateWrittenOrder(ctx, o, "", nil); err != nil {
		t.Fatal(err)
	}
	_, err = s.UpdateWrittenOrder(ctx, o.ID, func(o *domain.WrittenOrder) error { o.PrescriberID = rx.ID; return nil })
	errstest.Check(t, err, false, errs.KindFailedPrecondition, app.ReasonPrescriberInactive)
	if _, err := s.UpdateWrittenOrder(ctx, o.ID, func(o *domain.WrittenOrder) error { o.LengthOfNeedMonths = 6; return nil }); err != nil {
		t.Errorf("update keeping an active prescriber: %v", err)
	}
}

// TestWrittenOrderExpiryInSQLMatchesTheDomain checks that the listing's
// status filter, computed in SQL, reads every order as
// domain.WrittenOrder.EffectiveStatus does, month ends included.
func TestWrittenOrderExpiryInSQLMatchesTheDomain(t *testing.T) {
	t.Parallel()
	db, s, _ := clinicaltest.NewStore(t)
	ctx, company := tenantContext()
	patientID := insertPatient(t, db, company)
	rx := newPrescriber(t, ctx, s, company, "1234567893")
	cases := []struct {
		orderDate string
		months    int
	}{
		{"2024-01-31", 1}, // expires 2024-02-29 (leap year)
		{"2025-01-31", 1}, // 2025-02-28
		{"2023-08-31", 6}, // 2024-02-29
		{"2024-03-15", 12},
		{"2024-03-15", 98},
		{"2024-03-15", domain.LifetimeLengthOfNeed},
	}
	var orders []*domain.WrittenOrder
	for _, c := range cases {
		o := newOrder(t, company, patientID, rx.ID, day(c.orderDate), c.months)
		if err := o.Sign(day(c.orderDate), day(c.orderDate), o.CreateTime); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateWrittenOrder(ctx, o, "", nil); err != nil {
			t.Fatal(err)
		}
		orders = append(orders, o)
	}
	for _, today := range []string{"2024-02-28", "2024-02-29", "2024-03-01", "2025-02-28", "2025-03-01", "2025-03-15", "2025-03-16", "2200-01-01"} {
		t.Run(today, func(t *testing.T) {
			for _, status := range []domain.WrittenOrderStatus{domain.WrittenOrderSigned, domain.WrittenOrderExpired} {
				var want []string
				for i := len(orders) - 1; i >= 0; i-- {
					if orders[i].EffectiveStatus(day(today)) == status {
						want = append(want, fmt.Sprintf("%s+%d", orders[i].OrderDate, orders[i].LengthOfNeedMonths))
					}
				}
				found, err := s.ListWrittenOrders(ctx, app.WrittenOrderQuery{Status: status, Today: day(today), Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, o := range found {
					got = append(got, fmt.Sprintf("%s+%d", o.OrderDate, o.LengthOfNeedMonths))
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s on %s (-domain +sql):\n%s", status, today, diff)
				}
			}
		})
	}
}
