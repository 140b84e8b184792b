package domain_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// claimSummary is one month as the tables write it: "3 2026-03-31 RR,KI 10000/10000",
// or "37 2029-01-31 -" for a month without a claim.
func claimSummary(m domain.MonthCharge) string {
	if !m.Claim {
		return fmt.Sprintf("%d %s -", m.Period.Month, m.Period.From)
	}
	return fmt.Sprintf("%d %s %s %d/%d", m.Period.Month, m.Period.From, strings.Join(m.Modifiers, ","), m.Charge.Cents, m.Expected.Cents)
}

func rental(t testing.TB, typ domain.LineType, dos string) domain.RentalLine {
	return domain.RentalLine{Type: typ, DateOfService: date(t, dos), Quantity: 1,
		Billable: domain.Money{Cents: 12000, Currency: "USD"}, Allowable: domain.Money{Cents: 10001, Currency: "USD"}}
}

func TestBillRentalCappedFromJanuary31(t *testing.T) {
	r := rental(t, domain.LineCappedRental, "2026-01-31")
	got := domain.BillRental(r, date(t, "2027-02-27"))
	want := []string{
		"1 2026-01-31 RR,KH 12000/10001",
		"2 2026-02-28 RR,KI 12000/10001",
		"3 2026-03-31 RR,KI 12000/10001",
		"4 2026-04-30 RR,KJ 12000/7501",
		"5 2026-05-31 RR,KJ 12000/7501",
		"6 2026-06-30 RR,KJ 12000/7501",
		"7 2026-07-31 RR,KJ 12000/7501",
		"8 2026-08-31 RR,KJ 12000/7501",
		"9 2026-09-30 RR,KJ 12000/7501",
		"10 2026-10-31 RR,KJ 12000/7501",
		"11 2026-11-30 RR,KJ 12000/7501",
		"12 2026-12-31 RR,KJ 12000/7501",
		"13 2027-01-31 RR,KJ 12000/7501",
	}
	if diff := cmp.Diff(want, mapSummaries(got.Months)); diff != "" {
		t.Fatalf("months (-want +got):\n%s", diff)
	}
	if got.Close != nil || got.NextDue != date(t, "2027-02-28") || got.Decided != 13 {
		t.Fatalf("after month 13: close %v, next due %v, decided %d; want none, 2027-02-28, 13", got.Close, got.NextDue, got.Decided)
	}
	if got.Months[12].Period.Through != date(t, "2027-02-27") {
		t.Errorf("month 13 through %v, want 2027-02-27", got.Months[12].Period.Through)
	}
	r.Decided = got.Decided
	closed := domain.BillRental(r, date(t, "2027-02-28"))
	if len(closed.Months) != 0 || closed.Close == nil || closed.Close.Reason != domain.CloseCappedRentalPaid ||
		closed.Close.On != date(t, "2027-02-28") || !closed.Close.Reason.TitleToPatient() || !closed.NextDue.IsZero() {
		t.Fatalf("the day month 14 would start: %+v, close %+v; want no claim, title to the patient on 2027-02-28", closed, closed.Close)
	}
	if later := domain.BillRental(r, date(t, "2030-01-01")); len(later.Months) != 0 || later.Close == nil {
		t.Fatalf("years later: %+v; want no claim, closed", later)
	}
}

func mapSummaries(ms []domain.MonthCharge) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = claimSummary(m)
	}
	return out
}

func TestBillRentalByType(t *testing.T) {
	tests := []struct {
		name    string
		typ     domain.LineType
		dos     string
		prior   int
		decided int
		pickup  string
		asOf    string
		mods    []string
		qty     int32
		// claims counts the months with a claim, first and last the
		// summaries of the first and last month decided.
		claims, decided2 int
		first, last      string
		close            domain.RentalCloseReason
		closeOn, nextDue string
	}{
		{name: "capped, before delivery", typ: domain.LineCappedRental, dos: "2026-03-15", asOf: "2026-03-14", nextDue: "2026-03-15"},
		{name: "capped, on the date of service", typ: domain.LineCappedRental, dos: "2026-03-15", asOf: "2026-03-15",
			claims: 1, decided2: 1, first: "1 2026-03-15 RR,KH 12000/10001", last: "1 2026-03-15 RR,KH 12000/10001", nextDue: "2026-04-15"},
		{name: "capped, the day before month 2", typ: domain.LineCappedRental, dos: "2026-03-15", asOf: "2026-04-14",
			claims: 1, decided2: 1, first: "1 2026-03-15 RR,KH 12000/10001", last: "1 2026-03-15 RR,KH 12000/10001", nextDue: "2026-04-15"},
		{name: "capped, month 3 then month 4 at the reduced rate", typ: domain.LineCappedRental, dos: "2026-03-15", decided: 2, asOf: "2026-06-15",
			claims: 2, decided2: 4, first: "3 2026-05-15 RR,KI 12000/10001", last: "4 2026-06-15 RR,KJ 12000/7501", nextDue: "2026-07-15"},
		{name: "capped, the line's own modifiers follow the rental's", typ: domain.LineCappedRental, dos: "2026-03-15", asOf: "2026-03-15",
			mods: []string{"RR", "NU", "KX", "KH", "GA", "GZ"}, claims: 1, decided2: 1,
			first: "1 2026-03-15 RR,KH,KX,GA 12000/10001", last: "1 2026-03-15 RR,KH,KX,GA 12000/10001", nextDue: "2026-04-15"},
		{name: "capped, quantity two", typ: domain.LineCappedRental, dos: "2026-03-15", decided: 3, asOf: "2026-06-15", qty: 2,
			claims: 1, decided2: 4, first: "4 2026-06-15 RR,KJ 24000/15002", last: "4 2026-06-15 RR,KJ 24000/15002", nextDue: "2026-07-15"},
		{name: "capped, continuing after 5 months elsewhere", typ: domain.LineCappedRental, dos: "2026-03-15", prior: 5, asOf: "2026-04-15",
			claims: 2, decided2: 2, first: "6 2026-03-15 RR,KJ 12000/7501", last: "7 2026-04-15 RR,KJ 12000/7501", nextDue: "2026-05-15"},
		{name: "capped, continuing after 12 months closes at the second", typ: domain.LineCappedRental, dos: "2026-03-15", prior: 12, asOf: "2026-09-01",
			claims: 1, decided2: 1, first: "13 2026-03-15 RR,KJ 12000/7501", last: "13 2026-03-15 RR,KJ 12000/7501",
			close: domain.CloseCappedRentalPaid, closeOn: "2026-04-15"},
		{name: "capped, picked up in month 5", typ: domain.LineCappedRental, dos: "2026-01-31", pickup: "2026-06-10", asOf: "2026-12-01",
			claims: 5, decided2: 5, first: "1 2026-01-31 RR,KH 12000/10001", last: "5 2026-05-31 RR,KJ 12000/7501"},
		{name: "capped, picked up on month 6's first day", typ: domain.LineCappedRental, dos: "2026-01-31", pickup: "2026-06-30", asOf: "2026-12-01",
			claims: 5, decided2: 5, first: "1 2026-01-31 RR,KH 12000/10001", last: "5 2026-05-31 RR,KJ 12000/7501"},
		{name: "capped, picked up the day after month 6 began", typ: domain.LineCappedRental, dos: "2026-01-31", pickup: "2026-07-01", asOf: "2026-12-01",
			claims: 6, decided2: 6, first: "1 2026-01-31 RR,KH 12000/10001", last: "6 2026-06-30 RR,KJ 12000/7501"},
		{name: "capped, picked up on the date of service bills month 1", typ: domain.LineCappedRental, dos: "2026-01-31", pickup: "2026-01-31", asOf: "2026-12-01",
			claims: 1, decided2: 1, first: "1 2026-01-31 RR,KH 12000/10001", last: "1 2026-01-31 RR,KH 12000/10001"},
		{name: "capped, picked up and run before the pickup's month ends", typ: domain.LineCappedRental, dos: "2026-01-31", pickup: "2026-06-10", asOf: "2026-04-01",
			claims: 3, decided2: 3, first: "1 2026-01-31 RR,KH 12000/10001", last: "3 2026-03-31 RR,KI 12000/10001", nextDue: "2026-04-30"},
		{name: "rent to purchase converts at month 10", typ: domain.LineRentToPurchase, dos: "2026-01-31", asOf: "2027-06-01",
			claims: 10, decided2: 10, first: "1 2026-01-31 RR 12000/10001", last: "10 2026-10-31 RR 12000/10001",
			close: domain.ClosePurchased, closeOn: "2026-10-31"},
		{name: "rent to purchase, the day before month 10", typ: domain.LineRentToPurchase, dos: "2026-01-31", asOf: "2026-10-30",
			claims: 9, decided2: 9, first: "1 2026-01-31 RR 12000/10001", last: "9 2026-09-30 RR 12000/10001", nextDue: "2026-10-31"},
		{name: "oxygen pays 36 months", typ: domain.LineOxygenRental, dos: "2026-01-31", asOf: "2029-01-30",
			claims: 36, decided2: 36, first: "1 2026-01-31 RR 12000/10001", last: "36 2028-12-31 RR 12000/10001", nextDue: "2029-01-31"},
		{name: "oxygen months 37 to 60 bill nothing", typ: domain.LineOxygenRental, dos: "2026-01-31", decided: 36, asOf: "2031-01-30",
			decided2: 60, first: "37 2029-01-31 -", last: "60 2030-12-31 -", nextDue: "2031-01-31"},
		{name: "oxygen closes when month 61 would start", typ: domain.LineOxygenRental, dos: "2026-01-31", decided: 60, asOf: "2031-01-31",
			decided2: 60, close: domain.CloseUsefulLifetimeEnded, closeOn: "2031-01-31"},
		{name: "oxygen with a flow-rate modifier", typ: domain.LineOxygenRental, dos: "2026-01-31", asOf: "2026-01-31", mods: []string{"QG"},
			claims: 1, decided2: 1, first: "1 2026-01-31 RR,QG 12000/10001", last: "1 2026-01-31 RR,QG 12000/10001", nextDue: "2026-02-28"},
		{name: "monthly rental has no cap", typ: domain.LineMonthlyRental, dos: "2026-01-31", asOf: "2031-01-31",
			claims: 61, decided2: 61, first: "1 2026-01-31 RR 12000/10001", last: "61 2031-01-31 RR 12000/10001", nextDue: "2031-02-28"},
		{name: "monthly rental until pickup", typ: domain.LineMonthlyRental, dos: "2026-01-31", pickup: "2026-03-01", asOf: "2031-01-31",
			claims: 2, decided2: 2, first: "1 2026-01-31 RR 12000/10001", last: "2 2026-02-28 RR 12000/10001"},
		{name: "a sale line is not a rental", typ: domain.LineOneTimeSale, dos: "2026-01-31", asOf: "2031-01-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rental(t, tt.typ, tt.dos)
			r.PriorMonths, r.Decided, r.Modifiers = tt.prior, tt.decided, tt.mods
			if tt.qty > 0 {
				r.Quantity = tt.qty
			}
			if tt.pickup != "" {
				r.PickupDate = date(t, tt.pickup)
			}
			got := domain.BillRental(r, date(t, tt.asOf))
			var claims int
			for _, m := range got.Months {
				if m.Claim {
					claims++
				}
			}
			if claims != tt.claims || got.Decided != tt.decided2 && tt.typ.Rental() {
				t.Errorf("%d claims, decided %d; want %d, %d", claims, got.Decided, tt.claims, tt.decided2)
			}
			if len(got.Months) > 0 {
				if s := claimSummary(got.Months[0]); s != tt.first {
					t.Errorf("first month %q, want %q", s, tt.first)
				}
				if s := claimSummary(got.Months[len(got.Months)-1]); s != tt.last {
					t.Errorf("last month %q, want %q", s, tt.last)
				}
			} else if tt.first != "" {
				t.Errorf("no month decided, want first %q", tt.first)
			}
			switch {
			case tt.close == "" && got.Close != nil:
				t.Errorf("closed %+v, want open", got.Close)
			case tt.close != "" && (got.Close == nil || got.Close.Reason != tt.close || got.Close.On.String() != tt.closeOn):
				t.Errorf("close %+v, want %s on %s", got.Close, tt.close, tt.closeOn)
			}
			if want := tt.nextDue; got.NextDue.String() != want && !(want == "" && got.NextDue.IsZero()) {
				t.Errorf("next due %v, want %q", got.NextDue, want)
			}
		})
	}
}

func TestContinuesRental(t *testing.T) {
	pickup := "2026-05-10"
	tests := []struct {
		reason     domain.PickupReason
		redelivery string
		want       bool
	}{
		{domain.PickupEndOfNeed, "2026-07-08", true},  // 59 days
		{domain.PickupEndOfNeed, "2026-07-09", true},  // 60 days: not more than 60
		{domain.PickupEndOfNeed, "2026-07-10", false}, // 61 days: a new period
		{domain.PickupHospice, "2026-07-08", true},
		{domain.PickupExchange, "2026-05-10", true},
		{domain.PickupEndOfNeed, "2026-05-09", false}, // before the pickup
		{domain.PickupDeath, "2026-05-20", false},
		{domain.PickupSwitchedSupplier, "2026-05-20", false},
		{domain.PickupUnpaid, "2026-05-20", false},
		{domain.PickupOther, "2026-05-20", false},
	}
	for _, tt := range tests {
		if got := domain.ContinuesRental(tt.reason, date(t, pickup), date(t, tt.redelivery)); got != tt.want {
			t.Errorf("ContinuesRental(%s, %s, %s) = %v, want %v (break of %d days)", tt.reason, pickup, tt.redelivery, got, tt.want,
				date(t, pickup).DaysUntil(date(t, tt.redelivery)))
		}
	}
}

// FuzzBillRentalInSteps checks that billing a rental run by run, on any
// sequence of days, decides exactly what one run on the last day decides,
// and that every month's period follows the day-by-day anniversaries.
func FuzzBillRentalInSteps(f *testing.F) {
	f.Add(uint8(0), uint16(30), uint16(400), uint8(0), uint16(0), uint8(13), uint8(29))
	f.Add(uint8(2), uint16(0), uint16(1900), uint8(3), uint16(150), uint8(40), uint8(1))
	f.Add(uint8(1), uint16(58), uint16(2000), uint8(0), uint16(0), uint8(31), uint8(31))
	types := []domain.LineType{domain.LineCappedRental, domain.LineRentToPurchase, domain.LineOxygenRental, domain.LineMonthlyRental}
	f.Fuzz(func(t *testing.T, typ uint8, dosOffset, span uint16, prior uint8, pickupAfter uint16, step1, step2 uint8) {
		dos := civil.Date{Year: 2024, Month: 1, Day: 1}.AddDays(int(dosOffset) % 1500)
		r := domain.RentalLine{Type: types[int(typ)%len(types)], DateOfService: dos, PriorMonths: int(prior) % 20, Quantity: 1,
			Billable: domain.Money{Cents: 5000}, Allowable: domain.Money{Cents: 4001}}
		if pickupAfter > 0 {
			r.PickupDate = dos.AddDays(int(pickupAfter) % 2500)
		}
		end := dos.AddDays(int(span) % 2500)
		once := domain.BillRental(r, end)

		var steps []domain.MonthCharge
		var closed *domain.RentalClose
		day := dos.AddDays(-3)
		for i := 0; !day.After(end); i++ {
			got := domain.BillRental(r, day)
			steps = append(steps, got.Months...)
			if got.Close != nil && closed == nil {
				closed = got.Close
			}
			r.Decided = got.Decided
			if got.NextDue.IsZero() && got.Close == nil && len(got.Months) == 0 && r.Decided > 0 {
				break
			}
			stride := int(step1)
			if i%2 == 1 {
				stride = int(step2)
			}
			day = day.AddDays(1 + stride%45)
		}
		last := domain.BillRental(r, end)
		steps = append(steps, last.Months...)
		r.Decided = last.Decided
		if closed == nil {
			closed = last.Close
		}
		if diff := cmp.Diff(mapSummaries(once.Months), mapSummaries(steps)); diff != "" {
			t.Fatalf("run by run differs from one run (-once +steps):\n%s", diff)
		}
		if r.Decided != once.Decided {
			t.Fatalf("decided %d by steps, %d at once", r.Decided, once.Decided)
		}
		if (once.Close == nil) != (closed == nil) || once.Close != nil && *once.Close != *closed {
			t.Fatalf("close at once %+v, by steps %+v", once.Close, closed)
		}
		// Each month starts the day after the previous one ends, and no
		// month starts on or after the pickup (save month 1).
		for i, m := range once.Months {
			if i > 0 && m.Period.From != once.Months[i-1].Period.Through.AddDays(1) {
				t.Fatalf("month %d starts %v, month %d ends %v", m.Period.Month, m.Period.From, once.Months[i-1].Period.Month, once.Months[i-1].Period.Through)
			}
			if !r.PickupDate.IsZero() && m.Period.Month > r.PriorMonths+1 && !m.Period.From.Before(r.PickupDate) {
				t.Fatalf("month %d starts %v, on or after the pickup %v", m.Period.Month, m.Period.From, r.PickupDate)
			}
			if slices.Contains(m.Modifiers, "") || len(m.Modifiers) > domain.MaxModifiers {
				t.Fatalf("month %d modifiers %v", m.Period.Month, m.Modifiers)
			}
		}
	})
}

// TestNewRentalContinuesAfterABreakInNeed: a CPAP picked up in its month 5
// for end of need and delivered again 59 days later counts on from month
// 6; 61 days later it starts again at month 1, as it does after a death or
// with no earlier rental.
func TestNewRentalContinuesAfterABreakInNeed(t *testing.T) {
	o := &domain.Order{ID: "o2", CompanyID: "c", PatientID: "p", Diagnoses: []string{"G4733", "E119"}}
	line := domain.OrderLine{ID: "l2", Line: domain.Line{LineValues: domain.LineValues{HCPCS: "E0601", Quantity: 1,
		Type: domain.LineCappedRental, DiagnosisPointers: []int32{2, 1}, SerialNumber: "SN2"}}}
	previous := &domain.Rental{LineID: "l1", RentalLine: domain.RentalLine{Type: domain.LineCappedRental,
		DateOfService: date(t, "2026-01-31"), PickupDate: date(t, "2026-06-10"), Decided: 3}, PickupReason: domain.PickupEndOfNeed}
	tests := []struct {
		name       string
		previous   *domain.Rental
		reason     domain.PickupReason
		redelivery string
		prior      int
		continues  string
	}{
		{"59 days after", previous, domain.PickupEndOfNeed, "2026-08-08", 5, "l1"},
		{"61 days after", previous, domain.PickupEndOfNeed, "2026-08-10", 0, ""},
		{"after a death", previous, domain.PickupDeath, "2026-06-20", 0, ""},
		{"no earlier rental", nil, "", "2026-06-20", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := tt.previous
			if prev != nil {
				p := *prev
				p.PickupReason = tt.reason
				prev = &p
			}
			r := domain.NewRental(o, line, domain.ClaimParty{PatientID: "p"}, date(t, tt.redelivery), prev)
			if r.PriorMonths != tt.prior || r.ContinuesLineID != tt.continues {
				t.Errorf("prior months %d, continues %q; want %d, %q", r.PriorMonths, r.ContinuesLineID, tt.prior, tt.continues)
			}
			if !slices.Equal(r.DiagnosisCodes, []string{"E119", "G4733"}) || r.NextDue != date(t, tt.redelivery) || r.SerialNumber != "SN2" {
				t.Errorf("rental %+v; want codes by pointer, due on the redelivery, the serial", r)
			}
			first := domain.BillRental(r.RentalLine, date(t, tt.redelivery))
			if len(first.Months) != 1 || first.Months[0].Period.Month != tt.prior+1 {
				t.Errorf("first month billed %+v, want month %d", first.Months, tt.prior+1)
			}
		})
	}
}
