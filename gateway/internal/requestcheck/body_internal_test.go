package requestcheck

import (
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/reflect/protoreflect"

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
	tests := []struct {
		name string
		rt   route
		body string
		want []httperr.Violation
	}{
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
	}
	for _, tt := range tests {
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
