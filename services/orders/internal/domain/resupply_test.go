package domain_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

func cushionSchedule(t testing.TB, runsOut string) *domain.ResupplySchedule {
	items, err := domain.CheckResupplyItems([]domain.ResupplyItem{
		{HCPCS: "a7031", SuppliedThrough: date(t, runsOut)},
		{HCPCS: "A7037", SuppliedThrough: date(t, runsOut)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &domain.ResupplySchedule{ID: "s", Items: items}
}

func reasonOf(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// TestShipmentWindowsAtTheDayBoundaries: the supply runs out on April 30.
// A confirmation 30 days before the shipment counts, 31 does not (on time
// and after the supply lapsed); a shipment 10 days before the supply runs
// out goes, 11 days before is too early. A confirmation made more than 30
// days before the supply runs out does not count either, nor one that does
// not name the item.
func TestShipmentWindowsAtTheDayBoundaries(t *testing.T) {
	w := domain.DefaultResupplyWindow
	tests := []struct {
		name, confirmed, ship string
		items                 []string
		want                  string
	}{
		{"confirmed 30 days before the shipment", "2026-03-31", "2026-04-30", []string{"A7031"}, ""},
		{"confirmed 31 days before the shipment", "2026-03-30", "2026-04-30", []string{"A7031"}, domain.ReasonResupplyNotConfirmed},
		{"after a lapse, confirmed 30 days before the shipment", "2026-04-20", "2026-05-20", []string{"A7031"}, ""},
		{"after a lapse, confirmed 31 days before the shipment", "2026-04-19", "2026-05-20", []string{"A7031"}, domain.ReasonResupplyNotConfirmed},
		{"confirmed 30 days before it runs out, shipped 10 before", "2026-03-31", "2026-04-20", []string{"A7031"}, ""},
		{"confirmed 31 days before it runs out", "2026-03-30", "2026-04-20", []string{"A7031"}, domain.ReasonResupplyNotConfirmed},
		{"shipped 11 days before it runs out", "2026-04-10", "2026-04-19", []string{"A7031"}, domain.ReasonResupplyTooEarly},
		{"shipped the day it runs out", "2026-04-10", "2026-04-30", []string{"A7031"}, ""},
		{"shipped after it lapsed", "2026-05-01", "2026-05-20", []string{"A7031"}, ""},
		{"confirmed after the shipment", "2026-04-25", "2026-04-24", []string{"A7031"}, domain.ReasonResupplyNotConfirmed},
		{"the confirmation does not name the tubing", "2026-04-10", "2026-04-25", []string{"A7037"}, domain.ReasonResupplyNotConfirmed},
		{"no confirmation", "", "2026-04-25", []string{"A7031"}, domain.ReasonResupplyNotConfirmed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := cushionSchedule(t, "2026-04-30")
			var c *domain.ResupplyConfirmation
			if tt.confirmed != "" {
				c = &domain.ResupplyConfirmation{ConfirmDate: date(t, tt.confirmed), Items: []domain.ConfirmedItem{{HCPCS: "A7031", Quantity: 1}}}
			}
			var shipped []domain.ShippedItem
			for _, code := range tt.items {
				shipped = append(shipped, domain.ShippedItem{HCPCS: code, Quantity: 1})
			}
			items, err := domain.CheckShipment(s, domain.ResupplyShipment{ShipDate: date(t, tt.ship), Items: shipped}, c, w, date(t, "2026-12-31"))
			if got := reasonOf(err); got != tt.want || (tt.want == "" && err != nil) {
				t.Fatalf("CheckShipment: %v (reason %q), want %q", err, got, tt.want)
			}
			if err != nil {
				return
			}
			want := "2026-05-30" // one month after April 30
			if tt.ship == "2026-05-20" {
				want = "2026-06-20" // lapsed: a month after the shipment
			}
			if got := items[0].SuppliedThrough.String(); got != want {
				t.Errorf("supplied through %s, want %s", got, want)
			}
			if items[1].SuppliedThrough != s.Items[1].SuppliedThrough {
				t.Errorf("the tubing, not shipped, moved to %v", items[1].SuppliedThrough)
			}
		})
	}
}

// TestAPayersWindow: a payer allowing contact 20 days and shipment 5 days
// before the supply runs out moves both boundaries.
func TestAPayersWindow(t *testing.T) {
	w := domain.ResupplyWindow{ContactDays: 20, ShipLeadDays: 5}
	s := cushionSchedule(t, "2026-04-30")
	confirm := func(day string) *domain.ResupplyConfirmation {
		return &domain.ResupplyConfirmation{ConfirmDate: date(t, day), Items: []domain.ConfirmedItem{{HCPCS: "A7031", Quantity: 1}}}
	}
	ship := func(day string) domain.ResupplyShipment {
		return domain.ResupplyShipment{ShipDate: date(t, day), Items: []domain.ShippedItem{{HCPCS: "A7031", Quantity: 1}}}
	}
	today := date(t, "2026-12-31")
	for _, tc := range []struct {
		confirmed, ship, want string
	}{
		{"2026-04-10", "2026-04-25", ""},
		{"2026-04-09", "2026-04-25", domain.ReasonResupplyNotConfirmed},
		{"2026-04-10", "2026-04-24", domain.ReasonResupplyTooEarly},
	} {
		_, err := domain.CheckShipment(s, ship(tc.ship), confirm(tc.confirmed), w, today)
		if got := reasonOf(err); got != tc.want {
			t.Errorf("confirmed %s, shipped %s: %v, want %q", tc.confirmed, tc.ship, err, tc.want)
		}
	}
	if s.NextContact(w) != date(t, "2026-04-10") || s.NextContact(domain.DefaultResupplyWindow) != date(t, "2026-03-31") {
		t.Errorf("next contact %v / %v", s.NextContact(w), s.NextContact(domain.DefaultResupplyWindow))
	}
}

func TestCheckResupplyItemsAndWindows(t *testing.T) {
	items, err := domain.CheckResupplyItems([]domain.ResupplyItem{{HCPCS: "a7038", SuppliedThrough: date(t, "2026-04-30")}})
	if err != nil || items[0].HCPCS != "A7038" || items[0].Quantity != 2 || items[0].IntervalMonths != 1 {
		t.Fatalf("a usual supply: %+v, %v; want A7038, 2 a month", items, err)
	}
	_, err = domain.CheckResupplyItems([]domain.ResupplyItem{
		{HCPCS: "Z9999", SuppliedThrough: date(t, "2026-04-30")},
		{HCPCS: "E0601"},
		{HCPCS: "A7031", Quantity: 100, IntervalMonths: 13, SuppliedThrough: date(t, "2026-04-30")},
		{HCPCS: "A7031", SuppliedThrough: date(t, "2026-04-30")},
	})
	wantFields(t, err, "items[0].hcpcs", "items[0].quantity", "items[0].intervalMonths", "items[1].quantity",
		"items[1].intervalMonths", "items[1].suppliedThrough", "items[2].quantity", "items[2].intervalMonths", "items[3].hcpcs")
	for _, tc := range []struct {
		w      domain.ResupplyWindow
		fields []string
	}{
		{domain.DefaultResupplyWindow, nil},
		{domain.ResupplyWindow{ContactDays: 0, ShipLeadDays: 0}, []string{"contactDays"}},
		{domain.ResupplyWindow{ContactDays: 91, ShipLeadDays: 31}, []string{"contactDays", "shipLeadDays"}},
		{domain.ResupplyWindow{ContactDays: 5, ShipLeadDays: 10}, []string{"shipLeadDays"}},
	} {
		wantFields(t, domain.CheckResupplyWindow(tc.w), tc.fields...)
	}
}

func TestCheckConfirmation(t *testing.T) {
	s := cushionSchedule(t, "2026-04-30")
	c, err := domain.CheckConfirmation(s, domain.ResupplyConfirmation{Channel: " Phone ", ConfirmDate: date(t, "2026-04-01"),
		Items: []domain.ConfirmedItem{{HCPCS: "a7031", Quantity: 1, RemainingDays: 12}}}, date(t, "2026-04-01"))
	if err != nil || c.Channel != "phone" || c.Items[0].HCPCS != "A7031" {
		t.Fatalf("a good confirmation: %+v, %v", c, err)
	}
	_, err = domain.CheckConfirmation(s, domain.ResupplyConfirmation{Channel: "fax", ConfirmDate: date(t, "2026-04-02"),
		Items: []domain.ConfirmedItem{{HCPCS: "A7034", Quantity: 1}, {HCPCS: "A7031", Quantity: 2, RemainingDays: -1}}}, date(t, "2026-04-01"))
	wantFields(t, err, "channel", "confirmDate", "items[0].hcpcs", "items[1].quantity", "items[1].remainingDays")
}

// wantFields fails unless err names exactly fields, in order (nil when
// fields is empty).
func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	if diff := cmp.Diff(fields, violatedFields(t, err), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("violated fields (-want +got):\n%s", diff)
	}
}

// FuzzShipmentWindows checks CheckShipment's refill rule against a plain
// day-by-day reading of it: walking from the confirmation to the shipment
// must take at most ContactDays steps, walking from the confirmation to
// the day the supply runs out at most ContactDays steps too (when it is
// before), and from the shipment to that day at most ShipLeadDays.
func FuzzShipmentWindows(f *testing.F) {
	f.Add(uint16(100), uint16(70), uint16(90), uint8(30), uint8(10))
	f.Add(uint16(400), uint16(369), uint16(399), uint8(30), uint8(10))
	f.Add(uint16(50), uint16(10), uint16(45), uint8(20), uint8(5))
	base := civil.Date{Year: 2026, Month: 1, Day: 1}
	f.Fuzz(func(t *testing.T, runsOutOff, confirmOff, shipOff uint16, contact, lead uint8) {
		w := domain.ResupplyWindow{ContactDays: 1 + int(contact)%90, ShipLeadDays: int(lead) % 31}
		if w.ShipLeadDays > w.ContactDays {
			w.ShipLeadDays = w.ContactDays
		}
		runsOut := base.AddDays(int(runsOutOff) % 800)
		confirmed := base.AddDays(int(confirmOff) % 800)
		ship := base.AddDays(int(shipOff) % 800)
		s := &domain.ResupplySchedule{Items: []domain.ResupplyItem{{HCPCS: "A7031", Quantity: 1, IntervalMonths: 1, SuppliedThrough: runsOut}}}
		c := &domain.ResupplyConfirmation{ConfirmDate: confirmed, Items: []domain.ConfirmedItem{{HCPCS: "A7031", Quantity: 1}}}
		_, err := domain.CheckShipment(s, domain.ResupplyShipment{ShipDate: ship, Items: []domain.ShippedItem{{HCPCS: "A7031", Quantity: 1}}},
			c, w, base.AddDays(900))

		steps := func(from, to civil.Date) (n int, reached bool) {
			for d := from; !d.After(to); d = d.AddDays(1) {
				if d == to {
					return n, true
				}
				n++
			}
			return 0, false
		}
		wantConfirmed := false
		if n, ok := steps(confirmed, ship); ok && n <= w.ContactDays {
			wantConfirmed = true
			if n, ok := steps(confirmed, runsOut); ok && n > w.ContactDays {
				wantConfirmed = false
			}
		}
		wantEarly := false
		if n, ok := steps(ship, runsOut); ok && n > w.ShipLeadDays {
			wantEarly = true
		}
		want := ""
		switch {
		case !wantConfirmed:
			want = domain.ReasonResupplyNotConfirmed
		case wantEarly:
			want = domain.ReasonResupplyTooEarly
		}
		if got := reasonOf(err); got != want {
			t.Fatalf("runs out %s, confirmed %s, shipped %s, window %+v: %v; want %q", runsOut, confirmed, ship, w, err, want)
		}
	})
}
