package arch_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/ariesone/ariesone/arch"
)

// workspacePackages lists every package of every module of the workspace
// (tests' imports included), as the rules read them.
func workspacePackages(t *testing.T) []arch.Package {
	t.Helper()
	modules, err := exec.Command("go", "list", "-m", "-f", "{{.Path}}/...").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	args := append([]string{"list", "-test", "-json=ImportPath,Imports,Deps"}, strings.Fields(string(modules))...)
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, &stderr)
	}
	var pkgs []arch.Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p arch.Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestTheWorkspaceKeepsItsLayers(t *testing.T) {
	pkgs := workspacePackages(t)
	domains := 0
	for _, p := range pkgs {
		if strings.HasSuffix(p.ImportPath, "/internal/domain") {
			domains++
		}
	}
	// Five services' domains at least: a listing that found nothing would
	// pass every rule.
	if domains < 5 {
		t.Fatalf("listed %d packages with %d domain packages; want every service's", len(pkgs), domains)
	}
	t.Logf("%d packages (tests included), %d domain packages", len(pkgs), domains)
	for _, v := range arch.Rules(pkgs) {
		t.Error(v)
	}
}

func TestRulesNamePlantedViolations(t *testing.T) {
	const m = arch.Module
	tests := []struct {
		pkg  arch.Package
		want string
	}{
		{arch.Package{ImportPath: m + "/services/orders/internal/domain", Deps: []string{"github.com/jackc/pgx/v5"}},
			"services/orders/internal/domain imports github.com/jackc/pgx/v5: domain code uses no SQL"},
		{arch.Package{ImportPath: m + "/services/serials/internal/domain", Deps: []string{"google.golang.org/grpc/status"}},
			"services/serials/internal/domain imports google.golang.org/grpc/status: domain code knows no gRPC"},
		{arch.Package{ImportPath: m + "/services/clinical/internal/domain", Deps: []string{m + "/gen/go/ariesone/clinical/v1"}},
			"services/clinical/internal/domain imports " + m + "/gen/go/ariesone/clinical/v1: domain code knows no generated API types"},
		{arch.Package{ImportPath: m + "/services/company/internal/domain", Imports: []string{m + "/services/company/internal/store"}},
			"services/company/internal/domain imports " + m + "/services/company/internal/store: domain code depends on nothing above it"},
		{arch.Package{ImportPath: m + "/services/notify/internal/app", Imports: []string{m + "/services/notify/internal/store"}},
			"services/notify/internal/app imports " + m + "/services/notify/internal/store: the app layer reaches storage and transport through its own interfaces"},
		{arch.Package{ImportPath: m + "/services/orders/internal/store", Imports: []string{m + "/services/orders/internal/grpcapi"}},
			"services/orders/internal/store imports " + m + "/services/orders/internal/grpcapi: a store knows nothing of the API"},
		{arch.Package{ImportPath: m + "/services/orders/internal/peers", Imports: []string{m + "/services/serials/internal/domain"}},
			"services/orders/internal/peers imports " + m + "/services/serials/internal/domain: a service talks to another over gRPC and events, never by import"},
		{arch.Package{ImportPath: m + "/platform/outbox", Deps: []string{m + "/services/notify/internal/domain"}},
			"platform/outbox imports " + m + "/services/notify/internal/domain: platform serves every service and depends on none"},
	}
	for _, tc := range tests {
		got := arch.Rules([]arch.Package{tc.pkg})
		if !slices.Equal(got, []string{tc.want}) {
			t.Errorf("Rules(%s) = %q, want [%q]", tc.pkg.ImportPath, got, tc.want)
		}
	}
	// What is allowed stays allowed.
	fine := []arch.Package{
		{ImportPath: m + "/services/orders/internal/domain", Deps: []string{m + "/platform/errs", m + "/platform/civil", "time"}},
		{ImportPath: m + "/services/orders/internal/grpcapi", Imports: []string{m + "/services/orders/internal/app", m + "/gen/go/ariesone/orders/v1"}},
		{ImportPath: m + "/services/orders/internal/store", Imports: []string{m + "/services/orders/internal/domain", "github.com/jackc/pgx/v5"}},
	}
	if got := arch.Rules(fine); len(got) != 0 {
		t.Errorf("allowed imports refused: %q", got)
	}
}
