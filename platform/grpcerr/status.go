// Package grpcerr maps the typed errors of package errs to gRPC statuses, in
// one place for every service. Each Kind has one canonical code; Invalid
// errors carry every field violation in a single google.rpc.BadRequest; all
// classified errors carry a google.rpc.ErrorInfo whose reason clients may
// branch on. Unclassified errors become INTERNAL with a masked message: the
// detail goes to the log with the request id, never to the client.
package grpcerr

import (
	"context"
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/ariesone/ariesone/platform/errs"
)

// Domain is the ErrorInfo domain of every AriesOne error.
const Domain = "ariesone"

// MaskedMessage is what a client sees for INTERNAL and UNKNOWN errors.
const MaskedMessage = "internal error"

var kindCodes = map[errs.Kind]codes.Code{
	errs.KindInternal:           codes.Internal,
	errs.KindNotFound:           codes.NotFound,
	errs.KindAlreadyExists:      codes.AlreadyExists,
	errs.KindInvalid:            codes.InvalidArgument,
	errs.KindFailedPrecondition: codes.FailedPrecondition,
	errs.KindAborted:            codes.Aborted,
	errs.KindPermissionDenied:   codes.PermissionDenied,
	errs.KindUnauthenticated:    codes.Unauthenticated,
	errs.KindResourceExhausted:  codes.ResourceExhausted,
	errs.KindUnavailable:        codes.Unavailable,
}

// Code returns the canonical gRPC code of a Kind.
func Code(k errs.Kind) codes.Code {
	if c, ok := kindCodes[k]; ok {
		return c
	}
	return codes.Internal
}

// okStatus is the status of every successful call. A Status is never
// modified after it is made, so every interceptor that asks for the code of
// a nil error shares this one instead of allocating its own.
var okStatus = status.New(codes.OK, "")

// ToStatus converts any error returned by application code into the status a
// client may see. A nil error is OK. An error that already is a gRPC status
// passes through (interceptors produce those). Context cancellation and
// deadlines keep their meaning. Anything unclassified is INTERNAL, masked.
func ToStatus(err error) *status.Status {
	if err == nil {
		return okStatus
	}
	var de *errs.Error
	if errors.As(err, &de) {
		return fromDomain(de)
	}
	if st, ok := status.FromError(err); ok {
		if IsMasked(st.Code()) {
			return status.New(st.Code(), MaskedMessage)
		}
		return st
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return status.New(codes.DeadlineExceeded, "deadline exceeded")
	case errors.Is(err, context.Canceled):
		return status.New(codes.Canceled, "request cancelled")
	}
	return status.New(codes.Internal, MaskedMessage)
}

// IsMasked reports whether a status code is one whose message must never
// reach a client as written by the server.
func IsMasked(c codes.Code) bool { return c == codes.Internal || c == codes.Unknown }

func fromDomain(e *errs.Error) *status.Status {
	code := Code(e.Kind)
	if code == codes.Internal {
		return status.New(codes.Internal, MaskedMessage)
	}
	msg := e.Message
	if msg == "" {
		msg = e.Kind.String()
	}
	st := status.New(code, msg)
	details := []protoadapt.MessageV1{}
	if e.Reason != "" {
		details = append(details, &errdetails.ErrorInfo{Reason: e.Reason, Domain: Domain, Metadata: e.Metadata})
	}
	if len(e.Fields) > 0 {
		details = append(details, BadRequest(e.Fields))
	}
	if len(e.Preconditions) > 0 {
		details = append(details, PreconditionFailure(e.Preconditions))
	}
	if e.RetryAfter > 0 {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(e.RetryAfter)})
	}
	if len(details) == 0 {
		return st
	}
	withDetails, err := st.WithDetails(details...)
	if err != nil {
		return st
	}
	return withDetails
}

// BadRequest builds the google.rpc.BadRequest listing every violation.
func BadRequest(fields []errs.FieldViolation) *errdetails.BadRequest {
	br := &errdetails.BadRequest{FieldViolations: make([]*errdetails.BadRequest_FieldViolation, 0, len(fields))}
	for _, f := range fields {
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{
			Field:       f.Field,
			Description: f.Description,
		})
	}
	return br
}

// PreconditionFailure builds the google.rpc.PreconditionFailure listing
// every unmet precondition.
func PreconditionFailure(preconditions []errs.PreconditionViolation) *errdetails.PreconditionFailure {
	pf := &errdetails.PreconditionFailure{Violations: make([]*errdetails.PreconditionFailure_Violation, 0, len(preconditions))}
	for _, p := range preconditions {
		pf.Violations = append(pf.Violations, &errdetails.PreconditionFailure_Violation{
			Type:        p.Type,
			Subject:     p.Subject,
			Description: p.Description,
		})
	}
	return pf
}

// PreconditionViolations extracts the precondition violations of a status,
// in order, for tests and for the REST edge.
func PreconditionViolations(st *status.Status) []errs.PreconditionViolation {
	var out []errs.PreconditionViolation
	for _, d := range st.Details() {
		if pf, ok := d.(*errdetails.PreconditionFailure); ok {
			for _, v := range pf.GetViolations() {
				out = append(out, errs.PreconditionViolation{Type: v.GetType(), Subject: v.GetSubject(), Description: v.GetDescription()})
			}
		}
	}
	return out
}

// FieldViolations extracts the field violations of a status, in order, for
// tests and for the REST edge.
func FieldViolations(st *status.Status) []errs.FieldViolation {
	var out []errs.FieldViolation
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out = append(out, errs.FieldViolation{Field: v.GetField(), Description: v.GetDescription()})
			}
		}
	}
	return out
}
