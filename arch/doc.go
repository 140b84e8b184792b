// Package arch holds the layering every package of the repository keeps,
// checked by its test over `go list` of the whole workspace (make lint runs
// it; make test too):
//
//   - a service's domain code depends, even indirectly, on no SQL driver,
//     no gRPC and no generated API code, and imports neither its app nor its
//     store;
//   - its app layer imports no store, no grpcapi, no pgx and no gRPC: it
//     reaches them through the interfaces it declares;
//   - a store never imports grpcapi;
//   - no service imports another service (they talk over gRPC and events);
//   - platform depends on no service and not on the gateway.
//
// The rules live in Rules so that a test can plant a violation and see it
// named.
package arch

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Module is the repository's module path prefix.
const Module = "github.com/ariesone/ariesone"

// Package is what the rules read of one package (go list -json).
type Package struct {
	ImportPath string
	Imports    []string
	// Deps are every package it depends on, directly or not.
	Deps []string
}

// service matches a service's package and captures the service's name and
// the package path inside it.
var service = regexp.MustCompile(`^` + regexp.QuoteMeta(Module) + `/services/([a-z]+)/(.+)$`)

// layer reports the service and its package path ("internal/domain"), or
// ok false outside the services.
func layer(p Package) (svc, path string, ok bool) {
	m := service.FindStringSubmatch(p.ImportPath)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// hasPrefix reports whether path is one of prefixes or inside one: "a/b"
// holds "a/b" and "a/b/c", not "a/bc".
func hasPrefix(path string, prefixes ...string) bool {
	for _, p := range prefixes {
		p = strings.TrimSuffix(p, "/")
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

var (
	// database/sql/driver is not here: uuid implements its Valuer without
	// any SQL being run.
	sqlDrivers = []string{"github.com/jackc/pgx", "github.com/lib/pq"}
	grpc       = []string{"google.golang.org/grpc"}
	generated  = []string{Module + "/gen"}
)

// Rules returns one line per violation in pkgs, sorted.
func Rules(pkgs []Package) []string {
	var out []string
	bad := func(p Package, imp, rule string) {
		out = append(out, fmt.Sprintf("%s imports %s: %s", strings.TrimPrefix(p.ImportPath, Module+"/"), imp, rule))
	}
	for _, p := range pkgs {
		svc, path, inService := layer(p)
		if inService && (path == "internal/domain" || strings.HasPrefix(path, "internal/domain/")) {
			for _, d := range p.Deps {
				switch {
				case hasPrefix(d, sqlDrivers...) || d == "database/sql":
					bad(p, d, "domain code uses no SQL")
				case hasPrefix(d, grpc...):
					bad(p, d, "domain code knows no gRPC")
				case hasPrefix(d, generated...):
					bad(p, d, "domain code knows no generated API types")
				}
			}
			for _, imp := range p.Imports {
				if hasPrefix(imp, Module+"/services/"+svc+"/internal/app", Module+"/services/"+svc+"/internal/store") {
					bad(p, imp, "domain code depends on nothing above it")
				}
			}
		}
		for _, imp := range p.Imports {
			if inService && path == "internal/app" && (hasPrefix(imp, sqlDrivers...) || imp == "database/sql" || hasPrefix(imp, grpc...) ||
				strings.Contains(imp, "/internal/store") || strings.Contains(imp, "/internal/grpcapi")) {
				bad(p, imp, "the app layer reaches storage and transport through its own interfaces")
			}
			if inService && strings.HasPrefix(path, "internal/store") && strings.Contains(imp, "/internal/grpcapi") {
				bad(p, imp, "a store knows nothing of the API")
			}
			if other, _, ok := layer(Package{ImportPath: imp}); inService && ok && other != svc {
				bad(p, imp, "a service talks to another over gRPC and events, never by import")
			}
		}
		if strings.HasPrefix(p.ImportPath, Module+"/platform/") || p.ImportPath == Module+"/platform" {
			for _, d := range p.Deps {
				if hasPrefix(d, Module+"/services", Module+"/gateway") {
					bad(p, d, "platform serves every service and depends on none")
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
