// Package app holds the clinical service's use cases, one function per command or
// query (CQRS). Each command runs in one unit of work, so its change, its
// outbox events and its audit record commit together or not at all.
package app
