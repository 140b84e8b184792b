package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
)

func validPayer() PayerValues {
	return PayerValues{
		Name:      " Medicare DME Jurisdiction C ",
		PayerCode: " cgsjc ",
		Type:      PayerMedicare,
		Address:   contact.Address{Line1: "PO Box 20010", City: "Nashville", State: "tn", PostalCode: "37202"},
		Phone:     contact.Phone{Number: "866-270-4909"},
	}
}

func TestNewPayer(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(v *PayerValues)
		wantFields []string
	}{
		{name: "valid", edit: func(*PayerValues) {}},
		{name: "no address, no phone", edit: func(v *PayerValues) { v.Address, v.Phone = contact.Address{}, contact.Phone{} }},
		{name: "name required", edit: func(v *PayerValues) { v.Name = " " }, wantFields: []string{"name"}},
		{name: "name too long", edit: func(v *PayerValues) { v.Name = strings.Repeat("n", 101) }, wantFields: []string{"name"}},
		{name: "payer code required", edit: func(v *PayerValues) { v.PayerCode = "" }, wantFields: []string{"payerCode"}},
		{name: "payer code with a dash", edit: func(v *PayerValues) { v.PayerCode = "CGS-JC" }, wantFields: []string{"payerCode"}},
		{name: "payer code of 21", edit: func(v *PayerValues) { v.PayerCode = strings.Repeat("A", 21) }, wantFields: []string{"payerCode"}},
		{name: "type required", edit: func(v *PayerValues) { v.Type = PayerTypeUnspecified }, wantFields: []string{"type"}},
		{name: "type unknown", edit: func(v *PayerValues) { v.Type = "tricare" }, wantFields: []string{"type"}},
		{name: "address and phone checked", edit: func(v *PayerValues) { v.Address.State, v.Phone.Number = "XX", "555-0100" }, wantFields: []string{"address.state", "phone.number"}},
		{name: "inactive is not read on create", edit: func(v *PayerValues) { v.Active = false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := validPayer()
			tt.edit(&v)
			p, err := NewPayer(payerID, companyID, v, now)
			if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
				t.Fatalf("violations (-want +got):\n%s", diff)
			}
			if err != nil || tt.name != "valid" {
				return
			}
			want := &Payer{ID: payerID, CompanyID: companyID, Name: "Medicare DME Jurisdiction C", PayerCode: "CGSJC", Type: PayerMedicare,
				Address: contact.Address{Line1: "PO Box 20010", City: "Nashville", State: "TN", PostalCode: "37202"},
				Phone:   contact.Phone{Number: "+18662704909"}, Active: true, Version: 1, CreateTime: now, UpdateTime: now}
			if diff := cmp.Diff(want, p); diff != "" {
				t.Errorf("payer (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPayerUpdate(t *testing.T) {
	p, err := NewPayer(payerID, companyID, validPayer(), now)
	if err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Hour)
	if err := p.Update([]PayerField{PayerActive, "phone.extension"}, PayerValues{Active: false, Phone: contact.Phone{Extension: "7"}}, later); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if p.Active || p.Phone != (contact.Phone{Number: "+18662704909", Extension: "7"}) || !p.UpdateTime.Equal(later) || p.Name != "Medicare DME Jurisdiction C" {
		t.Errorf("after update: %+v", p)
	}
	before := *p
	err = p.Update([]PayerField{PayerName, PayerTypeF, "code"}, PayerValues{Name: "X", Type: "x"}, later)
	if diff := cmp.Diff([]string{"type", "code"}, errstest.Fields(t, err)); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, *p); diff != "" {
		t.Errorf("refused update changed the payer (-before +after):\n%s", diff)
	}
}

func TestNormalizePayerCode(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{in: "cms04", want: "CMS04"},
		{in: " 12345 ", want: "12345"},
		{in: strings.Repeat("z", 20), want: strings.Repeat("Z", 20)},
		{in: ""},
		{in: "CMS 04"},
		{in: "ÇMS04"},
	}
	for _, tt := range tests {
		got, err := NormalizePayerCode(tt.in)
		if tt.want == "" {
			errstest.Check(t, err, false, errs.KindInvalid, "")
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizePayerCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestPlan(t *testing.T) {
	payer, err := NewPayer(payerID, companyID, validPayer(), now)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		values     PlanValues
		wantFields []string
	}{
		{name: "valid", values: PlanValues{Name: " Part B DME ", PlanCode: " B "}},
		{name: "no plan code", values: PlanValues{Name: "Part B"}},
		{name: "name required", values: PlanValues{PlanCode: "B"}, wantFields: []string{"name"}},
		{name: "too long", values: PlanValues{Name: strings.Repeat("n", 101), PlanCode: strings.Repeat("c", 31)}, wantFields: []string{"name", "planCode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPlan(planID, payer, tt.values, now)
			if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
				t.Fatalf("violations (-want +got):\n%s", diff)
			}
			if err != nil || tt.name != "valid" {
				return
			}
			want := &Plan{ID: planID, CompanyID: companyID, PayerID: payerID, Name: "Part B DME", PlanCode: "B", Active: true, Version: 1, CreateTime: now, UpdateTime: now}
			if diff := cmp.Diff(want, p); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
	p, _ := NewPlan(planID, payer, PlanValues{Name: "Part B"}, now)
	if err := p.Update([]PlanField{PlanActive, PlanCode}, PlanValues{PlanCode: "PB"}, now); err != nil || p.Active || p.PlanCode != "PB" {
		t.Errorf("Update: %v, %+v", err, p)
	}
	if diff := cmp.Diff([]string{"payer_id"}, errstest.Fields(t, p.Update([]PlanField{"payer_id"}, PlanValues{}, now))); diff != "" {
		t.Errorf("payer_id is writable (-want +got):\n%s", diff)
	}
}
