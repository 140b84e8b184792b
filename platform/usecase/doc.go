// Package usecase holds what every service's application layer shares: the
// unit of work a command's change and its events commit in, the event
// recorder contract (the transactional outbox implements it), and the small
// rules every command and query follows: time-ordered ids, canonical UUID
// arguments, violations rooted under the request field that carried them,
// and AIP-158 keyset pages.
//
// It imports no gRPC and no SQL: the services' app packages build on it and
// stay testable with an in-memory recorder.
package usecase
