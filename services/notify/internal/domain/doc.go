// Package domain holds the notify service's entities, value objects, rules and
// state machines: the event log, the hash-chained audit trail, in-app
// notifications, partner webhooks and the live event stream. It imports
// neither gRPC nor SQL, so every rule can be table-tested and fuzzed on its
// own.
package domain
