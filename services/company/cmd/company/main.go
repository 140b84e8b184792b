// Command company is AriesOne's identity provider and tenant registry: companies,
// locations, users, roles, sessions, API keys and the signing keys behind the
// JWKS every other service verifies tokens with.
//
// Configuration is by environment variable (see the README's table); the
// process exits non-zero, naming every bad variable, when it is wrong, and
// shuts down gracefully on SIGTERM.
package main

import "github.com/ariesone/ariesone/platform/service"

func main() {
	service.Main(service.Spec{
		Name:        "company",
		DefaultPort: 8081,
	})
}
