// Package domain holds the orders service's entities, value objects, rules and
// state machines: price lists, equipment orders and their workflow, deliveries
// with proof of delivery, rentals and resupply. It imports neither gRPC nor
// SQL, so every rule can be table-tested and fuzzed on its own.
package domain
