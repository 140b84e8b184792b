// Command k8s-check renders every overlay under deploy/k8s/overlays and
// validates each object offline, with kubeconform in strict mode, against
// the Kubernetes API's schemas (generated from the OpenAPI document the
// k8s.io/kubernetes module ships) and the operators' CRDs. It prints the
// objects validated per kind and exits non-zero on any problem. make lint
// runs it through scripts/k8s-check.sh, which finds both inputs.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ariesone/ariesone/deploy/k8scheck"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "k8s-check: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("k8s-check", flag.ContinueOnError)
	swagger := fs.String("openapi", "", "the Kubernetes API's swagger.json (k8s.io/kubernetes api/openapi-spec)")
	version := fs.String("kubernetes-version", "", "the version that swagger.json describes, e.g. v1.36.3")
	crds := fs.String("crds", "", "directory of the operators' CustomResourceDefinitions (*.yaml)")
	schemas := fs.String("schemas", filepath.Join(os.TempDir(), "ariesone-k8s-schemas"), "where the generated JSON schemas are written")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *swagger == "" || *version == "" || *crds == "" || fs.NArg() == 0 {
		return fmt.Errorf("usage: k8s-check -openapi swagger.json -kubernetes-version vX.Y.Z -crds DIR OVERLAY...")
	}

	rendered := map[string]k8scheck.Rendered{}
	want := map[k8scheck.GVK]bool{}
	for _, dir := range fs.Args() {
		r, err := k8scheck.Render(dir)
		if err != nil {
			return err
		}
		rendered[dir] = r
		for k := range r.Kinds() {
			want[k] = true
		}
	}
	schemaDir := k8scheck.SchemaDir(*schemas, *version)
	if err := os.RemoveAll(schemaDir); err != nil {
		return err
	}
	n, err := k8scheck.WriteSchemas(*swagger, *crds, schemaDir, want)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "schemas: %d written (Kubernetes %s, CRDs from %s), strict\n", n, *version, *crds)

	failed := false
	for _, dir := range fs.Args() {
		report, err := k8scheck.Validate(ctx, rendered[dir].YAML, *schemas, *version)
		if err != nil {
			return err
		}
		total := 0
		var kinds []string
		for kind, count := range report.Valid {
			kinds = append(kinds, fmt.Sprintf("%s %d", kind, count))
			total += count
		}
		sort.Strings(kinds)
		fmt.Fprintf(out, "%s: %d objects valid (%s)\n", dir, total, strings.Join(kinds, ", "))
		for _, p := range report.Problems {
			fmt.Fprintf(out, "%s: INVALID %s\n", dir, p)
			failed = true
		}
	}
	if failed {
		return fmt.Errorf("manifests do not validate")
	}
	return nil
}
