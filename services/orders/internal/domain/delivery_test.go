package domain_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// orderLines is a CPAP on capped rental (unit 23150000001 reserved) and
// 90 days of supplies sold.
func orderLines(t *testing.T) []domain.Line {
	t.Helper()
	cpap := cpapLine()
	cpap.SerialNumber = "23150000001"
	supplies := domain.LineValues{ItemID: "item-2", HCPCS: "A7030", Quantity: 3, Type: domain.LineRecurringSale, DiagnosisPointers: []int32{1}}
	var lines []domain.Line
	for _, v := range []domain.LineValues{cpap, supplies} {
		l, err := domain.CheckLine(v, 2)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	return lines
}

func proof() domain.ProofOfDelivery {
	return domain.ProofOfDelivery{
		ReceiverName: "Margaret Okafor", Relationship: domain.RelationshipSelf, SignatureDate: day(2026, 3, 2),
		Address: contact.Address{Line1: "412 Ponce de Leon Ave NE", City: "Atlanta", State: "ga", PostalCode: "30308"},
		Lines:   []domain.DeliveredLine{{Line: 0, Quantity: 1, SerialNumber: "23150000001"}, {Line: 1, Quantity: 3}},
	}
}

func TestCheckDelivery(t *testing.T) {
	orderDate, today := day(2026, 3, 1), day(2026, 3, 5)
	tests := []struct {
		name      string
		change    func(*domain.ProofOfDelivery)
		want      []string
		wantSwaps []domain.SerialSwap
	}{
		{"the patient signs for everything", func(*domain.ProofOfDelivery) {}, nil, nil},
		{"a spouse signs", func(p *domain.ProofOfDelivery) {
			p.ReceiverName, p.Relationship = "Obi Okafor", domain.RelationshipSpouse
		}, nil, nil},
		{"another unit of the item delivered", func(p *domain.ProofOfDelivery) { p.Lines[0].SerialNumber = "23150000002" }, nil,
			[]domain.SerialSwap{{Line: 0, Reserved: "23150000001", Delivers: "23150000002"}}},
		{"no receiver", func(p *domain.ProofOfDelivery) { p.ReceiverName = " " }, []string{"receiverName"}, nil},
		{"a control character in the name", func(p *domain.ProofOfDelivery) { p.ReceiverName = "Margaret\tOkafor" }, []string{"receiverName"}, nil},
		{"relationship unknown", func(p *domain.ProofOfDelivery) { p.Relationship = "neighbour" }, []string{"relationship"}, nil},
		{"signed tomorrow", func(p *domain.ProofOfDelivery) { p.SignatureDate = day(2026, 3, 6) }, []string{"signatureDate"}, nil},
		{"signed before the order", func(p *domain.ProofOfDelivery) { p.SignatureDate = day(2026, 2, 28) }, []string{"signatureDate"}, nil},
		{"no signature date", func(p *domain.ProofOfDelivery) { p.SignatureDate = day(2026, 2, 30) }, []string{"signatureDate"}, nil},
		{"address without a ZIP", func(p *domain.ProofOfDelivery) { p.Address.PostalCode = "" }, []string{"address.postalCode"}, nil},
		{"a line left out", func(p *domain.ProofOfDelivery) { p.Lines = p.Lines[:1] }, []string{"lines"}, nil},
		{"a line twice", func(p *domain.ProofOfDelivery) { p.Lines[1] = p.Lines[0] }, []string{"lines[1].lineId"}, nil},
		{"a line that is not there", func(p *domain.ProofOfDelivery) { p.Lines[1].Line = 2 }, []string{"lines[1].lineId"}, nil},
		{"part of the supplies", func(p *domain.ProofOfDelivery) { p.Lines[1].Quantity = 2 }, []string{"lines[1].quantity"}, nil},
		{"the CPAP without its serial", func(p *domain.ProofOfDelivery) { p.Lines[0].SerialNumber = "" }, []string{"lines[0].serialNumber"}, nil},
		{"a serial on the supplies", func(p *domain.ProofOfDelivery) { p.Lines[1].SerialNumber = "X1" }, []string{"lines[1].serialNumber"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := proof()
			tt.change(&p)
			got, swaps, err := domain.CheckDelivery(p, orderLines(t), orderDate, today)
			if diff := cmp.Diff(tt.want, violatedFields(t, err)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantSwaps, swaps); diff != "" {
				t.Errorf("swaps (-want +got):\n%s", diff)
			}
			if err == nil && got.Address.State != "GA" {
				t.Errorf("address not normalized: %+v", got.Address)
			}
		})
	}
}

func TestCheckPickup(t *testing.T) {
	dateOfService, today := day(2026, 3, 2), day(2026, 9, 1)
	cpapBack := []domain.DeliveredLine{{Line: 0, SerialNumber: "23150000001"}}
	tests := []struct {
		name  string
		p     domain.Pickup
		ended []bool
		want  []string
	}{
		{"end of need", domain.Pickup{Date: day(2026, 8, 31), Reason: domain.PickupEndOfNeed, Lines: cpapBack}, nil, nil},
		{"on the day of service", domain.Pickup{Date: dateOfService, Reason: domain.PickupDeath, Lines: cpapBack}, nil, nil},
		{"before the delivery", domain.Pickup{Date: day(2026, 3, 1), Reason: domain.PickupEndOfNeed, Lines: cpapBack}, nil, []string{"pickupDate"}},
		{"in the future", domain.Pickup{Date: day(2026, 9, 2), Reason: domain.PickupEndOfNeed, Lines: cpapBack}, nil, []string{"pickupDate"}},
		{"no reason", domain.Pickup{Date: today, Lines: cpapBack}, nil, []string{"reason"}},
		{"no line", domain.Pickup{Date: today, Reason: domain.PickupHospice}, nil, []string{"lines"}},
		{"the sold supplies", domain.Pickup{Date: today, Reason: domain.PickupOther, Note: "wrong delivery", Lines: []domain.DeliveredLine{{Line: 1}}}, nil, []string{"lines[0].lineId"}},
		{"another reason untold", domain.Pickup{Date: today, Reason: domain.PickupOther, Lines: cpapBack}, nil, []string{"note"}},
		{"another unit returned", domain.Pickup{Date: today, Reason: domain.PickupUnpaid,
			Lines: []domain.DeliveredLine{{Line: 0, SerialNumber: "23150000009"}}}, nil, []string{"lines[0].serialNumber"}},
		{"picked up twice", domain.Pickup{Date: today, Reason: domain.PickupSwitchedSupplier, Lines: cpapBack}, []bool{true, false}, []string{"lines[0].lineId"}},
		{"a line named twice", domain.Pickup{Date: today, Reason: domain.PickupExchange, Lines: append(cpapBack, cpapBack...)}, nil, []string{"lines[1].lineId"}},
		{"a line that is not there", domain.Pickup{Date: today, Reason: domain.PickupEndOfNeed, Lines: []domain.DeliveredLine{{Line: -1}}}, nil, []string{"lines[0].lineId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := domain.CheckPickup(tt.p, orderLines(t), tt.ended, dateOfService, today)
			if diff := cmp.Diff(tt.want, violatedFields(t, err)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzCheckDelivery: any proof of delivery is accepted or refused with
// violations naming its fields, never a panic; an accepted one delivers
// every line once, whole, and each serialized line by a serial number.
func FuzzCheckDelivery(f *testing.F) {
	f.Add("Margaret Okafor", "self", 1, 0, int32(1), "23150000001", 1, int32(3), "")
	f.Add("", "x", -40, 5, int32(0), "", 0, int32(-1), "S")
	f.Fuzz(func(t *testing.T, name, relationship string, signedDays, line0 int, qty0 int32, serial0 string, line1 int, qty1 int32, serial1 string) {
		lines := orderLines(t)
		p := proof()
		p.ReceiverName, p.Relationship = name, relationship
		p.SignatureDate = day(2026, 3, 1).AddDays(signedDays % 1000)
		p.Lines = []domain.DeliveredLine{{Line: line0, Quantity: qty0, SerialNumber: serial0}, {Line: line1, Quantity: qty1, SerialNumber: serial1}}
		_, _, err := domain.CheckDelivery(p, lines, day(2026, 3, 1), day(2026, 3, 5))
		if err != nil {
			violatedFields(t, err) // fails the test unless it is a validation error
			return
		}
		if line0 == line1 || qty0 != lines[line0].Quantity || qty1 != lines[line1].Quantity {
			t.Fatalf("accepted a delivery that is not every line once, whole: %+v", p.Lines)
		}
		for _, d := range p.Lines {
			if lines[d.Line].Serialized != (d.SerialNumber != "") {
				t.Fatalf("accepted line %d with serial %q", d.Line, d.SerialNumber)
			}
		}
	})
}
