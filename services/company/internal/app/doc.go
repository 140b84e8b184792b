// Package app holds the company service's use cases, one group of commands
// and queries per resource (Application). Each command runs in one unit of
// work (UnitOfWork, the service's database transaction carried in the
// context): its store calls join it and its events are recorded inside it,
// so with the outbox behind EventRecorder a committed change is never
// without its events, and a change whose events cannot be written does not
// happen.
package app
