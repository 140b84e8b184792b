package domain

import "time"

// AuditQuery filters a tenant's trail; the filters combine with AND and an
// empty one filters nothing.
type AuditQuery struct {
	// ActorID keeps calls by this subject.
	ActorID string
	// ResourceID keeps calls that named this id in any id field.
	ResourceID string
	// Method keeps calls of this full gRPC method.
	Method string
	// Start keeps calls that started at or after it; zero means no bound.
	Start time.Time
	// End keeps calls that started before it; zero means no bound.
	End time.Time
}

// AuditPosition is where a newest-first listing of the trail resumes: after
// the record with this call time and sequence.
type AuditPosition struct {
	CallTime time.Time
	Sequence int64
}

// EventPosition is where a newest-first listing of the event log resumes:
// after the event with this occur time and id.
type EventPosition struct {
	OccurTime time.Time
	ID        string
}
