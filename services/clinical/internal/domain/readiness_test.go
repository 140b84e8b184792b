package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs/errstest"
)

// The world Readiness is asked about: an active patient with an active
// primary coverage, a signed CPAP order and a signed power wheelchair order
// with its face-to-face encounter, on a date of service of 2026-03-01.
var dos = date("2026-03-01")

const otherPatientID = "0195f3a2-0000-7000-8000-0000000000a2"

func readyPatient() *Patient {
	return &Patient{ID: patientID, CompanyID: companyID, FirstName: "Ana", LastName: "López", BirthDate: date("1948-07-04")}
}

func primaryCoverage() Coverage {
	return Coverage{ID: "cv-primary", PatientID: patientID, Rank: 1, EffectiveDate: date("2026-01-01")}
}

func signedOrder(id string, orderDate civil.Date, months int, codes ...string) WrittenOrder {
	o := WrittenOrder{ID: id, PatientID: patientID, PrescriberID: prescriberID, OrderDate: orderDate,
		SignatureDate: orderDate, LengthOfNeedMonths: months, Diagnoses: []string{"G4733"}, Status: WrittenOrderSigned}
	for _, c := range codes {
		o.Items = append(o.Items, WrittenOrderItem{HCPCS: c, Description: c, Quantity: 1})
	}
	return o
}

func cpapOrder() WrittenOrder {
	return signedOrder("wo-cpap", date("2026-02-10"), 99, "E0601", "A7030")
}

func chairOrder() WrittenOrder {
	o := signedOrder("wo-chair", date("2026-02-10"), 12, "K0823")
	o.FaceToFaceDate = date("2026-01-15")
	return o
}

// req builds an expected requirement; descriptions are not compared.
func req(code RequirementCode, hcpcs, resource string) Requirement {
	return Requirement{Code: code, HCPCS: hcpcs, Resource: resource}
}

func TestReadiness(t *testing.T) {
	deleted := now
	patientName := "patients/" + patientID
	tests := []struct {
		name      string
		patient   func(p *Patient)
		coverages func() []Coverage
		orders    func() []WrittenOrder
		hcpcs     []string
		want      []Requirement
	}{
		{name: "ready", hcpcs: []string{"E0601", "K0823", "A7030"}},

		// PATIENT_INACTIVE
		{name: "inactive on the date of service", patient: func(p *Patient) { p.InactiveDate = dos }, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementPatientInactive, "", patientName)}},
		{name: "inactive from the next day: still ready", patient: func(p *Patient) { p.InactiveDate = dos.AddDays(1) }, hcpcs: []string{"E0601"}},

		// PATIENT_DECEASED
		{name: "died on the date of service", patient: func(p *Patient) { p.DeceasedDate = dos }, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementPatientDeceased, "", patientName)}},
		{name: "died before, and made inactive before", patient: func(p *Patient) { p.DeceasedDate, p.InactiveDate = date("2026-02-01"), date("2026-02-02") }, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementPatientInactive, "", patientName), req(RequirementPatientDeceased, "", patientName)}},
		{name: "date of death after the date of service: ready", patient: func(p *Patient) { p.DeceasedDate = dos.AddDays(1) }, hcpcs: []string{"E0601"}},

		// NO_PRIMARY_COVERAGE
		{name: "no coverage", coverages: func() []Coverage { return nil }, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementNoPrimaryCoverage, "", patientName)}},
		{name: "only a secondary", coverages: func() []Coverage { c := primaryCoverage(); c.Rank = 2; return []Coverage{c} }, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementNoPrimaryCoverage, "", patientName)}},
		{name: "primary ended the day before", coverages: func() []Coverage { c := primaryCoverage(); c.EndDate = dos.AddDays(-1); return []Coverage{c} }, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementNoPrimaryCoverage, "", patientName)}},
		{name: "primary effective the day after", coverages: func() []Coverage { c := primaryCoverage(); c.EffectiveDate = dos.AddDays(1); return []Coverage{c} }, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementNoPrimaryCoverage, "", patientName)}},
		{name: "primary deleted", coverages: func() []Coverage { c := primaryCoverage(); c.DeleteTime = &deleted; return []Coverage{c} }, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementNoPrimaryCoverage, "", patientName)}},
		{name: "another patient's primary", coverages: func() []Coverage { c := primaryCoverage(); c.PatientID = otherPatientID; return []Coverage{c} }, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementNoPrimaryCoverage, "", patientName)}},
		{name: "primary effective and ending on the date of service: ready", coverages: func() []Coverage {
			c := primaryCoverage()
			c.EffectiveDate, c.EndDate = dos, dos
			return []Coverage{c}
		}, hcpcs: []string{"E0601"}},
		{name: "a new primary after an ended one: ready", coverages: func() []Coverage {
			old := primaryCoverage()
			old.ID, old.Rank, old.EndDate = "cv-old", 2, date("2025-12-31")
			return []Coverage{old, primaryCoverage()}
		}, hcpcs: []string{"E0601"}},

		// NO_SIGNED_ORDER
		{name: "no orders", orders: func() []WrittenOrder { return nil }, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementNoSignedOrder, "E0601", patientName)}},
		{name: "only a draft", orders: func() []WrittenOrder { o := cpapOrder(); o.Status = WrittenOrderDraft; return []WrittenOrder{o} }, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementNoSignedOrder, "E0601", patientName)}},
		{name: "only a revoked order", orders: func() []WrittenOrder { o := cpapOrder(); o.Status = WrittenOrderRevoked; return []WrittenOrder{o} }, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementNoSignedOrder, "E0601", patientName)}},
		{name: "another patient's order", orders: func() []WrittenOrder { o := cpapOrder(); o.PatientID = otherPatientID; return []WrittenOrder{o} }, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementNoSignedOrder, "E0601", patientName)}},
		{name: "a code no order has", hcpcs: []string{"E0601", "E0562"},
			want: []Requirement{req(RequirementNoSignedOrder, "E0562", patientName)}},

		// ORDER_EXPIRED
		{name: "the only order expired", orders: func() []WrittenOrder {
			return []WrittenOrder{signedOrder("wo-old", date("2025-12-01"), 2, "E0601")}
		}, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementOrderExpired, "E0601", "written_orders/wo-old")}},
		{name: "the order expiring on the date of service: ready", orders: func() []WrittenOrder {
			return []WrittenOrder{signedOrder("wo-old", date("2026-01-01"), 2, "E0601")}
		}, hcpcs: []string{"E0601"}},
		{name: "several expired: the latest is named", orders: func() []WrittenOrder {
			return []WrittenOrder{signedOrder("wo-older", date("2025-01-01"), 6, "E0601"), signedOrder("wo-old", date("2025-06-01"), 6, "E0601"), signedOrder("wo-oldest", date("2024-01-01"), 6, "E0601")}
		}, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementOrderExpired, "E0601", "written_orders/wo-old")}},
		{name: "an expired order and a current one: ready", orders: func() []WrittenOrder {
			return []WrittenOrder{signedOrder("wo-old", date("2025-01-01"), 6, "E0601"), cpapOrder()}
		}, hcpcs: []string{"E0601"}},
		{name: "an expired order and a revoked one: expired", orders: func() []WrittenOrder {
			revoked := cpapOrder()
			revoked.Status = WrittenOrderRevoked
			return []WrittenOrder{signedOrder("wo-old", date("2025-01-01"), 6, "E0601"), revoked}
		}, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementOrderExpired, "E0601", "written_orders/wo-old")}},

		// DIAGNOSIS_MISSING
		{name: "the covering order has no diagnosis", orders: func() []WrittenOrder { o := cpapOrder(); o.Diagnoses = nil; return []WrittenOrder{o} }, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementDiagnosisMissing, "E0601", "written_orders/wo-cpap")}},
		{name: "a complete order beats a newer incomplete one", orders: func() []WrittenOrder {
			newer := signedOrder("wo-new", date("2026-02-20"), 99, "E0601")
			newer.Diagnoses = nil
			return []WrittenOrder{newer, cpapOrder()}
		}, hcpcs: []string{"E0601"}},
		{name: "of two incomplete orders the newer is named", orders: func() []WrittenOrder {
			older, newer := cpapOrder(), signedOrder("wo-new", date("2026-02-20"), 99, "E0601")
			older.Diagnoses, newer.Diagnoses = nil, nil
			return []WrittenOrder{newer, older}
		}, hcpcs: []string{"E0601"},
			want: []Requirement{req(RequirementDiagnosisMissing, "E0601", "written_orders/wo-new")}},

		// FACE_TO_FACE_MISSING
		{name: "power chair without a face-to-face", orders: func() []WrittenOrder { o := chairOrder(); o.FaceToFaceDate = civil.Date{}; return []WrittenOrder{o} }, hcpcs: []string{"K0823"},
			want: []Requirement{req(RequirementFaceToFaceMissing, "K0823", "written_orders/wo-chair")}},
		{name: "CPAP needs no face-to-face", orders: func() []WrittenOrder { o := cpapOrder(); o.FaceToFaceDate = civil.Date{}; return []WrittenOrder{o} }, hcpcs: []string{"E0601"}},
		{name: "an orthosis ordered before it joined the list", orders: func() []WrittenOrder {
			return []WrittenOrder{signedOrder("wo-ko", date("2023-04-16"), 99, "L1843")}
		}, hcpcs: []string{"L1843"}},
		{name: "an orthosis ordered after it joined the list", orders: func() []WrittenOrder {
			return []WrittenOrder{signedOrder("wo-ko", date("2023-04-17"), 99, "L1843")}
		}, hcpcs: []string{"L1843"},
			want: []Requirement{req(RequirementFaceToFaceMissing, "L1843", "written_orders/wo-ko")}},
		{name: "face-to-face is asked of the code, not the order", orders: func() []WrittenOrder {
			o := signedOrder("wo-both", date("2026-02-10"), 12, "K0823", "E2601")
			return []WrittenOrder{o}
		}, hcpcs: []string{"E2601", "K0823"},
			want: []Requirement{req(RequirementFaceToFaceMissing, "K0823", "written_orders/wo-both")}},
		{name: "no diagnosis and no face-to-face", orders: func() []WrittenOrder {
			o := chairOrder()
			o.FaceToFaceDate, o.Diagnoses = civil.Date{}, nil
			return []WrittenOrder{o}
		}, hcpcs: []string{"K0823"},
			want: []Requirement{req(RequirementDiagnosisMissing, "K0823", "written_orders/wo-chair"), req(RequirementFaceToFaceMissing, "K0823", "written_orders/wo-chair")}},

		// Order of the list, and the codes asked about.
		{name: "patient-level first, then codes in the order given", patient: func(p *Patient) { p.InactiveDate = dos },
			coverages: func() []Coverage { return nil }, orders: func() []WrittenOrder { return nil },
			hcpcs: []string{"K0823", "E0601"},
			want: []Requirement{
				req(RequirementPatientInactive, "", patientName),
				req(RequirementNoPrimaryCoverage, "", patientName),
				req(RequirementNoSignedOrder, "K0823", patientName),
				req(RequirementNoSignedOrder, "E0601", patientName),
			}},
		{name: "codes normalized and asked once", orders: func() []WrittenOrder { return nil }, hcpcs: []string{" e0601", "E0601 ", "k0823", "E0601"},
			want: []Requirement{req(RequirementNoSignedOrder, "E0601", patientName), req(RequirementNoSignedOrder, "K0823", patientName)}},
		{name: "blank codes skipped", hcpcs: []string{" ", "E0601", ""}},
		{name: "no codes: the patient alone", coverages: func() []Coverage { return nil }, hcpcs: nil,
			want: []Requirement{req(RequirementNoPrimaryCoverage, "", patientName)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := readyPatient()
			if tt.patient != nil {
				tt.patient(p)
			}
			coverages := []Coverage{primaryCoverage()}
			if tt.coverages != nil {
				coverages = tt.coverages()
			}
			orders := []WrittenOrder{cpapOrder(), chairOrder()}
			if tt.orders != nil {
				orders = tt.orders()
			}
			got := Readiness(p, coverages, orders, tt.hcpcs, dos)
			for i := range got {
				if got[i].Description == "" {
					t.Errorf("%s has no description", got[i].Code)
				}
				if strings.Contains(got[i].Description, "López") || strings.Contains(got[i].Description, "1948") {
					t.Errorf("%s description carries PHI: %q", got[i].Code, got[i].Description)
				}
				got[i].Description = ""
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Readiness (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadinessDoesNotDependOnInputOrder shuffles the orders: the covering
// order chosen is the same whichever comes first.
func TestReadinessDoesNotDependOnInputOrder(t *testing.T) {
	a, b := signedOrder("wo-a", date("2026-02-10"), 99, "E0601"), signedOrder("wo-b", date("2026-02-10"), 99, "E0601")
	a.Diagnoses, b.Diagnoses = nil, nil
	first := Readiness(readyPatient(), []Coverage{primaryCoverage()}, []WrittenOrder{a, b}, []string{"E0601"}, dos)
	second := Readiness(readyPatient(), []Coverage{primaryCoverage()}, []WrittenOrder{b, a}, []string{"E0601"}, dos)
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("input order changed the answer (-first +second):\n%s", diff)
	}
	if len(first) != 1 || first[0].Resource != "written_orders/wo-b" {
		t.Errorf("Readiness = %+v, want the order with the greater id named", first)
	}
}

func TestSignAndReadinessShareCodes(t *testing.T) {
	if UnmetDiagnosisMissing != string(RequirementDiagnosisMissing) || UnmetFaceToFaceMissing != string(RequirementFaceToFaceMissing) {
		t.Error("Sign's and Readiness's codes for the same gap differ")
	}
}

func TestParseReadinessCodes(t *testing.T) {
	twenty := make([]string, 20)
	for i := range twenty {
		twenty[i] = "E0601"
	}
	tests := []struct {
		name       string
		in         []string
		want       []string
		wantFields []string
	}{
		{name: "normalized in order", in: []string{" e0601", "K0823"}, want: []string{"E0601", "K0823"}},
		{name: "twenty", in: twenty, want: twenty},
		{name: "none", in: nil, wantFields: []string{"hcpcsCodes"}},
		{name: "twenty-one", in: append(twenty, "E0601"), wantFields: []string{"hcpcsCodes"}},
		{name: "bad entries named", in: []string{"E0601", "95811", "W1234", ""}, wantFields: []string{"hcpcsCodes[1]", "hcpcsCodes[2]", "hcpcsCodes[3]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseReadinessCodes(tt.in)
			if diff := cmp.Diff(tt.wantFields, errstest.Fields(t, err)); diff != "" {
				t.Fatalf("violations (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" && err == nil {
				t.Errorf("codes (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzReadiness asks about arbitrary codes on arbitrary dates: Readiness
// never panics, always puts patient-level requirements first, and names a
// code on every per-code requirement.
func FuzzReadiness(f *testing.F) {
	f.Add("E0601,K0823", 2026, 3, 1, 1)
	f.Add("", 1900, 1, 1, 0)
	f.Add("x,,K0823,k0823", 9999, 12, 31, 12)
	f.Fuzz(func(t *testing.T, codes string, year, month, day, months int) {
		asOf := civil.Date{Year: year, Month: time.Month(month), Day: day}
		if !asOf.IsValid() {
			return
		}
		order := signedOrder("wo1", date("2026-02-10"), months, "K0823", "E0601")
		got := Readiness(readyPatient(), []Coverage{primaryCoverage()}, []WrittenOrder{order}, strings.Split(codes, ","), asOf)
		perCode := false
		for _, r := range got {
			switch r.Code {
			case RequirementPatientInactive, RequirementPatientDeceased, RequirementNoPrimaryCoverage:
				if perCode || r.HCPCS != "" {
					t.Fatalf("patient-level %s out of place: %+v", r.Code, got)
				}
			default:
				if r.HCPCS == "" {
					t.Fatalf("per-code %s names no code: %+v", r.Code, got)
				}
				perCode = true
			}
		}
	})
}
