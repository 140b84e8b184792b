// Package app holds the notify service's use cases, one handler per command or
// query (CQRS). Each command runs in one unit of work (platform/postgres
// WithTx). Its events are recorded after the commit for now; with the event
// backbone they move into the same transaction through the outbox, so a
// committed change is never without its events and audit record.
package app
