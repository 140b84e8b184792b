package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

func cpapLine() domain.LineValues {
	return domain.LineValues{
		ItemID: "item-1", Serialized: true, HCPCS: "e0601", Modifiers: []string{"rr", "KH"}, Quantity: 1,
		Type: domain.LineCappedRental, DiagnosisPointers: []int32{1, 2},
	}
}

// violatedFields returns the fields err names, or nil when err is nil.
func violatedFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindInvalid {
		t.Fatalf("error %v is not a validation error", err)
	}
	var fields []string
	for _, v := range e.Fields {
		fields = append(fields, v.Field)
	}
	return fields
}

func TestCheckLine(t *testing.T) {
	tests := []struct {
		name   string
		change func(*domain.LineValues)
		want   []string
	}{
		{"a capped rental CPAP", func(*domain.LineValues) {}, nil},
		{"supplies: many of a non-serialized item", func(v *domain.LineValues) {
			v.Serialized, v.Quantity, v.Type, v.Modifiers = false, 90, domain.LineRecurringSale, []string{"NU"}
		}, nil},
		{"no item", func(v *domain.LineValues) { v.ItemID = "" }, []string{"itemId"}},
		{"HCPCS malformed", func(v *domain.LineValues) { v.HCPCS = "Z0601" }, []string{"hcpcs"}},
		{"a modifier malformed", func(v *domain.LineValues) { v.Modifiers = []string{"RR", "K"} }, []string{"modifiers[1]"}},
		{"a modifier repeated", func(v *domain.LineValues) { v.Modifiers = []string{"RR", "rr"} }, []string{"modifiers[1]"}},
		{"five modifiers", func(v *domain.LineValues) { v.Modifiers = []string{"RR", "KH", "KX", "NU", "UE"} }, []string{"modifiers"}},
		{"quantity 0", func(v *domain.LineValues) { v.Quantity = 0 }, []string{"quantity"}},
		{"quantity 10^9", func(v *domain.LineValues) { v.Serialized, v.Quantity = false, 1_000_000_000 }, []string{"quantity"}},
		{"two units of a serialized item", func(v *domain.LineValues) { v.Quantity = 2 }, []string{"quantity"}},
		{"type unknown", func(v *domain.LineValues) { v.Type = "lease" }, []string{"type"}},
		{"no pointer", func(v *domain.LineValues) { v.DiagnosisPointers = nil }, []string{"diagnosisPointers"}},
		{"five pointers", func(v *domain.LineValues) { v.DiagnosisPointers = []int32{1, 2, 3, 1, 2} },
			[]string{"diagnosisPointers", "diagnosisPointers[3]", "diagnosisPointers[4]"}},
		{"a pointer past the diagnoses", func(v *domain.LineValues) { v.DiagnosisPointers = []int32{1, 4} }, []string{"diagnosisPointers[1]"}},
		{"a pointer of 0", func(v *domain.LineValues) { v.DiagnosisPointers = []int32{0} }, []string{"diagnosisPointers[0]"}},
		{"a pointer repeated", func(v *domain.LineValues) { v.DiagnosisPointers = []int32{2, 2} }, []string{"diagnosisPointers[1]"}},
		{"a serial on a non-serialized item", func(v *domain.LineValues) { v.Serialized, v.SerialNumber = false, "S1" }, []string{"serialNumber"}},
		{"a serial on a serialized item", func(v *domain.LineValues) { v.SerialNumber = "23150000001" }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := cpapLine()
			tt.change(&v)
			line, err := domain.CheckLine(v, 3)
			if diff := cmp.Diff(tt.want, violatedFields(t, err)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			if err == nil && (line.HCPCS != strings.ToUpper(v.HCPCS) || strings.Join(line.Modifiers, ",") != strings.ToUpper(strings.Join(v.Modifiers, ","))) {
				t.Errorf("line not normalized: %+v", line)
			}
		})
	}
}

// TestSerialRequiredExactlyForSerializedItemsAtDelivery: a serialized line
// is delivered by its unit's serial; a non-serialized one needs none.
func TestSerialRequiredExactlyForSerializedItemsAtDelivery(t *testing.T) {
	tests := []struct {
		serialized bool
		serial     string
		refused    bool
	}{
		{true, "", true},
		{true, "23150000001", false},
		{false, "", false},
	}
	for _, tt := range tests {
		v := cpapLine()
		v.Serialized, v.SerialNumber = tt.serialized, tt.serial
		line, err := domain.CheckLine(v, 2)
		if err != nil {
			t.Fatal(err)
		}
		err = line.ReadyToDeliver("lines[0]")
		if (err != nil) != tt.refused || (err != nil && errs.KindOf(err) != errs.KindFailedPrecondition) {
			t.Errorf("serialized %v serial %q: ReadyToDeliver = %v, refused want %v", tt.serialized, tt.serial, err, tt.refused)
		}
	}
}

// FuzzCheckLine: any line checks or is refused with violations naming its
// fields; an accepted line keeps every rule.
func FuzzCheckLine(f *testing.F) {
	f.Add("E0601", "RR", "KH", int32(1), "capped_rental", int32(1), int32(2), true, "", 3)
	f.Add("a4604", "NU", "", int32(90), "recurring_sale", int32(4), int32(0), false, "", 4)
	f.Add("", "R", "RR", int32(0), "x", int32(-1), int32(99), false, "S", 0)
	f.Fuzz(func(t *testing.T, hcpcs, mod1, mod2 string, qty int32, typ string, p1, p2 int32, serialized bool, serial string, diagnoses int) {
		if diagnoses < 0 || diagnoses > domain.MaxOrderDiagnoses {
			diagnoses = domain.MaxOrderDiagnoses
		}
		mods := []string{}
		for _, m := range []string{mod1, mod2} {
			if m != "" {
				mods = append(mods, m)
			}
		}
		pointers := []int32{p1}
		if p2 != 0 {
			pointers = append(pointers, p2)
		}
		line, err := domain.CheckLine(domain.LineValues{ItemID: "item", Serialized: serialized, HCPCS: hcpcs, Modifiers: mods,
			Quantity: qty, Type: domain.LineType(typ), DiagnosisPointers: pointers, SerialNumber: serial}, diagnoses)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.KindInvalid || len(e.Fields) == 0 {
				t.Fatalf("refusal without field violations: %v", err)
			}
			return
		}
		if len(line.HCPCS) != 5 || line.Quantity < 1 || line.Quantity > domain.MaxLineQuantity || (line.Serialized && line.Quantity != 1) ||
			(!line.Serialized && line.SerialNumber != "") || len(line.Modifiers) > 4 {
			t.Fatalf("accepted a line breaking a rule: %+v", line)
		}
		for _, p := range line.DiagnosisPointers {
			if p < 1 || int(p) > diagnoses {
				t.Fatalf("accepted pointer %d with %d diagnoses", p, diagnoses)
			}
		}
	})
}
