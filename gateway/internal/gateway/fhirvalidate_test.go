package gateway_test

import (
	"testing"

	"github.com/ariesone/ariesone/gateway/internal/fhir/fhirtest"
)

// Every FHIR body the facade answers in this package's tests is recorded
// (harness.do) and, once every test has passed, validated against the
// official R4 definitions.
func TestMain(m *testing.M) { fhirtest.Main(m, "gateway/internal/gateway") }
