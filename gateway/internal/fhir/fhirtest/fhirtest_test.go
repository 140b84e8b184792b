package fhirtest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ariesone/ariesone/gateway/internal/fhir/fhirtest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/patient"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
)

// TestValidatorRefusesBrokenResource shows the check can fail: a Patient of
// the facade's own shape with a gender outside the required binding goes the
// same way as the recorded resources and must be refused, naming the element.
func TestValidatorRefusesBrokenResource(t *testing.T) {
	p := patient.FromProto(&clinicalv1.Patient{Id: "p1", FirstName: "Ann", LastName: "Lee", Sex: clinicalv1.Sex_SEX_MALE}, "0190a6a2-0000-7000-8000-000000000001")
	p.Gender = "m"
	body, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	rec := &fhirtest.Recorder{}
	rec.AddResource(t.Name(), body)
	dir := t.TempDir()
	if files, _, err := rec.Write(dir); err != nil || files != 1 {
		t.Fatalf("write: %d files, %v", files, err)
	}
	err = fhirtest.ValidateDir(dir)
	if err == nil {
		t.Fatalf("validator accepted %s", body)
	}
	if !strings.Contains(err.Error(), "Patient.gender") {
		t.Errorf("error does not name Patient.gender:\n%v", err)
	}
	t.Logf("refused as it should be: %v", err)
}
