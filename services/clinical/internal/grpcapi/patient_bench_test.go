package grpcapi_test

import (
	"testing"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/services/clinical/internal/clinicaltest"
)

// BenchmarkGetPatient is one service's share of a patient read: the whole
// interceptor chain, a tenant transaction, two PHI fields opened and the
// masking decision, 16 calls in flight on a loopback connection.
func BenchmarkGetPatient(b *testing.B) {
	e := clinicaltest.New(b)
	a := e.NewTenant()
	p, err := e.Patients.CreatePatient(a.Intake, &clinicalv1.CreatePatientRequest{Patient: withPHI(patient(a, "Margaret", "Okafor"))})
	if err != nil {
		b.Fatal(err)
	}
	req := &clinicalv1.GetPatientRequest{Id: p.GetId()}
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.Patients.GetPatient(a.Intake, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
