// Package app holds the notify service's use cases: the event consumer that
// applies every event of the mesh (the audit trail, the event log, the
// users read model, notifications and webhook deliveries), the live event
// hub, and the API's commands and queries (Application), one group per
// resource.
//
// The consumer runs inside the unit of work of the inbox
// (platform/inbox): each event's effects and its inbox claim commit
// together, so a redelivered event has its effect once. The API's
// commands run in a unit of work of their own (platform/postgres WithTx).
package app
