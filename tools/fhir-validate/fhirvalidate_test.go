package fhirvalidate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "valid", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mutate decodes a valid fixture, lets f break it, and encodes it again, so
// each broken case differs from a resource that passes by one fault only.
func mutate(t *testing.T, name string, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(fixture(t, name), &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// replace edits a valid fixture's text (for faults that a decoded map cannot
// hold, such as a repeated key).
func replace(t *testing.T, name, old, new string) []byte {
	t.Helper()
	s := string(fixture(t, name))
	if !strings.Contains(s, old) {
		t.Fatalf("%s does not contain %q", name, old)
	}
	return []byte(strings.Replace(s, old, new, 1))
}

func TestValidR4Resources(t *testing.T) {
	for _, tc := range []struct {
		file, resourceType string
		contains           []string // what the fixture must show, so it keeps covering it
	}{
		{"patient.json", "Patient", []string{"http://hl7.org/fhir/sid/us-mbi", `"gender"`, `"birthDate"`, `"address"`}},
		{"coverage.json", "Coverage", []string{`"beneficiary"`, `"payor"`}},
		{"practitioner.json", "Practitioner", []string{"http://hl7.org/fhir/sid/us-npi"}},
		{"organization.json", "Organization", []string{`"name"`}},
		{"location.json", "Location", []string{`"address"`}},
		{"device.json", "Device", []string{`"serialNumber"`, `"status"`}},
		{"devicerequest.json", "DeviceRequest", []string{`"intent": "order"`, `"status"`, `"codeCodeableConcept"`, "https://bluebutton.cms.gov/resources/codesystem/hcpcs", `"subject"`, `"authoredOn"`}},
		{"supplydelivery.json", "SupplyDelivery", []string{`"suppliedItem"`}},
		{"bundle-searchset.json", "Bundle", []string{`"searchset"`, `"relation": "next"`}},
		{"bundle-transaction.json", "Bundle", []string{`"transaction"`, `"request"`}},
		{"operationoutcome.json", "OperationOutcome", []string{`"issue"`}},
		{"capabilitystatement.json", "CapabilityStatement", []string{`"fhirVersion": "4.0.1"`}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b := fixture(t, tc.file)
			for _, s := range append([]string{`"resourceType": "` + tc.resourceType + `"`}, tc.contains...) {
				if !strings.Contains(string(b), s) {
					t.Errorf("fixture no longer contains %s", s)
				}
			}
			if err := Validate(b); err != nil {
				t.Errorf("valid %s rejected:\n%v", tc.resourceType, err)
			}
		})
	}
}

func TestBrokenR4Resources(t *testing.T) {
	for _, tc := range []struct {
		name     string
		json     []byte
		wantPath string // the issue's element path
		wantMsg  string // a part of its message
	}{
		// required elements (min 1)
		{"DeviceRequest without intent", mutate(t, "devicerequest.json", func(m map[string]any) { delete(m, "intent") }),
			"DeviceRequest", `missing required field "intent"`},
		{"DeviceRequest without subject", mutate(t, "devicerequest.json", func(m map[string]any) { delete(m, "subject") }),
			"DeviceRequest", `missing required field "subject"`},
		{"DeviceRequest without code[x]", mutate(t, "devicerequest.json", func(m map[string]any) { delete(m, "codeCodeableConcept") }),
			"DeviceRequest", `missing required field "code"`},
		{"Bundle link without url", mutate(t, "bundle-searchset.json", func(m map[string]any) {
			delete(m["link"].([]any)[1].(map[string]any), "url")
		}), "Bundle.link[1]", `missing required field "url"`},
		{"OperationOutcome issue without code", mutate(t, "operationoutcome.json", func(m map[string]any) {
			delete(m["issue"].([]any)[0].(map[string]any), "code")
		}), "OperationOutcome.issue[0]", `missing required field "code"`},

		// cardinality
		{"two birthDate keys", replace(t, "patient.json", `"birthDate": "1948-03-14"`, `"birthDate": "1948-03-14", "birthDate": "1950-01-01"`),
			"Patient.birthDate", "more than once"},
		{"birthDate as an array", mutate(t, "patient.json", func(m map[string]any) { m["birthDate"] = []any{"1948-03-14", "1950-01-01"} }),
			"Patient.birthDate", "invalid JSON"},
		{"identifier as a single object", mutate(t, "patient.json", func(m map[string]any) { m["identifier"] = m["identifier"].([]any)[0] }),
			"Patient.identifier", "expected array"},

		// primitive formats
		{"birthDate 1948-13-40", mutate(t, "patient.json", func(m map[string]any) { m["birthDate"] = "1948-13-40" }),
			"Patient.birthDate", "expected date"},
		{"authoredOn without seconds", mutate(t, "devicerequest.json", func(m map[string]any) { m["authoredOn"] = "2024-05-01T09:15" }),
			"DeviceRequest.authoredOn", "expected datetime"},
		{"id with a space", mutate(t, "device.json", func(m map[string]any) { m["id"] = "dev 1" }),
			"Device.id", "invalid Id format"},
		{"active as a string", mutate(t, "patient.json", func(m map[string]any) { m["active"] = "yes" }),
			"Patient.active", "expected boolean"},
		{"empty string", mutate(t, "patient.json", func(m map[string]any) { m["name"].([]any)[0].(map[string]any)["family"] = "" }),
			"Patient.name[0].family", "empty string"},

		// required bindings
		{"Patient.gender m", mutate(t, "patient.json", func(m map[string]any) { m["gender"] = "m" }),
			"Patient.gender", "not a AdministrativeGenderCode"},
		{"Patient.gender Female (case)", mutate(t, "patient.json", func(m map[string]any) { m["gender"] = "Female" }),
			"Patient.gender", `did you mean "female"`},
		{"DeviceRequest.intent maybe", mutate(t, "devicerequest.json", func(m map[string]any) { m["intent"] = "maybe" }),
			"DeviceRequest.intent", "not a RequestIntentCode"},
		{"DeviceRequest.status entered_in_error", mutate(t, "devicerequest.json", func(m map[string]any) { m["status"] = "entered_in_error" }),
			"DeviceRequest.status", `did you mean "entered-in-error"`},
		{"Device.status broken", mutate(t, "device.json", func(m map[string]any) { m["status"] = "broken" }),
			"Device.status", "not a FHIRDeviceStatusCode"},
		{"Bundle.type bogus", mutate(t, "bundle-transaction.json", func(m map[string]any) { m["type"] = "bogus" }),
			"Bundle.type", "not a BundleTypeCode"},
		{"fhirVersion 4.0.9", mutate(t, "capabilitystatement.json", func(m map[string]any) { m["fhirVersion"] = "4.0.9" }),
			"CapabilityStatement.fhirVersion", "not a FHIRVersionCode"},
		{"Address.use nowhere", mutate(t, "patient.json", func(m map[string]any) { m["address"].([]any)[0].(map[string]any)["use"] = "nowhere" }),
			"Patient.address[0].use", "not a AddressUseCode"},

		// unknown elements
		{"unknown element", mutate(t, "patient.json", func(m map[string]any) { m["nickname"] = "Annie" }),
			"Patient.nickname", "unknown element"},
		{"unknown element inside a Bundle entry", mutate(t, "bundle-searchset.json", func(m map[string]any) {
			m["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)["priorty"] = "routine"
		}), "Bundle.entry[0].resource.DeviceRequest.priorty", "unknown element"},
		{"unknown resourceType", mutate(t, "patient.json", func(m map[string]any) { m["resourceType"] = "Patientx" }),
			"Patientx", "unknown resource type"},

		// choice types
		{"DeviceRequest.codeString (not a choice of code[x])", mutate(t, "devicerequest.json", func(m map[string]any) {
			delete(m, "codeCodeableConcept")
			m["codeString"] = "E0601"
		}), "DeviceRequest.codeString", "unknown element"},
		{"DeviceRequest.occurrenceString", mutate(t, "devicerequest.json", func(m map[string]any) {
			delete(m, "occurrenceDateTime")
			m["occurrenceString"] = "soon"
		}), "DeviceRequest.occurrenceString", "unknown element"},
		{"two types of code[x]", mutate(t, "devicerequest.json", func(m map[string]any) {
			m["codeReference"] = map[string]any{"reference": "Device/dev-cpap-5001"}
		}), "DeviceRequest.code", "more than one type"},

		// reference targets
		{"DeviceRequest.subject to a Practitioner", mutate(t, "devicerequest.json", func(m map[string]any) {
			m["subject"] = map[string]any{"reference": "Practitioner/prac-77"}
		}), "DeviceRequest.subject", "want Patient, Group, Location, Device"},
		{"SupplyDelivery.basedOn a DeviceRequest", mutate(t, "supplydelivery.json", func(m map[string]any) {
			m["basedOn"] = []any{map[string]any{"reference": "DeviceRequest/dr-9001"}}
		}), "SupplyDelivery.basedOn[0]", "want SupplyRequest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.json)
			if err == nil {
				t.Fatalf("accepted; want an issue at %s containing %q", tc.wantPath, tc.wantMsg)
			}
			var verr *Error
			if !errors.As(err, &verr) {
				t.Fatalf("error %T (%v), want *Error", err, err)
			}
			for _, is := range verr.Issues {
				if strings.HasPrefix(is.Path, tc.wantPath) && strings.Contains(is.Message, tc.wantMsg) {
					return
				}
			}
			t.Errorf("no issue at %s containing %q; got:\n%v", tc.wantPath, tc.wantMsg, err)
		})
	}
}

// TestKnownGaps pins what the validator does not catch, so a change in
// either direction is seen. None of these is checked against a profile or
// a terminology server: there is none offline.
func TestKnownGaps(t *testing.T) {
	for _, tc := range []struct {
		name string
		json []byte
	}{
		// uri's pattern is \S*; the library only checks that it parses as a URL.
		{"identifier.system with spaces", mutate(t, "patient.json", func(m map[string]any) {
			m["identifier"].([]any)[0].(map[string]any)["system"] = "not a uri"
		})},
		// Extensible and preferred bindings, code systems and identifier
		// formats (MBI, NPI check digit) are not checked.
		{"NPI with a bad check digit", mutate(t, "practitioner.json", func(m map[string]any) {
			m["identifier"].([]any)[0].(map[string]any)["value"] = "1467560004"
		})},
		{"HCPCS code that does not exist", mutate(t, "devicerequest.json", func(m map[string]any) {
			m["codeCodeableConcept"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"] = "ZZZZZ"
		})},
		// Invariants (FHIRPath constraints) are not evaluated: bdl-3, a
		// searchset entry.request, is one of them.
		{"searchset entry with request (bdl-3)", mutate(t, "bundle-searchset.json", func(m map[string]any) {
			m["entry"].([]any)[0].(map[string]any)["request"] = map[string]any{"method": "GET", "url": "DeviceRequest/dr-9001"}
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := Validate(tc.json); err != nil {
				t.Logf("now caught (update TestKnownGaps and the README): %v", err)
			}
		})
	}
}

func TestNotAResource(t *testing.T) {
	for _, in := range []string{`[]`, `"Patient"`, `{"gender": "male"}`, `{"resourceType": "Patient"} {}`, `{"resourceType": "Patient"`} {
		if err := Validate([]byte(in)); err == nil {
			t.Errorf("%s accepted", in)
		}
	}
}
