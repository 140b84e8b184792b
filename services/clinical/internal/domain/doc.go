// Package domain holds the clinical service's entities, value objects, rules
// and state machines: patients, payers and plans, coverages, prescribers and
// the standard written orders that equipment orders depend on. It imports
// neither gRPC nor SQL, so every rule can be table-tested and fuzzed on its
// own.
package domain
