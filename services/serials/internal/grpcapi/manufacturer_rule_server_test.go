package grpcapi_test

import (
	"testing"

	"google.golang.org/grpc/codes"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/serials/internal/serialstest"
)

// TestManufacturerSerialRules: a maker's rule checks the serials of its
// items that have no rule of their own, an item's own rule wins, the
// etag guards a replacement, and removing the rule lifts the check.
func TestManufacturerSerialRules(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	set := func(rule *serialsv1.ManufacturerSerialRule) (*serialsv1.ManufacturerSerialRule, error) {
		return f.e.Items.SetManufacturerSerialRule(f.a.Warehouse, &serialsv1.SetManufacturerSerialRuleRequest{Rule: rule})
	}
	rule, err := set(&serialsv1.ManufacturerSerialRule{Manufacturer: "RESMED",
		Rule: &serialsv1.SerialRule{Pattern: "2[0-9]{10}"}})
	if err != nil {
		t.Fatal(err)
	}
	receive := func(item *serialsv1.Item, serial string) error {
		_, err := f.e.Units.ReceiveUnit(f.a.Warehouse, &serialsv1.ReceiveUnitRequest{Unit: &serialsv1.Unit{
			ItemId: item.GetId(), SerialNumber: serial, WarehouseId: f.a.WH1}})
		return err
	}
	// f.item is ResMed's and has no rule of its own.
	grpcerrtest.WantInvalid(t, receive(f.item, "SN123"), "unit.serialNumber")
	if err := receive(f.item, "23150000001"); err != nil {
		t.Fatalf("a serial of the maker's form is refused: %v", err)
	}
	own := f.createItem(t, &serialsv1.Item{Code: "E0601-OWN", Name: "Own rule", Manufacturer: "ResMed", Serialized: true,
		SerialRule: &serialsv1.SerialRule{Pattern: "SN[0-9]+"}})
	if err := receive(own, "SN123"); err != nil {
		t.Errorf("the item's own rule lost to the maker's: %v", err)
	}

	_, err = set(&serialsv1.ManufacturerSerialRule{Manufacturer: "ResMed", Rule: &serialsv1.SerialRule{Pattern: "X"}, Etag: `"7"`})
	grpcerrtest.WantCode(t, err, codes.Aborted)
	_, err = set(&serialsv1.ManufacturerSerialRule{Manufacturer: "ResMed", Rule: &serialsv1.SerialRule{}})
	grpcerrtest.WantInvalid(t, err, "rule.rule")
	replaced, err := set(&serialsv1.ManufacturerSerialRule{Manufacturer: "ResMed", Etag: rule.GetEtag(),
		Rule: &serialsv1.SerialRule{Pattern: "2[0-9]{10}", CheckDigit: serialsv1.CheckDigitScheme_CHECK_DIGIT_SCHEME_LUHN}})
	if err != nil || replaced.GetEtag() == rule.GetEtag() || replaced.GetManufacturer() != "ResMed" {
		t.Fatalf("replace = %v, %v", replaced, err)
	}
	list, err := f.e.Items.ListManufacturerSerialRules(f.a.Auditor, &serialsv1.ListManufacturerSerialRulesRequest{})
	if err != nil || len(list.GetRules()) != 1 {
		t.Fatalf("list = %v, %v", list, err)
	}
	b := f.e.NewTenant()
	_, err = f.e.Items.GetManufacturerSerialRule(b.Warehouse, &serialsv1.GetManufacturerSerialRuleRequest{Manufacturer: "resmed"})
	grpcerrtest.WantCode(t, err, codes.NotFound)

	if _, err := f.e.Items.DeleteManufacturerSerialRule(f.a.Warehouse, &serialsv1.DeleteManufacturerSerialRuleRequest{
		Manufacturer: "resmed", Etag: replaced.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	if err := receive(f.item, "SN124"); err != nil {
		t.Errorf("with the maker's rule removed the serial is still refused: %v", err)
	}
	_, err = f.e.Items.GetManufacturerSerialRule(f.a.Warehouse, &serialsv1.GetManufacturerSerialRuleRequest{Manufacturer: "resmed"})
	grpcerrtest.WantCode(t, err, codes.NotFound)
}
