// Package errs holds the typed errors that domain and application code
// return. It imports no gRPC: the boundary (package grpcerr) maps each Kind to
// a canonical status code in one place, so a handler never picks a code by
// hand and nothing falls through to Internal by accident.
package errs

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind classifies an error the way a client must react to it.
type Kind int

const (
	// KindInternal is anything unclassified: a bug or an infrastructure
	// failure. Its details are never shown to clients.
	KindInternal Kind = iota
	// KindNotFound: the resource does not exist for this tenant.
	KindNotFound
	// KindAlreadyExists: a create collided with an existing resource.
	KindAlreadyExists
	// KindInvalid: the request is malformed; Fields says where.
	KindInvalid
	// KindFailedPrecondition: the request is well-formed but not allowed in
	// the resource's current state (a state-machine move, for example).
	KindFailedPrecondition
	// KindAborted: a concurrency conflict, such as a stale etag; retrying
	// after re-reading may succeed.
	KindAborted
	// KindPermissionDenied: the caller is known but may not do this.
	KindPermissionDenied
	// KindUnauthenticated: the caller could not be identified.
	KindUnauthenticated
	// KindResourceExhausted: a quota or rate limit was hit.
	KindResourceExhausted
	// KindUnavailable: a dependency is down; retrying later may succeed.
	KindUnavailable
)

var kindNames = [...]string{
	KindInternal:           "internal",
	KindNotFound:           "not found",
	KindAlreadyExists:      "already exists",
	KindInvalid:            "invalid",
	KindFailedPrecondition: "failed precondition",
	KindAborted:            "aborted",
	KindPermissionDenied:   "permission denied",
	KindUnauthenticated:    "unauthenticated",
	KindResourceExhausted:  "resource exhausted",
	KindUnavailable:        "unavailable",
}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// FieldViolation names one field of a request and what is wrong with it.
// Field is the lowerCamelCase JSON path ("address.postalCode",
// "lines[2].hcpcs") so gRPC and REST clients see the same names.
type FieldViolation struct {
	Field       string
	Description string
}

// PreconditionViolation names one unmet precondition of a request that is
// well formed but not allowed in the current state of the system, sent as a
// google.rpc.PreconditionFailure violation. Type is a stable
// UPPER_SNAKE_CASE code clients may branch on ("DUPLICATE",
// "DIAGNOSIS_MISSING"); Subject says what failed relative to the type, a
// resource name ("patients/0195…") or a field path ("faceToFaceDate").
// Neither may carry PHI.
type PreconditionViolation struct {
	Type        string
	Subject     string
	Description string
}

// Error is a classified error. Message is safe to show a client; Cause is
// kept for logs only.
type Error struct {
	Kind Kind
	// Reason is a stable UPPER_SNAKE_CASE code clients may branch on, sent as
	// google.rpc.ErrorInfo.reason (for example "ETAG_MISMATCH").
	Reason string
	// Message is a short human-readable explanation for the client.
	Message string
	// Fields lists every violated field of an invalid request.
	Fields []FieldViolation
	// Preconditions lists every unmet precondition of a failed-precondition
	// error, so a client learns about all of them at once.
	Preconditions []PreconditionViolation
	// Metadata adds context for ErrorInfo (resource type, id, states).
	Metadata map[string]string
	// RetryAfter, when positive, is how long the client should wait before
	// trying again (google.rpc.RetryInfo; Retry-After over REST).
	RetryAfter time.Duration
	// Cause is the underlying error, for logs and errors.Is/As.
	Cause error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Description)
	}
	for _, p := range e.Preconditions {
		fmt.Fprintf(&b, "; %s %s: %s", p.Type, p.Subject, p.Description)
	}
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Cause }

// KindOf reports the Kind of err, or KindInternal when err is not (and does
// not wrap) an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// Is reports whether err is classified as kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }

// NotFound reports that resource id does not exist (or is not visible to the
// caller's tenant, which must look the same).
func NotFound(resource, id string) *Error {
	return &Error{
		Kind:     KindNotFound,
		Reason:   "NOT_FOUND",
		Message:  fmt.Sprintf("%s %q not found", resource, id),
		Metadata: map[string]string{"resource": resource, "id": id},
	}
}

// AlreadyExists reports that a create collided on a unique key.
func AlreadyExists(resource, key string) *Error {
	return &Error{
		Kind:     KindAlreadyExists,
		Reason:   "ALREADY_EXISTS",
		Message:  fmt.Sprintf("%s %q already exists", resource, key),
		Metadata: map[string]string{"resource": resource, "key": key},
	}
}

// Invalid reports a malformed request listing every violated field.
func Invalid(fields ...FieldViolation) *Error {
	return &Error{Kind: KindInvalid, Reason: "INVALID_ARGUMENT", Message: "Validation failed", Fields: fields}
}

// FailedPrecondition reports a request not allowed in the current state.
func FailedPrecondition(reason, message string) *Error {
	return &Error{Kind: KindFailedPrecondition, Reason: reason, Message: message}
}

// Unmet reports a request not allowed in the current state because of each
// of the preconditions listed, under one reason.
func Unmet(reason, message string, preconditions ...PreconditionViolation) *Error {
	return &Error{Kind: KindFailedPrecondition, Reason: reason, Message: message, Preconditions: preconditions}
}

// Aborted reports a concurrency conflict that a re-read and retry may fix.
func Aborted(reason, message string) *Error {
	return &Error{Kind: KindAborted, Reason: reason, Message: message}
}

// Exhausted reports that a limited resource is busy or spent, and when to
// try again.
func Exhausted(reason, message string, retryAfter time.Duration) *Error {
	return &Error{Kind: KindResourceExhausted, Reason: reason, Message: message, RetryAfter: retryAfter}
}

// PermissionDenied reports that the caller may not perform the action.
func PermissionDenied(message string) *Error {
	return &Error{Kind: KindPermissionDenied, Reason: "PERMISSION_DENIED", Message: message}
}

// Unauthenticated reports missing or unacceptable credentials.
func Unauthenticated(message string) *Error {
	return &Error{Kind: KindUnauthenticated, Reason: "UNAUTHENTICATED", Message: message}
}

// Unavailable reports that a dependency cannot be reached right now.
func Unavailable(message string, cause error) *Error {
	return &Error{Kind: KindUnavailable, Reason: "UNAVAILABLE", Message: message, Cause: cause}
}

// With returns a copy of e with one more metadata entry.
func (e *Error) With(key, value string) *Error {
	c := *e
	c.Metadata = make(map[string]string, len(e.Metadata)+1)
	for k, v := range e.Metadata {
		c.Metadata[k] = v
	}
	c.Metadata[key] = value
	return &c
}
