package gateway_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/proto"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/errs"
)

const (
	patientID   = "0190a6a2-0000-7000-8000-0000000000c1"
	patientETag = `"5"`
)

// fakeClinical stands in for the clinical service's PatientService behind
// the real interceptor chain (authentication, the proto's permission rules,
// validation), remembering the last search that reached it.
type fakeClinical struct {
	clinicalv1.UnimplementedPatientServiceServer

	mu     sync.Mutex
	search *clinicalv1.SearchPatientsRequest
	list   *clinicalv1.ListPatientsRequest // see fhir_test.go
}

func (f *fakeClinical) GetPatient(_ context.Context, req *clinicalv1.GetPatientRequest) (*clinicalv1.Patient, error) {
	if req.GetId() != patientID {
		return nil, errs.NotFound("patient", req.GetId())
	}
	return &clinicalv1.Patient{
		Id:            patientID,
		AccountNumber: "PT0000042",
		FirstName:     "Ann",
		LastName:      "Lee",
		BirthDate:     &date.Date{Year: 1950, Month: 3, Day: 4},
		Mbi:           "****TE5MK73",
		Etag:          patientETag,
	}, nil
}

func (f *fakeClinical) SearchPatients(_ context.Context, req *clinicalv1.SearchPatientsRequest) (*clinicalv1.SearchPatientsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.search = proto.CloneOf(req)
	return &clinicalv1.SearchPatientsResponse{}, nil
}

// lastSearch returns the last search that reached the handler.
func (f *fakeClinical) lastSearch() *clinicalv1.SearchPatientsRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.search
}

// TestClinicalRoutes proves the clinical bindings are served by dialling the
// service, so its own chain decides: the permission of the proto rule, the
// proto's validation, the resource's etag as ETag.
func TestClinicalRoutes(t *testing.T) {
	t.Run("absent without CLINICAL_ADDR", func(t *testing.T) {
		h := newHarness(t, harnessOptions{})
		resp := h.do(request{method: "GET", path: "/api/v1/patients/" + patientID, token: h.token(auth.RoleOwner)})
		if resp.status != http.StatusNotFound {
			t.Fatalf("status = %d, want 404", resp.status)
		}
		resp.errorBody(t)
	})

	clinical := &fakeClinical{}
	h := newHarness(t, harnessOptions{clinical: clinical})
	intake := h.token(auth.RoleIntake)

	t.Run("get", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: "/api/v1/patients/" + patientID, token: intake})
		if resp.status != http.StatusOK || resp.header.Get("ETag") != patientETag {
			t.Fatalf("status %d, ETag %q; want 200 and %s\n%s", resp.status, resp.header.Get("ETag"), patientETag, resp.body)
		}
		body := resp.json(t)
		if body["accountNumber"] != "PT0000042" || body["mbi"] != "****TE5MK73" {
			t.Errorf("body = %s", resp.body)
		}
		if got, want := body["birthDate"], map[string]any{"year": 1950.0, "month": 3.0, "day": 4.0}; !equalJSON(got, want) {
			t.Errorf("birthDate = %v, want %v", got, want)
		}
	})

	t.Run("permission of the proto rule", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: "/api/v1/patients/" + patientID, token: h.token(auth.RoleWarehouse)})
		if resp.status != http.StatusForbidden {
			t.Fatalf("status = %d, want 403", resp.status)
		}
	})

	t.Run("search criteria travel in the body", func(t *testing.T) {
		resp := h.do(request{method: "POST", path: "/api/v1/patients:search", token: intake,
			body: `{"lastNamePrefix":"le","birthDate":{"year":1950,"month":3,"day":4}}`})
		if resp.status != http.StatusOK {
			t.Fatalf("status = %d, want 200\n%s", resp.status, resp.body)
		}
		got := clinical.lastSearch()
		if got.GetLastNamePrefix() != "le" || got.GetBirthDate().GetYear() != 1950 {
			t.Errorf("search reached the service as %v", got)
		}
	})

	t.Run("search without a criterion", func(t *testing.T) {
		resp := h.do(request{method: "POST", path: "/api/v1/patients:search", token: intake, body: `{"pageSize":10}`})
		if resp.status != http.StatusBadRequest {
			t.Fatalf("status = %d, want 400\n%s", resp.status, resp.body)
		}
		if b := resp.errorBody(t); len(b.Errors) != 1 {
			t.Errorf("errors = %+v, want the one criterion rule", b.Errors)
		}
	})

	t.Run("search criteria refused in the URL", func(t *testing.T) {
		before := clinical.lastSearch()
		resp := h.do(request{method: "POST", path: "/api/v1/patients:search?mbi=1EG4TE5MK73", token: intake, body: `{"lastNamePrefix":"x"}`})
		if resp.status != http.StatusBadRequest {
			t.Fatalf("status = %d, want 400\n%s", resp.status, resp.body)
		}
		if clinical.lastSearch() != before {
			t.Error("the search reached the service")
		}
	})
}

func equalJSON(got, want any) bool {
	g, ok := got.(map[string]any)
	if !ok {
		return false
	}
	w := want.(map[string]any)
	if len(g) != len(w) {
		return false
	}
	for k, v := range w {
		if g[k] != v {
			return false
		}
	}
	return true
}
