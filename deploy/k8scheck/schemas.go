package k8scheck

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// objectMeta is the definition every custom resource's metadata is checked
// against, as the API server does (a CRD's own schema leaves it open).
const objectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

// SchemaDir is where, under root, WriteSchemas puts the schemas of a
// Kubernetes version, in the layout kubeconform's schema location template
// SchemaLocation names.
func SchemaDir(root, kubernetesVersion string) string {
	return filepath.Join(root, "v"+strings.TrimPrefix(kubernetesVersion, "v")+"-standalone-strict")
}

// SchemaLocation is the kubeconform schema location template for schemas
// written under root.
func SchemaLocation(root string) string {
	return filepath.Join(root, "{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}", "{{ .ResourceKind }}{{ .KindSuffix }}.json")
}

// WriteSchemas turns the Kubernetes API's OpenAPI v2 document (swagger.json,
// as the k8s.io/kubernetes module ships it under api/openapi-spec) and every
// CustomResourceDefinition in crdDir into strict JSON schemas in dir, one per
// kind and version: every object that lists its properties refuses any
// other, as the API server's strict field validation does. Only the
// Kubernetes kinds in want are written (a Pod's closure alone is large); a
// kind the manifests use that has no schema then fails validation. It
// returns how many it wrote.
func WriteSchemas(swaggerPath, crdDir, dir string, want map[GVK]bool) (int, error) {
	var spec struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	raw, err := os.ReadFile(swaggerPath)
	if err != nil {
		return 0, err
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		return 0, fmt.Errorf("%s: %w", swaggerPath, err)
	}
	if len(spec.Definitions) == 0 {
		return 0, fmt.Errorf("%s: no definitions", swaggerPath)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	defs := map[string]any{}
	for name, d := range spec.Definitions {
		defs[name] = strictDefinition(name, d)
	}
	written := 0
	for _, name := range sortedKeys(spec.Definitions) {
		gvks, _ := spec.Definitions[name]["x-kubernetes-group-version-kind"].([]any)
		if len(gvks) != 1 { // meta types (Status, DeleteOptions) serve every group
			continue
		}
		gvk, _ := gvks[0].(map[string]any)
		group, _ := gvk["group"].(string)
		version, _ := gvk["version"].(string)
		kind, _ := gvk["kind"].(string)
		if !want[GVK{Group: group, Version: version, Kind: kind}] {
			continue
		}
		doc := map[string]any{"$ref": "#/definitions/" + name, "definitions": closure(defs, name)}
		if err := writeSchema(dir, kind, group, version, doc); err != nil {
			return written, err
		}
		written++
	}
	n, err := writeCRDSchemas(crdDir, dir, defs)
	return written + n, err
}

// writeCRDSchemas writes a schema per served version of every CRD in crdDir.
func writeCRDSchemas(crdDir, dir string, defs map[string]any) (int, error) {
	files, err := filepath.Glob(filepath.Join(crdDir, "*.yaml"))
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, fmt.Errorf("no CustomResourceDefinitions (*.yaml) in %s", crdDir)
	}
	written := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return written, err
		}
		var crd struct {
			Kind string `json:"kind"`
			Spec struct {
				Group string `json:"group"`
				Names struct {
					Kind string `json:"kind"`
				} `json:"names"`
				Versions []struct {
					Name   string `json:"name"`
					Served bool   `json:"served"`
					Schema struct {
						OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal(raw, &crd); err != nil {
			return written, fmt.Errorf("%s: %w", f, err)
		}
		if crd.Kind != "CustomResourceDefinition" {
			return written, fmt.Errorf("%s: a %q, not a CustomResourceDefinition", f, crd.Kind)
		}
		for _, v := range crd.Spec.Versions {
			if !v.Served || v.Schema.OpenAPIV3Schema == nil {
				continue
			}
			root := strictify(v.Schema.OpenAPIV3Schema).(map[string]any)
			props, _ := root["properties"].(map[string]any)
			if props == nil {
				return written, fmt.Errorf("%s %s: schema without properties", f, v.Name)
			}
			props["metadata"] = map[string]any{"$ref": "#/definitions/" + objectMeta}
			root["definitions"] = closure(defs, objectMeta)
			if err := writeSchema(dir, crd.Spec.Names.Kind, crd.Spec.Group, v.Name, root); err != nil {
				return written, err
			}
			written++
		}
	}
	return written, nil
}

// writeSchema names the file as kubeconform's template expects:
// kind, then the group's first label, then the version ("deployment-apps-v1",
// "cluster-postgresql-v1", "service-v1" for the core group).
func writeSchema(dir, kind, group, version string, doc map[string]any) error {
	suffix := "-" + version
	if group != "" {
		suffix = "-" + strings.ToLower(strings.Split(group, ".")[0]) + suffix
	}
	doc["$schema"] = "http://json-schema.org/draft-07/schema#"
	out, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, strings.ToLower(kind)+suffix+".json"), out, 0o644)
}

// strictDefinition adapts one Kubernetes definition: the two types that
// accept either a string or a number in YAML, and strictness elsewhere.
func strictDefinition(name string, d map[string]any) any {
	switch name {
	case "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
		return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}
	case "io.k8s.apimachinery.pkg.api.resource.Quantity":
		return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
	}
	return strictify(d)
}

// strictify returns a copy of a schema in which every object with listed
// properties refuses unlisted ones (unless it says it preserves unknown
// fields), int-or-string fields take either, and nullable fields take null.
func strictify(node any) any {
	switch n := node.(type) {
	case map[string]any:
		out := make(map[string]any, len(n)+1)
		for k, v := range n {
			switch k {
			case "properties", "definitions", "patternProperties":
				m, _ := v.(map[string]any)
				sub := make(map[string]any, len(m))
				for name, s := range m {
					sub[name] = strictify(s)
				}
				out[k] = sub
			case "enum", "required", "example", "default", "x-kubernetes-group-version-kind", "x-kubernetes-list-map-keys":
				out[k] = v // values, not schemas
			default:
				out[k] = strictify(v)
			}
		}
		preserve, _ := n["x-kubernetes-preserve-unknown-fields"].(bool)
		if _, has := n["properties"]; has && !preserve {
			if _, set := n["additionalProperties"]; !set {
				out["additionalProperties"] = false
			}
		}
		if ios, _ := n["x-kubernetes-int-or-string"].(bool); ios {
			delete(out, "type")
			out["anyOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}
		}
		if nullable, _ := n["nullable"].(bool); nullable {
			if t, ok := out["type"].(string); ok {
				out["type"] = []any{t, "null"}
			}
		}
		return out
	case []any:
		out := make([]any, len(n))
		for i, v := range n {
			out[i] = strictify(v)
		}
		return out
	default:
		return node
	}
}

// closure is the definitions name refers to, directly or not, itself
// included.
func closure(defs map[string]any, name string) map[string]any {
	out := map[string]any{}
	var visit func(string)
	visit = func(n string) {
		if _, seen := out[n]; seen {
			return
		}
		d, ok := defs[n]
		if !ok {
			return
		}
		out[n] = d
		for _, ref := range refs(d, nil) {
			visit(ref)
		}
	}
	visit(name)
	return out
}

// refs lists the definition names a schema's $refs point at.
func refs(node any, acc []string) []string {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			if s, ok := v.(string); k == "$ref" && ok {
				acc = append(acc, strings.TrimPrefix(s, "#/definitions/"))
				continue
			}
			acc = refs(v, acc)
		}
	case []any:
		for _, v := range n {
			acc = refs(v, acc)
		}
	}
	return acc
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
