// Package domain holds the company service's entities, value objects, rules
// and state machines: tenants (companies), their locations, users, roles,
// sessions, API keys and the signing keys whose public halves form the JWKS
// every service verifies tokens with. It imports neither gRPC nor SQL, so
// every rule can be table-tested and fuzzed on its own.
package domain
