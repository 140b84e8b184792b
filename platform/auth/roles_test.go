package auth_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/auth"
)

func TestPermits(t *testing.T) {
	tests := []struct {
		name       string
		roles      []string
		permission string
		want       bool
	}{
		{name: "owner company.write", roles: []string{auth.RoleOwner}, permission: "company.write", want: true},
		{name: "owner apikeys.rotate", roles: []string{auth.RoleOwner}, permission: "apikeys.rotate", want: true},
		{name: "owner audit.export", roles: []string{auth.RoleOwner}, permission: "audit.export", want: true},
		{name: "owner permission without a dot", roles: []string{auth.RoleOwner}, permission: "anything", want: true},

		{name: "admin company.read", roles: []string{auth.RoleAdmin}, permission: "company.read", want: true},
		{name: "admin lacks company.write", roles: []string{auth.RoleAdmin}, permission: "company.write", want: false},
		{name: "admin patients.phi", roles: []string{auth.RoleAdmin}, permission: "patients.phi", want: true},
		{name: "admin audit.read", roles: []string{auth.RoleAdmin}, permission: "audit.read", want: true},
		{name: "admin lacks audit.export", roles: []string{auth.RoleAdmin}, permission: "audit.export", want: false},

		{name: "auditor patients.read", roles: []string{auth.RoleAuditor}, permission: "patients.read", want: true},
		{name: "auditor company.read", roles: []string{auth.RoleAuditor}, permission: "company.read", want: true},
		{name: "auditor resource never listed", roles: []string{auth.RoleAuditor}, permission: "widgets.read", want: true},
		{name: "auditor audit.export", roles: []string{auth.RoleAuditor}, permission: "audit.export", want: true},
		{name: "auditor self.write", roles: []string{auth.RoleAuditor}, permission: "self.write", want: true},
		{name: "auditor patients.write", roles: []string{auth.RoleAuditor}, permission: "patients.write", want: false},
		{name: "auditor orders.write", roles: []string{auth.RoleAuditor}, permission: "orders.write", want: false},
		{name: "auditor patients.phi", roles: []string{auth.RoleAuditor}, permission: "patients.phi", want: false},

		{name: "partner webhooks.write", roles: []string{auth.RolePartner}, permission: "webhooks.write", want: true},
		{name: "partner webhooks.delete", roles: []string{auth.RolePartner}, permission: "webhooks.delete", want: true},
		{name: "partner events.watch", roles: []string{auth.RolePartner}, permission: "events.watch", want: true},
		{name: "partner events.read", roles: []string{auth.RolePartner}, permission: "events.read", want: false},
		{name: "partner orders.read", roles: []string{auth.RolePartner}, permission: "orders.read", want: true},
		{name: "partner patients.read", roles: []string{auth.RolePartner}, permission: "patients.read", want: false},
		{name: "partner self.write", roles: []string{auth.RolePartner}, permission: "self.write", want: false},

		{name: "technician deliveries.write", roles: []string{auth.RoleTechnician}, permission: "deliveries.write", want: true},
		{name: "technician deliveries.read", roles: []string{auth.RoleTechnician}, permission: "deliveries.read", want: false},
		{name: "warehouse serials.write", roles: []string{auth.RoleWarehouse}, permission: "serials.write", want: true},
		{name: "billing patients.write", roles: []string{auth.RoleBilling}, permission: "patients.write", want: false},
		{name: "intake patients.write", roles: []string{auth.RoleIntake}, permission: "patients.write", want: true},

		{name: "any role grants", roles: []string{auth.RolePartner, auth.RoleIntake}, permission: "patients.read", want: true},
		{name: "unknown role", roles: []string{"superuser"}, permission: "patients.read", want: false},
		{name: "role names are case-sensitive", roles: []string{"OWNER"}, permission: "patients.read", want: false},
		{name: "no roles", roles: nil, permission: "patients.read", want: false},
		{name: "empty permission for owner", roles: []string{auth.RoleOwner}, permission: "", want: false},
		{name: "empty permission for auditor", roles: []string{auth.RoleAuditor}, permission: "", want: false},
		{name: "permission without a dot against resource wildcards", roles: []string{auth.RoleAdmin}, permission: "patients", want: false},
		{name: "permission without a dot against verb wildcard", roles: []string{auth.RoleAuditor}, permission: "read", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.Permits(tt.roles, tt.permission); got != tt.want {
				t.Errorf("Permits(%v, %q) = %v, want %v", tt.roles, tt.permission, got, tt.want)
			}
		})
	}
}

// roleConstants reads the package source for every string constant whose
// name starts with "Role", so a new role cannot be declared without an entry
// in RolePermissions (and the other way round).
func roleConstants(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatalf("parsing %s: %v", name, err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if !strings.HasPrefix(id.Name, "Role") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s is not a string literal", id.Name)
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, v)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestEveryRoleHasPermissions(t *testing.T) {
	declared := roleConstants(t)
	if len(declared) == 0 {
		t.Fatal("found no Role constants")
	}
	var tabled []string
	for role := range auth.RolePermissions {
		tabled = append(tabled, role)
	}
	sort.Strings(tabled)
	if diff := cmp.Diff(declared, tabled); diff != "" {
		t.Errorf("Role constants (-) vs RolePermissions keys (+):\n%s", diff)
	}
}

func TestRolePatternsAreWellFormed(t *testing.T) {
	for role, patterns := range auth.RolePermissions {
		if len(patterns) == 0 {
			t.Errorf("role %q grants nothing", role)
		}
		for _, p := range patterns {
			if p == "*" {
				continue
			}
			resource, verb, ok := strings.Cut(p, ".")
			if !ok || resource == "" || verb == "" || strings.Contains(verb, ".") {
				t.Errorf("role %q: pattern %q is not resource.verb", role, p)
			}
			if partialWildcard(resource) || partialWildcard(verb) {
				t.Errorf("role %q: pattern %q has a partial wildcard", role, p)
			}
		}
	}
}

// partialWildcard reports a pattern part like "pat*" that matches() would
// treat literally.
func partialWildcard(part string) bool { return part != "*" && strings.Contains(part, "*") }
