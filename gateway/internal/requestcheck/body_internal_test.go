package requestcheck

import (
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ariesone/ariesone/gateway/internal/backends"
	"github.com/ariesone/ariesone/gateway/internal/httperr"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
)

func companyRoutes(t *testing.T) map[string]route {
	t.Helper()
	routes, err := routesOf([]protoreflect.ServiceDescriptor{
		companyv1.File_ariesone_company_v1_location_proto.Services().ByName("LocationService"),
		companyv1.File_ariesone_company_v1_user_proto.Services().ByName("UserService"),
		companyv1.File_ariesone_company_v1_api_key_proto.Services().ByName("ApiKeyService"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return routes
}

func TestCheckBody(t *testing.T) {
	routes := companyRoutes(t)
	createLocation := routes[routeKey("POST", "/api/v1/locations")]
	createUser := routes[routeKey("POST", "/api/v1/users")]
	createKey := routes[routeKey("POST", "/api/v1/api-keys")]
	runBodyCases(t, []bodyCase{
		{"valid body", createLocation, `{"code":"ATL-01","name":"A","type":"LOCATION_TYPE_BRANCH","timeZone":"UTC","address":{"postalCode":"30301"}}`, nil},
		{"proto names accepted", createLocation, `{"time_zone":"UTC"}`, nil},
		{"nulls are absent fields", createLocation, `{"code":null,"address":null,"createTime":null}`, nil},
		{"empty body", createLocation, ``, nil},
		{"empty output-only values tolerated", createLocation, `{"id":"","etag":""}`, nil},
		{"nested unknown field", createLocation, `{"address":{"zipCode":"1"}}`,
			[]httperr.Violation{{Field: "location.address.zipCode", Message: msgUnknownField}}},
		{"same field twice", createLocation, `{"time_zone":"UTC","timeZone":"UTC"}`,
			[]httperr.Violation{{Field: "location.timeZone", Message: msgDuplicate}}},
		{"output-only field", createLocation, `{"id":"0190a6a2-0000-7000-8000-000000000001"}`,
			[]httperr.Violation{{Field: "location.id", Message: msgOutputOnly}}},
		{"bad list element", createUser, `{"roles":["ROLE_ADMIN","ROLE_KING"]}`,
			[]httperr.Violation{{Field: "roles[1]", Message: "must be one of ROLE_OWNER, ROLE_ADMIN, ROLE_INTAKE, ROLE_BILLING, ROLE_WAREHOUSE, ROLE_TECHNICIAN, ROLE_AUDITOR, ROLE_PARTNER"}}},
		{"list that is not an array", createUser, `{"roles":"ROLE_ADMIN"}`,
			[]httperr.Violation{{Field: "roles", Message: msgNotArray}}},
		{"bad timestamp", createKey, `{"apiKey":{"expireTime":"next tuesday"}}`,
			[]httperr.Violation{{Field: "apiKey.expireTime", Message: `must be an RFC 3339 date-time such as "2024-01-31T09:30:00Z"`}}},
		{"string given a boolean", createUser, `{"user":{"givenName":true}}`,
			[]httperr.Violation{{Field: "user.givenName", Message: "must be a string"}}},
	})
}

// bodyCase is a JSON body for a route and the violations the checker finds.
type bodyCase struct {
	name string
	rt   route
	body string
	want []httperr.Violation
}

func runBodyCases(t *testing.T, cases []bodyCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checkBody(tt.rt, []byte(tt.body))
			if err != nil {
				t.Fatalf("checkBody: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckBodySyntax(t *testing.T) {
	routes := companyRoutes(t)
	for _, body := range []string{`{"code":`, `{} {}`, `{"code":"A",}`, `nonsense`} {
		_, err := checkBody(routes[routeKey("POST", "/api/v1/locations")], []byte(body))
		var se *syntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: error %v, want a syntax error", body, err)
		}
	}
}

func TestCheckQuery(t *testing.T) {
	routes := companyRoutes(t)
	list := routes[routeKey("GET", "/api/v1/locations")]
	tests := []struct {
		name  string
		query string
		want  []httperr.Violation
	}{
		{"valid", "pageSize=10&pageToken=abc&type=LOCATION_TYPE_WAREHOUSE&show_deleted=true", nil},
		{"unknown", "colour=red", []httperr.Violation{{Field: "colour", Message: msgUnknownParam}}},
		{"not a number", "pageSize=ten", []httperr.Violation{{Field: "pageSize", Message: "must be a whole number between -2147483648 and 2147483647"}}},
		{"one field twice", "page_size=1&pageSize=2", []httperr.Violation{{Field: "pageSize", Message: msgDuplicate}}},
		{"repeated value", "pageSize=1&pageSize=2", []httperr.Violation{{Field: "pageSize", Message: msgDuplicate}}},
		{"bad enum", "type=MOON", []httperr.Violation{{Field: "type", Message: "must be one of LOCATION_TYPE_BRANCH, LOCATION_TYPE_WAREHOUSE"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, checkQuery(list, q, nil)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

func clinicalRoutes(t *testing.T) map[string]route {
	t.Helper()
	routes, err := routesOf(backends.Clinical.Services)
	if err != nil {
		t.Fatal(err)
	}
	return routes
}

// TestCheckClinicalRequests covers what the clinical bindings add: server-set
// fields below a path-named resource, calendar dates as objects, and
// searches whose criteria (names, dates of birth, MBIs) belong in the body.
func TestCheckClinicalRequests(t *testing.T) {
	routes := clinicalRoutes(t)
	at := func(method, pattern string) route {
		rt, ok := routes[routeKey(method, pattern)]
		if !ok {
			t.Fatalf("no route %s %s", method, pattern)
		}
		return rt
	}
	createPatient := at("POST", "/api/v1/patients")
	updateCoverage := at("PATCH", "/api/v1/patients/{coverage.patient_id=*}/coverages/{coverage.id=*}")
	runBodyCases(t, []bodyCase{
		{"valid patient", createPatient, `{"firstName":"Ann","birthDate":{"year":1950,"month":3,"day":4},"sex":"SEX_FEMALE","diagnoses":["E11.9"]}`, nil},
		{"account number is issued", createPatient, `{"accountNumber":"PT0000001"}`,
			[]httperr.Violation{{Field: "patient.accountNumber", Message: msgOutputOnly}}},
		{"date as a string", createPatient, `{"birthDate":"1950-03-04"}`,
			[]httperr.Violation{{Field: "patient.birthDate", Message: msgNotObject}}},
		{"date part of the wrong type", createPatient, `{"birthDate":{"year":"nineteen"}}`,
			[]httperr.Violation{{Field: "patient.birthDate.year", Message: "must be a whole number between -2147483648 and 2147483647"}}},
		{"patient of a coverage comes from the path", updateCoverage, `{"patientId":"0190a6a2-0000-7000-8000-000000000001","groupNumber":"G1"}`,
			[]httperr.Violation{{Field: "coverage.patientId", Message: msgOutputOnly}}},
		{"eligibility is the service's", updateCoverage, `{"eligibilityStatus":"ELIGIBILITY_STATUS_ELIGIBLE"}`,
			[]httperr.Violation{{Field: "coverage.eligibilityStatus", Message: msgOutputOnly}}},
	})
	queries := []struct {
		name  string
		rt    route
		query string
		want  []httperr.Violation
	}{
		{"search criteria only in the body", at("POST", "/api/v1/patients:search"), "mbi=1EG4TE5MK73",
			[]httperr.Violation{{Field: "mbi", Message: msgNoParams}}},
		{"patients are not listed by MBI", at("GET", "/api/v1/patients"), "mbi=1EG4TE5MK73",
			[]httperr.Violation{{Field: "mbi", Message: msgUnknownParam}}},
		{"list filters", at("GET", "/api/v1/patients"), "branchId=0190a6a2-0000-7000-8000-000000000001&showInactive=true", nil},
		{"duplicate confirmation beside the body", createPatient, "confirmDuplicate=true&requestId=0190a6a2-0000-7000-8000-000000000001", nil},
	}
	for _, tt := range queries {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, checkQuery(tt.rt, q, nil)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}
