package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
)

func validPatient() PatientValues {
	return PatientValues{
		FirstName:           " Ana ",
		MiddleName:          "María \t del  Carmen",
		LastName:            "López",
		Suffix:              "Jr.",
		BirthDate:           date("1948-07-04"),
		Sex:                 SexFemale,
		HomeAddress:         contact.Address{Line1: "1200 Main St", City: "Atlanta", State: "ga", PostalCode: "303011234"},
		ShippingAddress:     contact.Address{Line1: "9 Oak Ave", City: "Decatur", State: "GA", PostalCode: "30030"},
		Phones:              []contact.Phone{{Number: "(404) 555-0123", Kind: contact.PhoneKindHome}, {Number: "404.555.0199", Kind: contact.PhoneKindMobile}},
		Email:               " ana@example.com ",
		MBI:                 "1eg4-te5-mk73",
		MedicaidID:          "ga123456789",
		SSN:                 "123-45-6789",
		BranchID:            strings.ToUpper(branchID),
		Diagnoses:           []string{"e11.9", "J44.1"},
		SignatureOnFile:     true,
		SignatureOnFileDate: date("2026-02-01"),
	}
}

func TestNewPatientNormalizes(t *testing.T) {
	p, err := NewPatient(patientID, companyID, validPatient(), today, now)
	if err != nil {
		t.Fatalf("NewPatient: %v", err)
	}
	want := &Patient{
		ID: patientID, CompanyID: companyID,
		FirstName: "Ana", MiddleName: "María del Carmen", LastName: "López", Suffix: "Jr.",
		BirthDate: date("1948-07-04"), Sex: SexFemale,
		HomeAddress:     contact.Address{Line1: "1200 Main St", City: "Atlanta", State: "GA", PostalCode: "30301-1234"},
		ShippingAddress: contact.Address{Line1: "9 Oak Ave", City: "Decatur", State: "GA", PostalCode: "30030"},
		Phones:          []contact.Phone{{Number: "+14045550123", Kind: contact.PhoneKindHome}, {Number: "+14045550199", Kind: contact.PhoneKindMobile}},
		Email:           "ana@example.com",
		MBI:             "1EG4TE5MK73", MedicaidID: "GA123456789", SSN: "123456789",
		BranchID:        branchID,
		Diagnoses:       []string{"E119", "J441"},
		SignatureOnFile: true, SignatureOnFileDate: date("2026-02-01"),
		Version: 1, CreateTime: now, UpdateTime: now,
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("patient (-want +got):\n%s", diff)
	}
}

func TestNewPatientViolations(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(v *PatientValues)
		wantFields []string
	}{
		{name: "valid", edit: func(*PatientValues) {}},
		{name: "only what is required", edit: func(v *PatientValues) {
			*v = PatientValues{FirstName: "A", LastName: "B", BirthDate: date("1990-01-01"), Sex: SexUnknown,
				HomeAddress: v.HomeAddress, BranchID: branchID}
		}},
		{name: "names required", edit: func(v *PatientValues) { v.FirstName, v.LastName = " ", "" }, wantFields: []string{"firstName", "lastName"}},
		{name: "names too long", edit: func(v *PatientValues) {
			v.FirstName, v.MiddleName, v.LastName = strings.Repeat("a", 51), strings.Repeat("b", 51), strings.Repeat("c", 51)
		}, wantFields: []string{"firstName", "middleName", "lastName"}},
		{name: "longest names", edit: func(v *PatientValues) { v.FirstName, v.LastName = strings.Repeat("é", 50), strings.Repeat("ñ", 50) }},
		{name: "control character in a name", edit: func(v *PatientValues) { v.LastName = "Lo\x01pez" }, wantFields: []string{"lastName"}},
		{name: "invalid utf8 in a name", edit: func(v *PatientValues) { v.MiddleName = "\xff" }, wantFields: []string{"middleName"}},
		{name: "suffix with a digit", edit: func(v *PatientValues) { v.Suffix = "3rd" }, wantFields: []string{"suffix"}},
		{name: "suffix too long", edit: func(v *PatientValues) { v.Suffix = "Jr. Jr. Jr." }, wantFields: []string{"suffix"}},
		{name: "suffix III", edit: func(v *PatientValues) { v.Suffix = "III" }},
		{name: "birth date required", edit: func(v *PatientValues) {
			v.BirthDate = civil.Date{}
			v.SignatureOnFile, v.SignatureOnFileDate = false, civil.Date{}
		}, wantFields: []string{"birthDate"}},
		{name: "birth date not a calendar date", edit: func(v *PatientValues) { v.BirthDate = civil.Date{Year: 1950, Month: time.February, Day: 30} }, wantFields: []string{"birthDate"}},
		{name: "birth date in the future", edit: func(v *PatientValues) {
			v.BirthDate = date("2026-03-02")
			v.SignatureOnFile, v.SignatureOnFileDate = false, civil.Date{}
		}, wantFields: []string{"birthDate"}},
		{name: "born today", edit: func(v *PatientValues) { v.BirthDate = today; v.SignatureOnFileDate = today }},
		{name: "born 1900-01-01", edit: func(v *PatientValues) { v.BirthDate = date("1900-01-01") }},
		{name: "born before 1900", edit: func(v *PatientValues) { v.BirthDate = date("1899-12-31") }, wantFields: []string{"birthDate"}},
		{name: "sex required", edit: func(v *PatientValues) { v.Sex = SexUnspecified }, wantFields: []string{"sex"}},
		{name: "sex unknown to the API", edit: func(v *PatientValues) { v.Sex = "x" }, wantFields: []string{"sex"}},
		{name: "home address required", edit: func(v *PatientValues) { v.HomeAddress = contact.Address{} }, wantFields: []string{"homeAddress"}},
		{name: "addresses checked", edit: func(v *PatientValues) {
			v.HomeAddress.State, v.BillingAddress, v.ShippingAddress.PostalCode = "XX", contact.Address{City: "Macon"}, "3003"
		}, wantFields: []string{"homeAddress.state", "billingAddress.line1", "billingAddress.state", "billingAddress.postalCode", "shippingAddress.postalCode"}},
		{name: "five phones", edit: func(v *PatientValues) {
			v.Phones = []contact.Phone{{Number: "4045550101"}, {Number: "4045550102"}, {Number: "4045550103"}, {Number: "4045550104"}, {Number: "4045550105"}}
		}},
		{name: "six phones", edit: func(v *PatientValues) { v.Phones = make([]contact.Phone, 6) }, wantFields: []string{"phones"}},
		{name: "phones checked one by one", edit: func(v *PatientValues) {
			v.Phones = []contact.Phone{{Number: "4045550101"}, {Number: "104-555-0101"}, {Kind: contact.PhoneKindWork}, {Number: "+1 404 555 0101"}, {Number: "4045550101", Extension: "12"}}
		}, wantFields: []string{"phones[1].number", "phones[2].number", "phones[3]"}},
		{name: "email checked", edit: func(v *PatientValues) { v.Email = "Ana <ana@example.com>" }, wantFields: []string{"email"}},
		{name: "email optional", edit: func(v *PatientValues) { v.Email = "  " }},
		{name: "mbi with a banned letter", edit: func(v *PatientValues) { v.MBI = "1SG4TE5MK73" }, wantFields: []string{"mbi"}},
		{name: "medicaid id with a dash", edit: func(v *PatientValues) { v.MedicaidID = "GA-123" }, wantFields: []string{"medicaidId"}},
		{name: "medicaid id too long", edit: func(v *PatientValues) { v.MedicaidID = strings.Repeat("9", 21) }, wantFields: []string{"medicaidId"}},
		{name: "medicaid id of 20", edit: func(v *PatientValues) { v.MedicaidID = strings.Repeat("9", 20) }},
		{name: "ssn area 666", edit: func(v *PatientValues) { v.SSN = "666-12-3456" }, wantFields: []string{"ssn"}},
		{name: "branch required", edit: func(v *PatientValues) { v.BranchID = "" }, wantFields: []string{"branchId"}},
		{name: "branch not a uuid", edit: func(v *PatientValues) { v.BranchID = "atl-01" }, wantFields: []string{"branchId"}},
		{name: "branch uuid without dashes", edit: func(v *PatientValues) { v.BranchID = strings.ReplaceAll(branchID, "-", "") }, wantFields: []string{"branchId"}},
		{name: "diagnosis repeated", edit: func(v *PatientValues) { v.Diagnoses = []string{"E11.9", "J44.1", "e119"} }, wantFields: []string{"diagnoses[2]"}},
		{name: "diagnosis malformed", edit: func(v *PatientValues) { v.Diagnoses = []string{"E11.", "J44.1"} }, wantFields: []string{"diagnoses[0]"}},
		{name: "thirteen diagnoses", edit: func(v *PatientValues) { v.Diagnoses = make([]string, 13) }, wantFields: []string{"diagnoses"}},
		{name: "signature on file needs its date", edit: func(v *PatientValues) { v.SignatureOnFileDate = civil.Date{} }, wantFields: []string{"signatureOnFileDate"}},
		{name: "signature date without signature on file", edit: func(v *PatientValues) { v.SignatureOnFile = false }, wantFields: []string{"signatureOnFileDate"}},
		{name: "signature date in the future", edit: func(v *PatientValues) { v.SignatureOnFileDate = date("2026-03-02") }, wantFields: []string{"signatureOnFileDate"}},
		{name: "signature date before birth", edit: func(v *PatientValues) { v.SignatureOnFileDate = date("1948-07-03") }, wantFields: []string{"signatureOnFileDate"}},
		{name: "inactive date may be ahead", edit: func(v *PatientValues) { v.InactiveDate = date("2026-12-31") }},
		{name: "inactive before birth", edit: func(v *PatientValues) { v.InactiveDate = date("1948-07-03") }, wantFields: []string{"inactiveDate"}},
		{name: "deceased today", edit: func(v *PatientValues) { v.DeceasedDate = today }},
		{name: "deceased in the future", edit: func(v *PatientValues) { v.DeceasedDate = date("2026-03-02") }, wantFields: []string{"deceasedDate"}},
		{name: "deceased before birth", edit: func(v *PatientValues) { v.DeceasedDate = date("1948-07-03") }, wantFields: []string{"deceasedDate"}},
		{name: "deceased date not a calendar date", edit: func(v *PatientValues) { v.DeceasedDate = civil.Date{Year: 2025, Month: 13, Day: 1} }, wantFields: []string{"deceasedDate"}},
		{name: "no birth date: other dates judged alone", edit: func(v *PatientValues) {
			v.BirthDate, v.DeceasedDate = civil.Date{}, date("1900-01-01")
		}, wantFields: []string{"birthDate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := validPatient()
			tt.edit(&v)
			_, err := NewPatient(patientID, companyID, v, today, now)
			if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPatientUpdate(t *testing.T) {
	later := now.Add(time.Hour)
	tests := []struct {
		name       string
		fields     []PatientField
		values     PatientValues
		wantFields []string
		check      func(t *testing.T, before, after *Patient)
	}{
		{name: "only the named field changes", fields: []PatientField{PatientMiddleName}, values: PatientValues{MiddleName: " Rosa ", FirstName: "ignored"},
			check: func(t *testing.T, before, after *Patient) {
				want := *before
				want.MiddleName, want.UpdateTime = "Rosa", later
				if diff := cmp.Diff(&want, after); diff != "" {
					t.Errorf("patient (-want +got):\n%s", diff)
				}
			}},
		{name: "address part", fields: []PatientField{"home_address.city", "home_address.postal_code"},
			values: PatientValues{HomeAddress: contact.Address{City: "Marietta", PostalCode: "30060", Line1: "ignored"}},
			check: func(t *testing.T, _, after *Patient) {
				want := contact.Address{Line1: "1200 Main St", City: "Marietta", State: "GA", PostalCode: "30060"}
				if diff := cmp.Diff(want, after.HomeAddress); diff != "" {
					t.Errorf("home address (-want +got):\n%s", diff)
				}
			}},
		{name: "part of an unset optional address is judged with the rest", fields: []PatientField{"billing_address.city"},
			values: PatientValues{BillingAddress: contact.Address{City: "Macon"}}, wantFields: []string{"billingAddress.line1", "billingAddress.state", "billingAddress.postalCode"}},
		{name: "clearing an optional address", fields: []PatientField{PatientShippingAddress},
			check: func(t *testing.T, _, after *Patient) {
				if !after.ShippingAddress.IsZero() {
					t.Errorf("shipping address = %+v, want cleared", after.ShippingAddress)
				}
			}},
		{name: "the home address cannot be cleared", fields: []PatientField{PatientHomeAddress}, wantFields: []string{"homeAddress"}},
		{name: "unknown part and unknown field", fields: []PatientField{"home_address.country", "nickname"}, wantFields: []string{"home_address.country", "nickname"}},
		{name: "account number is not writable", fields: []PatientField{"account_number"}, wantFields: []string{"account_number"}},
		{name: "turning signature on file off clears its date", fields: []PatientField{PatientSignatureOnFile},
			check: func(t *testing.T, _, after *Patient) {
				if after.SignatureOnFile || !after.SignatureOnFileDate.IsZero() {
					t.Errorf("signature on file = %v, %v; want off, no date", after.SignatureOnFile, after.SignatureOnFileDate)
				}
			}},
		{name: "turning it off while sending a date is refused", fields: []PatientField{PatientSignatureOnFile, PatientSignatureOnFileDate},
			values: PatientValues{SignatureOnFileDate: date("2026-01-01")}, wantFields: []string{"signatureOnFileDate"}},
		{name: "a new birth date is judged against the stored dates", fields: []PatientField{PatientBirthDate},
			values: PatientValues{BirthDate: date("2026-02-15")}, wantFields: []string{"signatureOnFileDate"}},
		{name: "removing PHI", fields: []PatientField{PatientMBI, PatientMedicaidID, PatientSSN},
			check: func(t *testing.T, _, after *Patient) {
				if after.MBI != "" || after.MedicaidID != "" || after.SSN != "" {
					t.Error("PHI not removed")
				}
			}},
		{name: "all or nothing", fields: []PatientField{PatientFirstName, PatientEmail}, values: PatientValues{FirstName: "New", Email: "nope"}, wantFields: []string{"email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPatient(patientID, companyID, validPatient(), today, now)
			if err != nil {
				t.Fatal(err)
			}
			before := *p
			err = p.Update(tt.fields, tt.values, today, later)
			if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
				t.Fatalf("violations (-want +got):\n%s", diff)
			}
			if err != nil {
				if diff := cmp.Diff(&before, p); diff != "" {
					t.Errorf("refused update changed the patient (-before +after):\n%s", diff)
				}
				return
			}
			if tt.check != nil {
				tt.check(t, &before, p)
			}
		})
	}
}

func TestPatientActiveAndDeceased(t *testing.T) {
	tests := []struct {
		name                   string
		inactive, deceased     string
		asOf                   string
		wantActive, wantDeaths bool
		wantFrom               string
	}{
		{name: "neither date", asOf: "2026-03-01", wantActive: true},
		{name: "day before inactive", inactive: "2026-03-02", asOf: "2026-03-01", wantActive: true, wantFrom: "2026-03-02"},
		{name: "on the inactive date", inactive: "2026-03-01", asOf: "2026-03-01", wantActive: false, wantFrom: "2026-03-01"},
		{name: "day before death", deceased: "2026-03-02", asOf: "2026-03-01", wantActive: true, wantFrom: "2026-03-02"},
		{name: "on the day of death", deceased: "2026-03-01", asOf: "2026-03-01", wantActive: false, wantDeaths: true, wantFrom: "2026-03-01"},
		{name: "after death", deceased: "2026-01-01", asOf: "2026-03-01", wantActive: false, wantDeaths: true, wantFrom: "2026-01-01"},
		{name: "death before the inactive date", inactive: "2026-06-01", deceased: "2026-02-01", asOf: "2026-03-01", wantActive: false, wantDeaths: true, wantFrom: "2026-02-01"},
		{name: "inactive before death", inactive: "2026-01-01", deceased: "2026-02-01", asOf: "2026-01-15", wantActive: false, wantFrom: "2026-01-01"},
	}
	opt := func(s string) civil.Date {
		if s == "" {
			return civil.Date{}
		}
		return date(s)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Patient{InactiveDate: opt(tt.inactive), DeceasedDate: opt(tt.deceased)}
			asOf := date(tt.asOf)
			if got := p.Active(asOf); got != tt.wantActive {
				t.Errorf("Active = %v, want %v", got, tt.wantActive)
			}
			if got := p.Deceased(asOf); got != tt.wantDeaths {
				t.Errorf("Deceased = %v, want %v", got, tt.wantDeaths)
			}
			if got := p.InactiveFrom(); got != opt(tt.wantFrom) {
				t.Errorf("InactiveFrom = %v, want %v", got, tt.wantFrom)
			}
		})
	}
}

func TestDuplicateKey(t *testing.T) {
	dob := date("1948-07-04")
	base := DuplicateKey("Ana", "López", dob)
	same := []struct{ first, last string }{
		{" ana ", "LÓPEZ"},
		{"ANA", "lópez"},
		{"Ana", " López\t"},
	}
	for _, s := range same {
		if got := DuplicateKey(s.first, s.last, dob); got != base {
			t.Errorf("DuplicateKey(%q, %q) = %q, want %q", s.first, s.last, got, base)
		}
	}
	if DuplicateKey("Mary  Ann", "Smith", dob) != DuplicateKey("mary ann", "smith", dob) {
		t.Error("inner white space runs are not one space")
	}
	different := []struct {
		first, last string
		dob         civil.Date
	}{
		{"Ana", "Lopez", dob},
		{"Anna", "López", dob},
		{"Ana", "López", date("1948-07-05")},
		{"López", "Ana", dob},
		{"Ana López", "", dob},
	}
	for _, d := range different {
		if DuplicateKey(d.first, d.last, d.dob) == base {
			t.Errorf("DuplicateKey(%q, %q, %v) collides with Ana López", d.first, d.last, d.dob)
		}
	}
	if DuplicateKey("Strauß", "x", dob) != DuplicateKey("STRAUẞ", "x", dob) {
		t.Error("the two cases of sharp s do not meet")
	}
	p := Patient{FirstName: "Ana", LastName: "López", BirthDate: dob}
	if p.DuplicateKey() != base {
		t.Error("Patient.DuplicateKey differs from DuplicateKey")
	}
}

func TestPossibleDuplicate(t *testing.T) {
	if err := PossibleDuplicate(nil); err != nil {
		t.Errorf("no matches: %v", err)
	}
	err := PossibleDuplicate([]string{"p1", "p2"})
	errstest.Check(t, err, false, errs.KindFailedPrecondition, ReasonPossibleDuplicatePatient)
	e := err.(*errs.Error)
	want := []errs.PreconditionViolation{
		{Type: "DUPLICATE", Subject: "patients/p1", Description: "has the same first name, last name and birth date"},
		{Type: "DUPLICATE", Subject: "patients/p2", Description: "has the same first name, last name and birth date"},
	}
	if diff := cmp.Diff(want, e.Preconditions); diff != "" {
		t.Errorf("preconditions (-want +got):\n%s", diff)
	}
	if e.Metadata["patient_ids"] != "p1,p2" {
		t.Errorf("metadata = %v", e.Metadata)
	}
}

func TestFormatAccountNumber(t *testing.T) {
	tests := []struct {
		n    int64
		want string
		kind errs.Kind
	}{
		{n: 1, want: "PT0000001"},
		{n: 42, want: "PT0000042"},
		{n: MaxAccountNumber, want: "PT9999999"},
		{n: MaxAccountNumber + 1, kind: errs.KindResourceExhausted},
		{n: 0, kind: errs.KindInternal},
		{n: -5, kind: errs.KindInternal},
	}
	for _, tt := range tests {
		got, err := FormatAccountNumber(tt.n)
		if tt.want != "" {
			if err != nil || got != tt.want {
				t.Errorf("FormatAccountNumber(%d) = %q, %v; want %q", tt.n, got, err, tt.want)
			}
			continue
		}
		if err == nil || errs.KindOf(err) != tt.kind {
			t.Errorf("FormatAccountNumber(%d) err = %v, want kind %v", tt.n, err, tt.kind)
		}
	}
}

func TestParseAccountNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{in: "PT0000042", want: 42},
		{in: " pt0000042 ", want: 42},
		{in: "Pt9999999", want: MaxAccountNumber},
		{in: "PT0000000"},
		{in: "PT000042"},
		{in: "PT00000042"},
		{in: "PX0000042"},
		{in: "PT-000042"},
		{in: "PT+000042"},
		{in: "PT００００042"},
		{in: "0000042"},
		{in: ""},
	}
	for _, tt := range tests {
		got, err := ParseAccountNumber(tt.in)
		if tt.want == 0 {
			if diff := cmp.Diff([]string{""}, errstest.Fields(t, err)); diff != "" {
				t.Errorf("ParseAccountNumber(%q) violations (-want +got):\n%s", tt.in, diff)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseAccountNumber(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	if got, err := NormalizeAccountNumber(" pt0000042"); err != nil || got != "PT0000042" {
		t.Errorf("NormalizeAccountNumber = %q, %v", got, err)
	}
	if _, err := NormalizeAccountNumber("42"); err == nil {
		t.Error("NormalizeAccountNumber(42) accepted")
	}
}

func TestParseSSN(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{in: "123456789", want: "123456789"},
		{in: " 123-45-6789 ", want: "123456789"},
		{in: "899-99-9999", want: "899999999"},
		{in: "001-01-0001", want: "001010001"},
		{in: "665-01-0001", want: "665010001"},
		{in: "667-01-0001", want: "667010001"},
		{in: "000-12-3456"},
		{in: "666-12-3456"},
		{in: "900-12-3456"},
		{in: "999-12-3456"},
		{in: "123-00-4567"},
		{in: "123-45-0000"},
		{in: "12345678"},
		{in: "1234567890"},
		{in: "123-456-789"},
		{in: "12-345-6789"},
		{in: "123 45 6789"},
		{in: "123-45-678a"},
		{in: "１２３456789"},
		{in: "123-4--6789"},
		{in: ""},
	}
	for _, tt := range tests {
		got, err := ParseSSN(tt.in)
		if tt.want == "" {
			if diff := cmp.Diff([]string{""}, errstest.Fields(t, err)); diff != "" {
				t.Errorf("ParseSSN(%q) violations (-want +got):\n%s", tt.in, diff)
			} else if strings.Contains(err.Error(), strings.TrimSpace(tt.in)) && tt.in != "" {
				t.Errorf("ParseSSN(%q) error repeats the input: %v", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSSN(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseSSN(f *testing.F) {
	for _, s := range []string{"123-45-6789", "123456789", "666-12-3456", "900-00-0000", "123-4--6789", " 078-05-1120", "12345678a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseSSN(in)
		if err != nil {
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("ParseSSN(%q) error kind %v", in, errs.KindOf(err))
			}
			return
		}
		if len(got) != 9 || strings.Trim(got, "0123456789") != "" {
			t.Fatalf("ParseSSN(%q) = %q, not 9 digits", in, got)
		}
		if a := got[:3]; a == "000" || a == "666" || a[0] == '9' || got[3:5] == "00" || got[5:] == "0000" {
			t.Fatalf("ParseSSN(%q) = %q, a number never issued", in, got)
		}
		if again, err := ParseSSN(got); err != nil || again != got {
			t.Fatalf("not idempotent on %q: %q, %v", got, again, err)
		}
		dashed := got[:3] + "-" + got[3:5] + "-" + got[5:]
		if again, err := ParseSSN(dashed); err != nil || again != got {
			t.Fatalf("printed form %q not read back: %q, %v", dashed, again, err)
		}
	})
}

func FuzzParseAccountNumber(f *testing.F) {
	for _, s := range []string{"PT0000042", "pt0000001", "PT9999999", "PT0000000", "PT-000001", "PT", "PT12345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := ParseAccountNumber(in)
		if err != nil {
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("ParseAccountNumber(%q) error kind %v", in, errs.KindOf(err))
			}
			return
		}
		formatted, err := FormatAccountNumber(n)
		if err != nil {
			t.Fatalf("ParseAccountNumber(%q) = %d, which FormatAccountNumber refuses: %v", in, n, err)
		}
		if !strings.EqualFold(formatted, strings.TrimSpace(in)) {
			t.Fatalf("ParseAccountNumber(%q) = %d, formatted %q: not the same number", in, n, formatted)
		}
		if back, err := ParseAccountNumber(formatted); err != nil || back != n {
			t.Fatalf("round trip of %q: %d, %v", formatted, back, err)
		}
	})
}

// FuzzPatientValues feeds arbitrary text to every text field of a patient:
// normalization never panics, refuses only with field violations, and what
// it accepts it accepts again unchanged.
func FuzzPatientValues(f *testing.F) {
	f.Add("Ana", "López", "Jr.", "1200 Main St", "ga", "303011234", "(404) 555-0123", "ana@example.com", "1eg4-te5-mk73", "ga123", "123-45-6789", "e11.9")
	f.Add(" ", "\xff", "3rd", "", "ZZ", "3030", "104-555-0123", "a@b", "1SG4TE5MK73", "GA-1", "666-12-3456", "E11.")
	f.Add("A\tB", strings.Repeat("x", 51), "III", "x", "pr", "00716", "+1 404 555 0123", "Ana <a@b.co>", "1EG4TE5MK7", "", "000000000", "Z99.81")
	f.Fuzz(func(t *testing.T, first, last, suffix, line1, state, zip, phone, email, mbi, medicaid, ssn, diagnosis string) {
		values := PatientValues{
			FirstName: first, LastName: last, Suffix: suffix,
			BirthDate: date("1950-01-01"), Sex: SexMale,
			HomeAddress: contact.Address{Line1: line1, City: "City", State: state, PostalCode: zip},
			Phones:      []contact.Phone{{Number: phone}},
			Email:       email, MBI: mbi, MedicaidID: medicaid, SSN: ssn,
			BranchID:  branchID,
			Diagnoses: []string{diagnosis},
		}
		p, err := NewPatient(patientID, companyID, values, today, now)
		if err != nil {
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("error kind %v: %v", errs.KindOf(err), err)
			}
			return
		}
		again, err := NewPatient(patientID, companyID, storedValues(p), today, now)
		if err != nil {
			t.Fatalf("stored form refused: %v", err)
		}
		if diff := cmp.Diff(p, again); diff != "" {
			t.Fatalf("normalization is not idempotent (-first +second):\n%s", diff)
		}
	})
}

// storedValues returns the values a client would send to recreate p.
func storedValues(p *Patient) PatientValues {
	return PatientValues{
		FirstName: p.FirstName, MiddleName: p.MiddleName, LastName: p.LastName, Suffix: p.Suffix,
		BirthDate: p.BirthDate, Sex: p.Sex,
		HomeAddress: p.HomeAddress, BillingAddress: p.BillingAddress, ShippingAddress: p.ShippingAddress,
		Phones: p.Phones, Email: p.Email,
		MBI: p.MBI.Reveal(), MedicaidID: p.MedicaidID.Reveal(), SSN: p.SSN.Reveal(),
		BranchID: p.BranchID, Diagnoses: p.Diagnoses,
		SignatureOnFile: p.SignatureOnFile, SignatureOnFileDate: p.SignatureOnFileDate,
		InactiveDate: p.InactiveDate, DeceasedDate: p.DeceasedDate,
	}
}
