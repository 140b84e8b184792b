package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
)

// cpap is an order for a CPAP device and its supplies, complete but for the
// signature.
func cpap() WrittenOrderValues {
	return WrittenOrderValues{
		PatientID:    strings.ToUpper(patientID),
		PrescriberID: prescriberID,
		Items: []WrittenOrderItem{
			{HCPCS: " e0601 ", Description: " CPAP device ", Quantity: 1},
			{HCPCS: "A7030", Description: "Full face mask", Quantity: 1},
		},
		OrderDate:          date("2026-02-10"),
		LengthOfNeedMonths: 99,
		Diagnoses:          []string{"G47.33"},
	}
}

// powerChair is an order for a power wheelchair, which needs a
// face-to-face encounter.
func powerChair() WrittenOrderValues {
	v := cpap()
	v.Items = []WrittenOrderItem{{HCPCS: "K0823", Description: "Power wheelchair, group 2", Quantity: 1}}
	v.FaceToFaceDate = date("2026-01-15")
	v.LengthOfNeedMonths = 12
	return v
}

func newOrder(t *testing.T, v WrittenOrderValues) *WrittenOrder {
	t.Helper()
	o, err := NewWrittenOrder("wo1", companyID, v, now)
	if err != nil {
		t.Fatalf("NewWrittenOrder: %v", err)
	}
	return o
}

func TestNewWrittenOrder(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(v *WrittenOrderValues)
		wantFields []string
	}{
		{name: "valid", edit: func(*WrittenOrderValues) {}},
		{name: "a bare draft", edit: func(v *WrittenOrderValues) {
			*v = WrittenOrderValues{PatientID: patientID, PrescriberID: prescriberID, OrderDate: today}
		}},
		{name: "patient, prescriber and order date required", edit: func(v *WrittenOrderValues) {
			v.PatientID, v.PrescriberID, v.OrderDate = "", " ", civil.Date{}
		}, wantFields: []string{"patientId", "prescriberId", "orderDate"}},
		{name: "ids not uuids", edit: func(v *WrittenOrderValues) { v.PatientID, v.PrescriberID = "p1", "d1" }, wantFields: []string{"patientId", "prescriberId"}},
		{name: "items checked one by one", edit: func(v *WrittenOrderValues) {
			v.Items = []WrittenOrderItem{
				{HCPCS: "E0601", Description: "CPAP", Quantity: 1},
				{HCPCS: "95811", Description: "", Quantity: 0},
				{HCPCS: "W1234", Description: strings.Repeat("d", 201), Quantity: 10000},
				{HCPCS: "E1399", Description: "Misc", Quantity: 9999},
			}
		}, wantFields: []string{"items[1].hcpcs", "items[1].description", "items[1].quantity", "items[2].hcpcs", "items[2].description", "items[2].quantity"}},
		{name: "the same code twice", edit: func(v *WrittenOrderValues) {
			v.Items = []WrittenOrderItem{{HCPCS: "E1399", Description: "Item A", Quantity: 1}, {HCPCS: "E1399", Description: "Item B", Quantity: 1}}
		}},
		{name: "twenty-one items", edit: func(v *WrittenOrderValues) { v.Items = make([]WrittenOrderItem, 21) }, wantFields: []string{"items"}},
		{name: "length of need 100", edit: func(v *WrittenOrderValues) { v.LengthOfNeedMonths = 100 }, wantFields: []string{"lengthOfNeedMonths"}},
		{name: "length of need negative", edit: func(v *WrittenOrderValues) { v.LengthOfNeedMonths = -1 }, wantFields: []string{"lengthOfNeedMonths"}},
		{name: "diagnoses checked", edit: func(v *WrittenOrderValues) { v.Diagnoses = []string{"G47.33", "G4733"} }, wantFields: []string{"diagnoses[1]"}},
		{name: "dates checked", edit: func(v *WrittenOrderValues) {
			v.SignatureDate, v.FaceToFaceDate = civil.Date{Year: 2026, Month: 2, Day: 29}, civil.Date{Year: 2026, Month: 0, Day: 1}
		}, wantFields: []string{"signatureDate", "faceToFaceDate"}},
		{name: "a draft may hold dates in any order", edit: func(v *WrittenOrderValues) {
			v.SignatureDate, v.FaceToFaceDate = date("2026-01-01"), date("2026-12-01")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := cpap()
			tt.edit(&v)
			o, err := NewWrittenOrder("wo1", companyID, v, now)
			if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
				t.Fatalf("violations (-want +got):\n%s", diff)
			}
			if err != nil || tt.name != "valid" {
				return
			}
			want := &WrittenOrder{ID: "wo1", CompanyID: companyID, PatientID: patientID, PrescriberID: prescriberID,
				Items:     []WrittenOrderItem{{HCPCS: "E0601", Description: "CPAP device", Quantity: 1}, {HCPCS: "A7030", Description: "Full face mask", Quantity: 1}},
				OrderDate: date("2026-02-10"), LengthOfNeedMonths: 99, Diagnoses: []string{"G4733"},
				Status: WrittenOrderDraft, Version: 1, CreateTime: now, UpdateTime: now}
			if diff := cmp.Diff(want, o); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWrittenOrderUpdate(t *testing.T) {
	o := newOrder(t, cpap())
	later := now.Add(time.Hour)
	err := o.Update([]WrittenOrderField{WrittenOrderDiagnoses, WrittenOrderLengthOfNeedMonths}, WrittenOrderValues{Diagnoses: []string{"j44.1"}, LengthOfNeedMonths: 6}, later)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if diff := cmp.Diff([]string{"J441"}, o.Diagnoses); diff != "" || o.LengthOfNeedMonths != 6 || len(o.Items) != 2 || !o.UpdateTime.Equal(later) {
		t.Errorf("after update: %+v %s", o, diff)
	}
	before := *o
	err = o.Update([]WrittenOrderField{"patient_id", WrittenOrderItems}, WrittenOrderValues{PatientID: prescriberID, Items: []WrittenOrderItem{{HCPCS: "E0601", Description: "CPAP", Quantity: 1}}}, later)
	if diff := cmp.Diff([]string{"patient_id"}, errstest.Fields(t, err)); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, *o); diff != "" {
		t.Errorf("refused update changed the order (-before +after):\n%s", diff)
	}
}

// TestWrittenOrderTransitions runs every action from every stored status
// and checks the methods against the state machine's table.
func TestWrittenOrderTransitions(t *testing.T) {
	statuses := []WrittenOrderStatus{WrittenOrderDraft, WrittenOrderSigned, WrittenOrderRevoked}
	actions := []WrittenOrderAction{EditWrittenOrder, SignWrittenOrder, RevokeWrittenOrder}
	want := map[WrittenOrderStatus]map[WrittenOrderAction]WrittenOrderStatus{
		WrittenOrderDraft:  {EditWrittenOrder: WrittenOrderDraft, SignWrittenOrder: WrittenOrderSigned, RevokeWrittenOrder: WrittenOrderRevoked},
		WrittenOrderSigned: {RevokeWrittenOrder: WrittenOrderRevoked},
		// Revoked is final: nothing leads out of it.
	}
	for _, from := range statuses {
		for _, action := range actions {
			t.Run(string(from)+" "+string(action), func(t *testing.T) {
				o := newOrder(t, cpap())
				o.Status = from
				if from != WrittenOrderDraft {
					o.SignatureDate = date("2026-02-11")
				}
				if from == WrittenOrderRevoked {
					o.RevokeReason = "wrong patient"
				}
				before := *o
				var err error
				switch action {
				case EditWrittenOrder:
					err = o.Update([]WrittenOrderField{WrittenOrderLengthOfNeedMonths}, WrittenOrderValues{LengthOfNeedMonths: 3}, now)
				case SignWrittenOrder:
					err = o.Sign(date("2026-02-11"), today, now)
				case RevokeWrittenOrder:
					err = o.Revoke("the prescriber withdrew it", now)
				}
				to, allowed := want[from][action]
				if !allowed {
					errstest.Check(t, err, false, errs.KindFailedPrecondition, ReasonWrittenOrderTransition)
					if got := err.(*errs.Error).Metadata["status"]; got != string(from) {
						t.Errorf("error names status %q, want %q", got, from)
					}
					if diff := cmp.Diff(before, *o); diff != "" {
						t.Errorf("refused %s changed the order (-before +after):\n%s", action, diff)
					}
					return
				}
				if err != nil {
					t.Fatalf("%s from %s: %v", action, from, err)
				}
				if o.Status != to {
					t.Errorf("status = %s, want %s", o.Status, to)
				}
			})
		}
	}
	if diff := cmp.Diff(want, WrittenOrderTransitions); diff != "" {
		t.Errorf("WrittenOrderTransitions differs from this test's table (-want +got):\n%s", diff)
	}
}

func TestSign(t *testing.T) {
	tests := []struct {
		name          string
		values        func() WrittenOrderValues
		edit          func(o *WrittenOrder)
		signatureDate civil.Date
		wantUnmet     []string
		wantSigned    civil.Date
	}{
		{name: "complete", values: cpap, signatureDate: date("2026-02-11"), wantSigned: date("2026-02-11")},
		{name: "signed on the order date", values: cpap, signatureDate: date("2026-02-10"), wantSigned: date("2026-02-10")},
		{name: "signed today", values: cpap, signatureDate: today, wantSigned: today},
		{name: "the draft's own signature date", values: cpap, edit: func(o *WrittenOrder) { o.SignatureDate = date("2026-02-12") }, wantSigned: date("2026-02-12")},
		{name: "the request's date wins over the draft's", values: cpap, edit: func(o *WrittenOrder) { o.SignatureDate = date("2026-02-12") },
			signatureDate: date("2026-02-13"), wantSigned: date("2026-02-13")},
		{name: "no signature date at all", values: cpap, wantUnmet: []string{UnmetSignatureDateMissing}},
		{name: "signed before the order date", values: cpap, signatureDate: date("2026-02-09"), wantUnmet: []string{UnmetSignatureDateBeforeOrderDate}},
		{name: "signed tomorrow", values: cpap, signatureDate: date("2026-03-02"), wantUnmet: []string{UnmetSignatureDateInFuture}},
		{name: "everything missing at once", values: func() WrittenOrderValues {
			return WrittenOrderValues{PatientID: patientID, PrescriberID: prescriberID, OrderDate: date("2026-02-10")}
		}, edit: func(o *WrittenOrder) { o.PrescriberID = "" },
			wantUnmet: []string{UnmetPrescriberMissing, UnmetItemsMissing, UnmetDiagnosisMissing, UnmetLengthOfNeedMissing, UnmetSignatureDateMissing}},
		{name: "power chair with its face-to-face", values: powerChair, signatureDate: date("2026-02-11"), wantSigned: date("2026-02-11")},
		{name: "face-to-face on the order date", values: powerChair, edit: func(o *WrittenOrder) { o.FaceToFaceDate = o.OrderDate },
			signatureDate: date("2026-02-11"), wantSigned: date("2026-02-11")},
		{name: "face-to-face exactly six months before", values: powerChair, edit: func(o *WrittenOrder) { o.FaceToFaceDate = date("2025-08-10") },
			signatureDate: date("2026-02-11"), wantSigned: date("2026-02-11")},
		{name: "face-to-face a day too early", values: powerChair, edit: func(o *WrittenOrder) { o.FaceToFaceDate = date("2025-08-09") },
			signatureDate: date("2026-02-11"), wantUnmet: []string{UnmetFaceToFaceTooLongBeforeOrder}},
		{name: "face-to-face after the order", values: powerChair, edit: func(o *WrittenOrder) { o.FaceToFaceDate = date("2026-02-11") },
			signatureDate: date("2026-02-11"), wantUnmet: []string{UnmetFaceToFaceAfterOrderDate}},
		{name: "face-to-face missing", values: powerChair, edit: func(o *WrittenOrder) { o.FaceToFaceDate = civil.Date{} },
			signatureDate: date("2026-02-11"), wantUnmet: []string{UnmetFaceToFaceMissing}},
		{name: "no face-to-face needed, none given", values: cpap, edit: func(o *WrittenOrder) { o.FaceToFaceDate = civil.Date{} },
			signatureDate: date("2026-02-11"), wantSigned: date("2026-02-11")},
		{name: "a face-to-face not needed is not judged", values: cpap, edit: func(o *WrittenOrder) { o.FaceToFaceDate = date("2020-01-01") },
			signatureDate: date("2026-02-11"), wantSigned: date("2026-02-11")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrder(t, tt.values())
			if tt.edit != nil {
				tt.edit(o)
			}
			before := *o
			later := now.Add(time.Hour)
			err := o.Sign(tt.signatureDate, today, later)
			if diff := cmp.Diff(tt.wantUnmet, errstest.PreconditionTypes(t, err)); diff != "" {
				t.Fatalf("unmet (-want +got):\n%s", diff)
			}
			if err != nil {
				errstest.Check(t, err, false, errs.KindFailedPrecondition, ReasonWrittenOrderIncomplete)
				if diff := cmp.Diff(before, *o); diff != "" {
					t.Errorf("refused signature changed the order (-before +after):\n%s", diff)
				}
				return
			}
			if o.Status != WrittenOrderSigned || o.SignatureDate != tt.wantSigned || !o.UpdateTime.Equal(later) {
				t.Errorf("after Sign: status %s, signature date %v, update time %v", o.Status, o.SignatureDate, o.UpdateTime)
			}
		})
	}
}

func TestSignRefusesANonDate(t *testing.T) {
	o := newOrder(t, cpap())
	err := o.Sign(civil.Date{Year: 2026, Month: 2, Day: 30}, today, now)
	if diff := cmp.Diff([]string{"signatureDate"}, errstest.Fields(t, err)); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
}

func TestRevoke(t *testing.T) {
	o := newOrder(t, cpap())
	if diff := cmp.Diff([]string{"reason"}, errstest.Fields(t, o.Revoke("  ", now))); diff != "" {
		t.Errorf("blank reason (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"reason"}, errstest.Fields(t, o.Revoke(strings.Repeat("r", 201), now))); diff != "" {
		t.Errorf("long reason (-want +got):\n%s", diff)
	}
	if o.Status != WrittenOrderDraft {
		t.Fatalf("refused revocation changed the status to %s", o.Status)
	}
	if err := o.Sign(date("2026-02-11"), today, now); err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Hour)
	if err := o.Revoke(" Prescriber changed the device ", later); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if o.Status != WrittenOrderRevoked || o.RevokeReason != "Prescriber changed the device" || !o.UpdateTime.Equal(later) {
		t.Errorf("after Revoke: %+v", o)
	}
	if o.EffectiveStatus(date("2030-01-01")) != WrittenOrderRevoked {
		t.Error("a revoked order reads as something else")
	}
}

func TestExpireDateAndEffectiveStatus(t *testing.T) {
	tests := []struct {
		name       string
		status     WrittenOrderStatus
		orderDate  string
		months     int
		asOf       string
		wantExpire string
		want       WrittenOrderStatus
	}{
		{name: "signed, within its need", status: WrittenOrderSigned, orderDate: "2026-01-31", months: 1, asOf: "2026-02-27", wantExpire: "2026-02-28", want: WrittenOrderSigned},
		{name: "signed, on its expiry date", status: WrittenOrderSigned, orderDate: "2026-01-31", months: 1, asOf: "2026-02-28", wantExpire: "2026-02-28", want: WrittenOrderSigned},
		{name: "signed, the day after", status: WrittenOrderSigned, orderDate: "2026-01-31", months: 1, asOf: "2026-03-01", wantExpire: "2026-02-28", want: WrittenOrderExpired},
		{name: "twelve months", status: WrittenOrderSigned, orderDate: "2026-02-10", months: 12, asOf: "2027-02-11", wantExpire: "2027-02-10", want: WrittenOrderExpired},
		{name: "98 months", status: WrittenOrderSigned, orderDate: "2026-02-10", months: 98, asOf: "2034-04-10", wantExpire: "2034-04-10", want: WrittenOrderSigned},
		{name: "lifetime never expires", status: WrittenOrderSigned, orderDate: "2026-02-10", months: 99, asOf: "2099-01-01", want: WrittenOrderSigned},
		{name: "draft past its need stays a draft", status: WrittenOrderDraft, orderDate: "2020-01-01", months: 1, asOf: "2026-01-01", wantExpire: "2020-02-01", want: WrittenOrderDraft},
		{name: "revoked past its need stays revoked", status: WrittenOrderRevoked, orderDate: "2020-01-01", months: 1, asOf: "2026-01-01", wantExpire: "2020-02-01", want: WrittenOrderRevoked},
		{name: "no length of need yet", status: WrittenOrderDraft, orderDate: "2020-01-01", months: 0, asOf: "2026-01-01", want: WrittenOrderDraft},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := WrittenOrder{Status: tt.status, OrderDate: date(tt.orderDate), LengthOfNeedMonths: tt.months}
			var wantExpire civil.Date
			if tt.wantExpire != "" {
				wantExpire = date(tt.wantExpire)
			}
			if got := o.ExpireDate(); got != wantExpire {
				t.Errorf("ExpireDate = %v, want %v", got, wantExpire)
			}
			if got := o.EffectiveStatus(date(tt.asOf)); got != tt.want {
				t.Errorf("EffectiveStatus(%s) = %s, want %s", tt.asOf, got, tt.want)
			}
		})
	}
}

func TestWrittenOrderCoversAndFaceToFace(t *testing.T) {
	chair := newOrder(t, powerChair())
	mask := newOrder(t, cpap())
	if !chair.Covers("K0823") || chair.Covers("E0601") || !mask.Covers("A7030") {
		t.Error("Covers is wrong")
	}
	if !chair.FaceToFaceRequired() || mask.FaceToFaceRequired() {
		t.Error("FaceToFaceRequired is wrong")
	}
}

// FuzzNewWrittenOrder feeds arbitrary items and diagnoses to a new order:
// it never panics, refuses only with field violations, and what it accepts
// it accepts again unchanged.
func FuzzNewWrittenOrder(f *testing.F) {
	f.Add("E0601", "CPAP device", 1, "G47.33", 99)
	f.Add("w1234", "\x00", 0, "E11.", -1)
	f.Add(" k0823 ", strings.Repeat("d", 200), 9999, "z9981", 100)
	f.Fuzz(func(t *testing.T, hcpcs, description string, quantity int, diagnosis string, months int) {
		v := WrittenOrderValues{
			PatientID: patientID, PrescriberID: prescriberID, OrderDate: date("2026-02-10"),
			Items:              []WrittenOrderItem{{HCPCS: hcpcs, Description: description, Quantity: quantity}},
			Diagnoses:          []string{diagnosis},
			LengthOfNeedMonths: months,
		}
		o, err := NewWrittenOrder("wo1", companyID, v, now)
		if err != nil {
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("error kind %v", errs.KindOf(err))
			}
			return
		}
		again, err := NewWrittenOrder("wo1", companyID, WrittenOrderValues{
			PatientID: o.PatientID, PrescriberID: o.PrescriberID, OrderDate: o.OrderDate,
			Items: o.Items, Diagnoses: o.Diagnoses, LengthOfNeedMonths: o.LengthOfNeedMonths,
		}, now)
		if err != nil {
			t.Fatalf("stored form refused: %v", err)
		}
		if diff := cmp.Diff(o, again); diff != "" {
			t.Fatalf("not idempotent (-first +second):\n%s", diff)
		}
	})
}
