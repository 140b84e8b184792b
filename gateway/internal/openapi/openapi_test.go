package openapi_test

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ariesone/ariesone/gateway/internal/backends"
	"github.com/ariesone/ariesone/gateway/internal/openapi"
)

func build(t *testing.T, opts openapi.Options) map[string]any {
	t.Helper()
	out, err := openapi.Build(openapi.Embedded(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("built document is not JSON: %v", err)
	}
	return doc
}

// allServices are the services of every backend with HTTP bindings.
func allServices() []protoreflect.ServiceDescriptor {
	var out []protoreflect.ServiceDescriptor
	for _, spec := range backends.All {
		out = append(out, spec.Services...)
	}
	return out
}

func TestBuild(t *testing.T) {
	doc := build(t, openapi.Options{
		RoutePrefix:  "/api/v1",
		PublicPrefix: "/partner/v1",
		Services:     allServices(),
	})
	if _, ok := doc["host"]; ok {
		t.Error("host set without a public URL")
	}
	defs := doc["definitions"].(map[string]any)
	// Every error, including the one that ends a stream, is the REST error
	// body; google.rpc.Status is named nowhere.
	if _, ok := defs["rpcStatus"]; ok {
		t.Error("google.rpc.Status is still defined")
	}
	if _, ok := defs["ErrorResponse"]; !ok {
		t.Error("ErrorResponse definition missing")
	}
	watch := doc["paths"].(map[string]any)["/partner/v1/events:watch"].(map[string]any)["get"].(map[string]any)
	line := watch["responses"].(map[string]any)["200"].(map[string]any)["schema"].(map[string]any)["properties"].(map[string]any)
	refs := map[string]any{"result": line["result"].(map[string]any)["$ref"], "error": line["error"].(map[string]any)["$ref"]}
	if diff := cmp.Diff(map[string]any{"result": "#/definitions/v1Event", "error": "#/definitions/ErrorResponse"}, refs); diff != "" {
		t.Errorf("stream line (-want +got):\n%s", diff)
	}
	public := map[string]bool{}
	for path, item := range doc["paths"].(map[string]any) {
		for verb, op := range item.(map[string]any) {
			o := op.(map[string]any)
			if sec, ok := o["security"]; ok && cmp.Equal(sec, []any{}) {
				public[verb+" "+path] = true
			}
		}
	}
	want := map[string]bool{
		"post /partner/v1/auth/login":   true,
		"post /partner/v1/auth/refresh": true,
		"post /partner/v1/auth/token":   true,
		"get /partner/v1/auth/jwks":     true,
		// A one-time token is the credential of a password reset.
		"post /partner/v1/auth/password:reset": true,
	}
	if diff := cmp.Diff(want, public); diff != "" {
		t.Errorf("operations open without credentials (-want +got):\n%s", diff)
	}
}

func TestBuildWithPublicURL(t *testing.T) {
	doc := build(t, openapi.Options{RoutePrefix: "/api/v1", PublicPrefix: "/api/v1",
		PublicURL: &url.URL{Scheme: "https", Host: "api.acme.example"}})
	got := []any{doc["host"], doc["schemes"], doc["basePath"]}
	want := []any{"api.acme.example", []any{"https"}, "/"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("host, schemes, basePath (-want +got):\n%s", diff)
	}
}

func TestBuildRefusesOtherDocuments(t *testing.T) {
	for _, doc := range []string{`not json`, `{"openapi":"3.0.0"}`} {
		if _, err := openapi.Build([]byte(doc), openapi.Options{RoutePrefix: "/api/v1", PublicPrefix: "/api/v1"}); err == nil {
			t.Errorf("Build(%s) succeeded", doc)
		}
	}
}

// Each operation documents the 4xx statuses it can answer, as references to
// the shared responses carrying the REST error body.
func TestBuildDocumentsErrorResponses(t *testing.T) {
	doc := build(t, openapi.Options{RoutePrefix: "/api/v1", PublicPrefix: "/api/v1", Services: allServices()})
	statuses := func(path, verb string) []string {
		t.Helper()
		op := doc["paths"].(map[string]any)[path].(map[string]any)[verb].(map[string]any)
		var out []string
		for code, resp := range op["responses"].(map[string]any) {
			if !strings.HasPrefix(code, "4") {
				continue
			}
			ref := resp.(map[string]any)["$ref"].(string)
			name := strings.TrimPrefix(ref, "#/responses/")
			shared := doc["responses"].(map[string]any)[name].(map[string]any)
			if got := shared["schema"].(map[string]any)["$ref"]; got != "#/definitions/ErrorResponse" {
				t.Errorf("%s %s %s: schema %v, want the REST error body", verb, path, code, got)
			}
			out = append(out, code)
		}
		slices.Sort(out)
		return out
	}
	tests := []struct {
		path, verb string
		want       []string
	}{
		{"/api/v1/locations", "get", []string{"400", "401", "403", "429"}},
		{"/api/v1/locations", "post", []string{"400", "401", "403", "409", "429"}},
		{"/api/v1/locations/{id}", "get", []string{"400", "401", "403", "404", "429"}},
		{"/api/v1/locations/{id}", "patch", []string{"400", "401", "403", "404", "409", "429"}},
		{"/api/v1/auth/login", "post", []string{"400", "401", "429"}},
		{"/api/v1/auth/jwks", "get", []string{"400", "429"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, statuses(tt.path, tt.verb)); diff != "" {
			t.Errorf("%s %s 4xx (-want +got):\n%s", tt.verb, tt.path, diff)
		}
	}
}

// Get and Update of one resource share one path, whatever their request
// messages call the id: OpenAPI forbids paths that differ only in parameter
// names, and OpenAPI 3 generators reject them.
func TestBuildOneParameterNamePerPath(t *testing.T) {
	doc := build(t, openapi.Options{RoutePrefix: "/api/v1", PublicPrefix: "/api/v1", Services: allServices()})
	seen := map[string]string{}
	param := regexp.MustCompile(`\{[^}]*\}`)
	for path := range doc["paths"].(map[string]any) {
		shape := param.ReplaceAllString(path, "{}")
		if other, ok := seen[shape]; ok {
			t.Errorf("%s and %s differ only in parameter names", path, other)
		}
		seen[shape] = path
	}
}

func TestV3(t *testing.T) {
	swagger, err := openapi.Build(openapi.Embedded(), openapi.Options{RoutePrefix: "/api/v1", PublicPrefix: "/api/v1", Services: allServices()})
	if err != nil {
		t.Fatal(err)
	}
	out, err := openapi.V3(swagger)
	if err != nil {
		t.Fatal(err)
	}
	// Read back and validated independently of the conversion.
	doc3, err := openapi3.NewLoader().LoadFromData(out)
	if err != nil {
		t.Fatalf("the YAML does not load: %v", err)
	}
	if err := doc3.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI 3: %v", err)
	}
	var doc2 map[string]any
	if err := json.Unmarshal(swagger, &doc2); err != nil {
		t.Fatal(err)
	}
	if got, want := doc3.Paths.Len(), len(doc2["paths"].(map[string]any)); got != want {
		t.Errorf("%d paths, want %d as in Swagger 2.0", got, want)
	}
	login := doc3.Paths.Find("/api/v1/auth/login").Post
	if login.Security == nil || len(*login.Security) != 0 {
		t.Errorf("login security = %v, want none required", login.Security)
	}
	list := doc3.Paths.Find("/api/v1/locations").Get
	if got := list.Responses.Status(429).Ref; got != "#/components/responses/TooManyRequests" {
		t.Errorf("ListLocations 429 = %q, want the shared response", got)
	}
	if got := doc3.Components.Responses["TooManyRequests"].Value.Content.Get("application/json").Schema.Ref; got != "#/components/schemas/ErrorResponse" {
		t.Errorf("429 body = %q, want the REST error body", got)
	}
	if _, ok := doc3.Components.SecuritySchemes[openapi.SchemeBearer]; !ok {
		t.Error("bearer security scheme missing")
	}
}

func TestV3RefusesWhatIsNotSwagger(t *testing.T) {
	for _, doc := range []string{`not json`, `{"swagger":"2.0","paths":{"/x":{"get":{"responses":{"200":{"schema":{"$ref":"#/definitions/Missing"}}}}}}}`} {
		if _, err := openapi.V3([]byte(doc)); err == nil {
			t.Errorf("V3(%s) succeeded", doc)
		}
	}
}
