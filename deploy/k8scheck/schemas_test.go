package k8scheck_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ariesone/ariesone/deploy/k8scheck"
)

// A slice of the Kubernetes API's OpenAPI document: a kind with an
// int-or-string field, a quantity map, and object metadata.
const miniSwagger = `{"definitions": {
  "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {"type": "object", "properties": {
    "name": {"type": "string"}, "labels": {"type": "object", "additionalProperties": {"type": "string"}}}},
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string"},
  "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string"},
  "io.k8s.api.example.v1.Widget": {
    "type": "object",
    "x-kubernetes-group-version-kind": [{"group": "example", "version": "v1", "kind": "Widget"}],
    "properties": {
      "apiVersion": {"type": "string"}, "kind": {"type": "string"},
      "metadata": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
      "spec": {"type": "object", "properties": {
        "port": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
        "limits": {"type": "object", "additionalProperties": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity"}},
        "replicas": {"type": "integer"}}}}}
}}`

const miniCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.io
spec:
  group: example.io
  names: {kind: Gadget}
  versions:
    - name: v1
      served: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec:
              type: object
              properties:
                size: {x-kubernetes-int-or-string: true}
                note: {type: string, nullable: true}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true, properties: {known: {type: string}}}
`

func TestSchemasAreStrict(t *testing.T) {
	dir := t.TempDir()
	swagger := filepath.Join(dir, "swagger.json")
	crds := filepath.Join(dir, "crds")
	if err := os.WriteFile(swagger, []byte(miniSwagger), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(crds, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(crds, "gadgets.yaml"), []byte(miniCRD), 0o644); err != nil {
		t.Fatal(err)
	}
	schemas := filepath.Join(dir, "schemas")
	n, err := k8scheck.WriteSchemas(swagger, crds, k8scheck.SchemaDir(schemas, "v1.0.0"),
		map[k8scheck.GVK]bool{{Group: "example", Version: "v1", Kind: "Widget"}: true})
	if err != nil || n != 2 {
		t.Fatalf("WriteSchemas: %d, %v; want 2 schemas", n, err)
	}

	tests := []struct {
		name, doc string
		problem   string // "" when valid
	}{
		{"widget", "apiVersion: example/v1\nkind: Widget\nmetadata: {name: w}\nspec: {port: http, limits: {cpu: 1, memory: 1Gi}, replicas: 2}", ""},
		{"numeric port", "apiVersion: example/v1\nkind: Widget\nmetadata: {name: w}\nspec: {port: 8080}", ""},
		{"unknown field", "apiVersion: example/v1\nkind: Widget\nmetadata: {name: w}\nspec: {replica: 2}", "additional properties 'replica' not allowed"},
		{"wrong type", "apiVersion: example/v1\nkind: Widget\nmetadata: {name: w}\nspec: {replicas: two}", "got string, want integer"},
		{"unknown metadata field", "apiVersion: example/v1\nkind: Widget\nmetadata: {name: w, lables: {}}", "additional properties 'lables' not allowed"},
		{"duplicate key", "apiVersion: example/v1\nkind: Widget\nmetadata: {name: w}\nspec: {replicas: 1, replicas: 2}", "already set"},
		{"gadget", "apiVersion: example.io/v1\nkind: Gadget\nmetadata: {name: g}\nspec: {size: 3, note: null, extra: {known: a, anything: b}}", ""},
		{"gadget int-or-string", "apiVersion: example.io/v1\nkind: Gadget\nmetadata: {name: g}\nspec: {size: 3Gi}", ""},
		{"gadget unknown field", "apiVersion: example.io/v1\nkind: Gadget\nmetadata: {name: g}\nspec: {colour: red}", "additional properties 'colour' not allowed"},
		{"gadget metadata checked", "apiVersion: example.io/v1\nkind: Gadget\nmetadata: {name: g, namespce: x}", "additional properties 'namespce' not allowed"},
		{"kind without schema", "apiVersion: example/v1\nkind: Sprocket\nmetadata: {name: s}", "could not find schema"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			report, err := k8scheck.Validate(context.Background(), []byte(tc.doc), schemas, "v1.0.0")
			if err != nil {
				t.Fatal(err)
			}
			problems := strings.Join(report.Problems, "\n")
			switch {
			case tc.problem == "" && problems != "":
				t.Fatalf("refused a valid object:\n%s", problems)
			case tc.problem != "" && !strings.Contains(problems, tc.problem):
				t.Fatalf("problems %q, want one containing %q", problems, tc.problem)
			}
		})
	}
}
