package openapi_test

import (
	"encoding/json"
	"net/url"
	"testing"

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
