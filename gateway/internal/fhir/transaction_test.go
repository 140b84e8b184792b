package fhir

import (
	"testing"
)

// A transaction never panics on what it is sent, and with nothing that
// takes a DeviceRequest it writes nothing: every answer is a refusal.
func FuzzTransaction(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"DeviceRequest","intent":"order","identifier":[{"system":"urn:x","value":"1"}]},"request":{"method":"POST","url":"DeviceRequest"}}]}`))
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
