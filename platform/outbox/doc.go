// Package outbox is the only way a service's events leave it: business code
// appends events to the service's outbox table in the transaction of the
// change that caused them, and a relay publishes committed events to the
// bus afterwards. A change and its events therefore commit together or not
// at all, and no event describes a change that rolled back.
//
// # Writing
//
// [NewMessage] builds an event from a protobuf payload; [AppendFromContext]
// (or a [Recorder]) appends it inside the unit of work the context carries
// ([postgres.DB.InTx]) and refuses to run outside one. [Append] takes the
// transaction explicitly.
//
// # Publishing
//
// A [Relay] takes unsent rows in publish order, in batches, locking them
// with FOR UPDATE SKIP LOCKED so several replicas share the work without
// publishing a row twice at once. It publishes a batch, waits for the
// broker's confirms, then marks the confirmed rows sent and schedules the
// others for a retry with exponential backoff, in the same transaction that
// locked them. LISTEN/NOTIFY wakes it as soon as an appending transaction
// commits; polling is the fallback.
//
// Delivery is at least once. If the relay dies (or loses its database
// connection) after the broker confirmed a batch but before its transaction
// commits, the rows are still unsent and are published again later.
// Consumers de-duplicate by event id (platform/inbox).
//
// Order is best effort: one relay publishes pending rows in append order
// (an event appended after another one committed comes after it), but a
// failed event is retried after later ones, and replicas publish their
// batches side by side.
package outbox
