package fhir

import (
	"testing"
)

// aDeviceRequest is a DeviceRequest as a referral source sends it.
const aDeviceRequest = `{
	"resourceType": "DeviceRequest",
	"identifier": [{"system": "urn:oid:2.16.840.1.113883.3.72.5.9", "value": "ORD-778"}],
	"status": "active", "intent": "order",
	"codeCodeableConcept": {"coding": [{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "E0601", "display": "CPAP device"}]},
	"parameter": [
		{"code": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-request-parameter", "code": "hcpcs-modifier"}]},
		 "valueCodeableConcept": {"coding": [{"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "RR"}]}},
		{"code": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/device-request-parameter", "code": "line-type"}]},
		 "valueCodeableConcept": {"coding": [{"system": "https://ariesone.example/fhir/CodeSystem/line-type", "code": "capped-rental"}]}}
	],
	"subject": {"reference": "Patient/0190a6a2-0000-7000-8000-0000000000c1"},
	"requester": {"identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}},
	"authoredOn": "2026-12-01T09:30:00-05:00",
	"reasonCode": [{"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G47.33"}]}]
}`

// A transaction never panics on what it is sent, and with nothing that
// takes a DeviceRequest it writes nothing: every answer is a refusal.
func FuzzTransaction(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:1","resource":` + aDeviceRequest + `,"request":{"method":"POST","url":"DeviceRequest"}}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"},"request":{"method":"PUT"}},{"fullUrl":"a","resource":{},"request":null}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"batch"}`))
	h, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if _, err := h.transact(t.Context(), "http://fhir.test/fhir/r4", raw); err == nil {
			t.Fatalf("accepted %s with no intake", raw)
		}
	})
}
