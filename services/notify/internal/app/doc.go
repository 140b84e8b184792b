// Package app holds the notify service's use cases: the event consumer that
// applies every event of the mesh (the audit trail, the event log, the
// users read model, notifications and webhook deliveries), the live event
// hub, and one handler per command or query of the API (CQRS).
//
// The consumer runs inside the unit of work of the inbox
// (platform/inbox): each event's effects and its inbox claim commit
// together, so a redelivered event has its effect once. Commands of the API
// run in a unit of work of their own (platform/postgres WithTx).
package app
