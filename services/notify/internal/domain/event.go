package domain

import (
	"strings"
	"time"
)

// Event is a domain event as notify received it from the bus: the envelope's
// facts and the payload's protobuf bytes, kept as they arrived so that a
// payload type notify does not know yet is stored and forwarded unchanged.
type Event struct {
	// ID is the event id (the AMQP message id), unique across AriesOne.
	ID string
	// Type is the routing key, "<service>.<resource>.<verb>.v<n>".
	Type string
	// PayloadType is the full protobuf name of the payload's message.
	PayloadType string
	// CompanyID is the tenant; empty for an event that belongs to none.
	CompanyID string
	// Source is the publishing service.
	Source string
	// OccurTime is when the change committed.
	OccurTime time.Time
	// Payload is the protobuf encoding of the payload.
	Payload []byte
}

// auditRecordedSuffixes end the type of every audit event: a batch of
// records (v2) or, before batches, one record (v1).
var auditRecordedSuffixes = []string{".audit.recorded.v2", ".audit.recorded.v1"}

// IsAuditRecord reports whether eventType carries audit records,
// "<service>.audit.recorded.v2" (or .v1) for a single service name. Audit records go
// to the hash-chained trail, not to the event log, notifications, webhooks
// or live watchers: they describe calls, not changes.
func IsAuditRecord(eventType string) bool {
	for _, suffix := range auditRecordedSuffixes {
		if service, ok := strings.CutSuffix(eventType, suffix); ok {
			return service != "" && !strings.Contains(service, ".")
		}
	}
	return false
}
