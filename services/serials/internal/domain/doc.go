// Package domain holds the serials service's entities, value objects, rules
// and state machines: the item master, stock per warehouse and every serial-
// numbered unit, whose status is a projection of its append-only transactions.
// It imports neither gRPC nor SQL, so every rule can be table-tested and
// fuzzed on its own.
package domain
