package domain_test

import (
	stderrors "errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// fieldsOf lists the fields an Invalid error names, in order.
func fieldsOf(err error) []string {
	var e *errs.Error
	if !errorsAs(err, &e) {
		return nil
	}
	out := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = f.Field
	}
	return out
}

func TestValidGTIN(t *testing.T) {
	for _, tc := range []struct {
		code string
		want bool
	}{
		{"036000291452", true},   // UPC-A
		{"4006381333931", true},  // EAN-13
		{"96385074", true},       // EAN-8
		{"10012345678902", true}, // GTIN-14
		{"036000291453", false},  // wrong check digit
		{"4006381333932", false},
		{"0360002914", false}, // 10 digits
		{"03600029145A", false},
		{"", false},
	} {
		if got := domain.ValidGTIN(tc.code); got != tc.want {
			t.Errorf("ValidGTIN(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}
}

func FuzzValidGTIN(f *testing.F) {
	for _, s := range []string{"036000291452", "4006381333931", "96385074", "1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !domain.ValidGTIN(s) {
			return
		}
		// A valid code stops being one when its check digit changes.
		last := s[len(s)-1]
		other := byte('0' + (int(last-'0')+1)%10)
		if domain.ValidGTIN(s[:len(s)-1] + string(other)) {
			t.Errorf("%q and its altered check digit are both valid", s)
		}
	})
}

func TestNewItem(t *testing.T) {
	now := time.Now()
	valid := domain.ItemValues{Code: " e0601-as11 ", Name: "AirSense 11", HCPCS: "e0601", Manufacturer: "ResMed",
		Serialized: true, Barcode: "036000291452", CostCents: 65000, ReorderPoint: 2,
		SerialFormat: domain.SerialFormat{Pattern: "[0-9]{11}", CheckDigit: domain.CheckDigitLuhn}}
	it, err := domain.NewItem("id", "co", valid, now)
	if err != nil {
		t.Fatal(err)
	}
	if it.Code != "E0601-AS11" || it.HCPCS != "E0601" || !it.Active || it.Version != 1 || it.Class() != domain.ClassEquipment {
		t.Errorf("item = %+v", it)
	}
	for name, tc := range map[string]struct {
		edit func(*domain.ItemValues)
		want []string
	}{
		"code":                {func(v *domain.ItemValues) { v.Code = "bad code" }, []string{"code"}},
		"empty name":          {func(v *domain.ItemValues) { v.Name = " " }, []string{"name"}},
		"hcpcs":               {func(v *domain.ItemValues) { v.HCPCS = "Z9999" }, []string{"hcpcs"}},
		"barcode":             {func(v *domain.ItemValues) { v.Barcode = "036000291453" }, []string{"barcode"}},
		"currency":            {func(v *domain.ItemValues) { v.CostCurrency = "EUR" }, []string{"cost.currencyCode"}},
		"negative cost":       {func(v *domain.ItemValues) { v.CostCents = -1 }, []string{"cost.amountCents"}},
		"reorder":             {func(v *domain.ItemValues) { v.ReorderPoint = domain.MaxReorderPoint + 1 }, []string{"reorderPoint"}},
		"pattern":             {func(v *domain.ItemValues) { v.SerialFormat.Pattern = "([" }, []string{"serialRule.pattern"}},
		"tank not serialized": {func(v *domain.ItemValues) { v.O2Tank, v.Serialized = true, false }, []string{"serialized"}},
		"long model":          {func(v *domain.ItemValues) { v.Model = strings.Repeat("m", 101) }, []string{"model"}},
	} {
		v := valid
		tc.edit(&v)
		_, err := domain.NewItem("id", "co", v, now)
		if got := fieldsOf(err); !slices.Equal(got, tc.want) {
			t.Errorf("%s: violations %v (%v), want %v", name, got, err, tc.want)
		}
	}
}

func TestNewUnit(t *testing.T) {
	now := time.Now()
	item, err := domain.NewItem("item", "co", domain.ItemValues{Code: "X", Name: "X", Serialized: true,
		SerialFormat: domain.SerialFormat{Pattern: "SN[0-9]+"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	u, err := domain.NewUnit("u", item, nil, domain.UnitValues{SerialNumber: " sn123 ", WarehouseID: "wh", Lot: " L1 "}, now)
	if err != nil {
		t.Fatal(err)
	}
	if u.SerialNumber != "SN123" || u.Lot != "L1" || u.Status != domain.StatusOnHand || u.CompanyID != "co" {
		t.Errorf("unit = %+v", u)
	}
	day := func(s string) civil.Date { d, _ := civil.Parse(s); return d }
	for name, tc := range map[string]struct {
		values domain.UnitValues
		want   []string
	}{
		"no serial":    {domain.UnitValues{WarehouseID: "wh"}, []string{"serialNumber"}},
		"off pattern":  {domain.UnitValues{SerialNumber: "AB1", WarehouseID: "wh"}, []string{"serialNumber"}},
		"no warehouse": {domain.UnitValues{SerialNumber: "SN1"}, []string{"warehouseId"}},
		"warranty before purchase": {domain.UnitValues{SerialNumber: "SN1", WarehouseID: "wh",
			PurchaseDate: day("2026-05-01"), WarrantyEnd: day("2026-04-30")}, []string{"warrantyEnd"}},
		"cost": {domain.UnitValues{SerialNumber: "SN1", WarehouseID: "wh", PurchaseCostCents: -5}, []string{"purchaseCost.amountCents"}},
	} {
		_, err := domain.NewUnit("u", item, nil, tc.values, now)
		if got := fieldsOf(err); !slices.Equal(got, tc.want) {
			t.Errorf("%s: violations %v (%v), want %v", name, got, err, tc.want)
		}
	}
	item.Active = false
	_, err = domain.NewUnit("u", item, nil, domain.UnitValues{SerialNumber: "SN1", WarehouseID: "wh"}, now)
	if got := fieldsOf(err); !slices.Equal(got, []string{"itemId"}) {
		t.Errorf("inactive item: %v", got)
	}
}

func TestNewMaintenanceRecord(t *testing.T) {
	today, _ := civil.Parse("2026-11-22")
	valid := domain.MaintenanceValues{Problem: "Filter clogged", WorkDone: "Replaced filter", Technician: "J. Ortiz",
		LaborMinutes: 30, CostCents: 1200, PerformDate: today, NextDue: today.AddDays(180)}
	if _, err := domain.NewMaintenanceRecord("r", "co", "u", "actor", valid, today, time.Now()); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		edit func(*domain.MaintenanceValues)
		want []string
	}{
		"future work":     {func(v *domain.MaintenanceValues) { v.PerformDate = today.AddDays(1); v.NextDue = today.AddDays(9) }, []string{"performDate"}},
		"due not after":   {func(v *domain.MaintenanceValues) { v.NextDue = today }, []string{"nextDue"}},
		"no perform date": {func(v *domain.MaintenanceValues) { v.PerformDate = civil.Date{} }, []string{"performDate"}},
		"labour":          {func(v *domain.MaintenanceValues) { v.LaborMinutes = 7*24*60 + 1 }, []string{"laborMinutes"}},
		"blank":           {func(v *domain.MaintenanceValues) { v.Problem, v.Technician = "", "" }, []string{"problem", "technician"}},
	} {
		v := valid
		tc.edit(&v)
		_, err := domain.NewMaintenanceRecord("r", "co", "u", "actor", v, today, time.Now())
		if got := fieldsOf(err); !slices.Equal(got, tc.want) {
			t.Errorf("%s: violations %v (%v), want %v", name, got, err, tc.want)
		}
	}
}

func errorsAs(err error, target **errs.Error) bool { return stderrors.As(err, target) }
