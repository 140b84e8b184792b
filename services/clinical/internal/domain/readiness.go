package domain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

// RequirementCode names one thing missing before equipment can be billed
// for a patient on a date of service. Clients branch on the codes; their
// set only grows.
type RequirementCode string

// Requirement codes, in the order Readiness reports them: patient-level
// first, then per HCPCS code.
const (
	// RequirementPatientInactive: the patient's inactive date is on or
	// before the date of service.
	RequirementPatientInactive RequirementCode = "PATIENT_INACTIVE"
	// RequirementPatientDeceased: the patient died on or before the date of
	// service.
	RequirementPatientDeceased RequirementCode = "PATIENT_DECEASED"
	// RequirementNoPrimaryCoverage: no coverage of rank 1 is active on the
	// date of service.
	RequirementNoPrimaryCoverage RequirementCode = "NO_PRIMARY_COVERAGE"
	// RequirementNoSignedOrder: no signed (or expired) written order of
	// the patient has an item of the HCPCS code.
	RequirementNoSignedOrder RequirementCode = "NO_SIGNED_ORDER"
	// RequirementOrderExpired: the signed orders that have the HCPCS code
	// have all expired by the date of service.
	RequirementOrderExpired RequirementCode = "ORDER_EXPIRED"
	// RequirementDiagnosisMissing: the order that covers the HCPCS code
	// has no diagnosis.
	RequirementDiagnosisMissing RequirementCode = "DIAGNOSIS_MISSING"
	// RequirementFaceToFaceMissing: the HCPCS code needs a face-to-face
	// encounter and the order that covers it has no face-to-face date.
	RequirementFaceToFaceMissing RequirementCode = "FACE_TO_FACE_MISSING"
)

// Requirement is one thing missing: what, for which HCPCS code when it is
// about one, and which resource to fix. Description is for people and
// holds no PHI.
type Requirement struct {
	Code RequirementCode
	// HCPCS is the code the requirement is about, or "" for patient-level
	// requirements.
	HCPCS string
	// Resource names the resource to fix: "patients/{id}" or
	// "written_orders/{id}".
	Resource    string
	Description string
}

// Readiness lists what is missing before items of the given HCPCS codes
// can be billed for patient on dateOfService; an empty list means ready.
// coverages and orders are the patient's (others' are ignored, as are
// deleted coverages, drafts and revoked orders). Codes are read as
// ParseReadinessCodes reads them; blank ones are skipped. The list holds
// patient-level requirements first (inactive, deceased, no primary
// coverage) and then, for each distinct code in the order given, the
// first that applies of no signed order and all covering orders expired,
// or else what the covering order lacks (diagnosis, face-to-face date).
//
// When several unexpired signed orders have the code, the one lacking
// least covers it, the most recent order date breaking ties; so a patient
// with one complete order is ready even if an older one is incomplete.
// A patient who is deceased is reported as deceased, not also as inactive,
// unless an inactive date of its own has passed too.
func Readiness(patient *Patient, coverages []Coverage, orders []WrittenOrder, hcpcs []string, dateOfService civil.Date) []Requirement {
	var missing []Requirement
	patientName := "patients/" + patient.ID
	if !patient.InactiveDate.IsZero() && !dateOfService.Before(patient.InactiveDate) {
		missing = append(missing, Requirement{Code: RequirementPatientInactive, Resource: patientName,
			Description: "the patient is inactive on the date of service"})
	}
	if patient.Deceased(dateOfService) {
		missing = append(missing, Requirement{Code: RequirementPatientDeceased, Resource: patientName,
			Description: "the patient died on or before the date of service"})
	}
	if !hasPrimaryCoverage(patient.ID, coverages, dateOfService) {
		missing = append(missing, Requirement{Code: RequirementNoPrimaryCoverage, Resource: patientName,
			Description: "no primary (rank 1) coverage is active on the date of service"})
	}
	var seen []string
	for _, raw := range hcpcs {
		code := normalizeReadinessCode(raw)
		if code == "" || slices.Contains(seen, code) {
			continue
		}
		seen = append(seen, code)
		missing = append(missing, codeReadiness(patient, orders, code, dateOfService)...)
	}
	return missing
}

// hasPrimaryCoverage reports whether a coverage of the patient of rank 1
// is active on d.
func hasPrimaryCoverage(patientID string, coverages []Coverage, d civil.Date) bool {
	for i := range coverages {
		c := &coverages[i]
		if c.PatientID == patientID && c.Rank == PrimaryRank && c.ActiveOn(d) {
			return true
		}
	}
	return false
}

// codeReadiness lists what is missing for one HCPCS code.
func codeReadiness(patient *Patient, orders []WrittenOrder, code string, dateOfService civil.Date) []Requirement {
	var covering *WrittenOrder
	var gaps []Requirement
	var lastExpired *WrittenOrder
	for i := range orders {
		o := &orders[i]
		if o.PatientID != patient.ID || !o.Covers(code) {
			continue
		}
		switch o.EffectiveStatus(dateOfService) {
		case WrittenOrderExpired:
			if lastExpired == nil || o.ExpireDate().After(lastExpired.ExpireDate()) {
				lastExpired = o
			}
		case WrittenOrderSigned:
			g := orderGaps(o, code)
			if covering == nil || len(g) < len(gaps) || (len(g) == len(gaps) && newerOrder(o, covering)) {
				covering, gaps = o, g
			}
		}
	}
	switch {
	case covering != nil:
		return gaps
	case lastExpired != nil:
		return []Requirement{{Code: RequirementOrderExpired, HCPCS: code, Resource: "written_orders/" + lastExpired.ID,
			Description: "every signed written order for " + code + " has expired by the date of service"}}
	}
	return []Requirement{{Code: RequirementNoSignedOrder, HCPCS: code, Resource: "patients/" + patient.ID,
		Description: "no signed written order of the patient has an item of " + code}}
}

// orderGaps lists what a signed order covering code lacks.
func orderGaps(o *WrittenOrder, code string) []Requirement {
	var gaps []Requirement
	name := "written_orders/" + o.ID
	if len(o.Diagnoses) == 0 {
		gaps = append(gaps, Requirement{Code: RequirementDiagnosisMissing, HCPCS: code, Resource: name,
			Description: "the written order for " + code + " has no diagnosis"})
	}
	if FaceToFaceRequired(code, o.OrderDate) && o.FaceToFaceDate.IsZero() {
		gaps = append(gaps, Requirement{Code: RequirementFaceToFaceMissing, HCPCS: code, Resource: name,
			Description: code + " needs a face-to-face encounter before the order, and the written order has no face-to-face date"})
	}
	return gaps
}

// newerOrder reports whether a was written after b: a later order date,
// then a later signature date, then the greater id (UUIDv7 ids grow with
// time), so the choice never depends on the order of the input.
func newerOrder(a, b *WrittenOrder) bool {
	if c := a.OrderDate.Compare(b.OrderDate); c != 0 {
		return c > 0
	}
	if c := a.SignatureDate.Compare(b.SignatureDate); c != 0 {
		return c > 0
	}
	return a.ID > b.ID
}

// normalizeReadinessCode is a HCPCS code in stored form, or the trimmed
// upper-cased input when it is not one (it then matches no order).
func normalizeReadinessCode(raw string) string {
	if code, ok := usformat.NormalizeHCPCS(raw); ok {
		return code
	}
	return strings.ToUpper(strings.TrimSpace(raw))
}

// MaxReadinessCodes is how many HCPCS codes one readiness check may ask
// about.
const MaxReadinessCodes = 20

// ParseReadinessCodes checks the HCPCS codes of a readiness request: 1 to
// MaxReadinessCodes HCPCS Level II codes, returned in stored form in the
// order given. Violations name "hcpcsCodes" or "hcpcsCodes[i]".
func ParseReadinessCodes(codes []string) ([]string, error) {
	var v errs.Violations
	if len(codes) == 0 || len(codes) > MaxReadinessCodes {
		v.Addf("hcpcsCodes", "must list 1-%d HCPCS codes", MaxReadinessCodes)
		return nil, v.Err()
	}
	out := make([]string, len(codes))
	for i, raw := range codes {
		code, ok := usformat.NormalizeHCPCS(raw)
		if !ok {
			v.Add(fmt.Sprintf("hcpcsCodes[%d]", i), "must be a HCPCS Level II code: a letter A-V and 4 digits, such as E0601")
		}
		out[i] = code
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
