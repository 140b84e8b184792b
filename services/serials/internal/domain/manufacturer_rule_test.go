package domain_test

import (
	"slices"
	"testing"
	"time"

	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

func TestManufacturerRules(t *testing.T) {
	now := time.Now()
	maker, err := domain.NewManufacturerRule("co", " ResMed ", domain.SerialFormat{Pattern: "2[0-9]{10}"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if maker.Manufacturer != "ResMed" || domain.ManufacturerKey(" RESMED") != "resmed" {
		t.Errorf("rule = %+v", maker)
	}
	for name, tc := range map[string]struct {
		manufacturer string
		format       domain.SerialFormat
		want         []string
	}{
		"no name":     {"", domain.SerialFormat{Pattern: "X"}, []string{"manufacturer"}},
		"empty rule":  {"ResMed", domain.SerialFormat{}, []string{"rule"}},
		"bad pattern": {"ResMed", domain.SerialFormat{Pattern: "(["}, []string{"rule.pattern"}},
		"bad scheme":  {"ResMed", domain.SerialFormat{CheckDigit: "crc"}, []string{"rule.checkDigit"}},
	} {
		_, err := domain.NewManufacturerRule("co", tc.manufacturer, tc.format, now)
		if got := fieldsOf(err); !slices.Equal(got, tc.want) {
			t.Errorf("%s: violations %v (%v), want %v", name, got, err, tc.want)
		}
	}

	own := &domain.Item{SerialFormat: domain.SerialFormat{CheckDigit: domain.CheckDigitLuhn}}
	plain := &domain.Item{}
	if got := own.EffectiveFormat(maker); got != own.SerialFormat {
		t.Errorf("an item's own rule lost to its maker's: %+v", got)
	}
	if got := plain.EffectiveFormat(maker); got != maker.Format {
		t.Errorf("an item without a rule does not follow its maker's: %+v", got)
	}
	if got := plain.EffectiveFormat(nil); got != (domain.SerialFormat{}) {
		t.Errorf("no rule anywhere gives %+v", got)
	}
}
