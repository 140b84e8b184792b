// Package httperr is the one REST error body of the gateway:
//
//	{"statusCode":400,"message":"Validation failed",
//	 "errors":[{"field":"serialNumber","message":"Invalid format"}],
//	 "requestId":"...","reason":"INVALID_ARGUMENT"}
//
// Every error the gateway sends, whether it comes from a service's gRPC
// status or from an edge policy (body too large, rate limited, unknown
// route), is written by Write, so partners parse one shape.
//
// "errors" is always present and is [] when there are no field violations:
// generated clients then see a non-optional array, and callers never have to
// tell a missing list from an empty one. "reason" is the google.rpc.ErrorInfo
// reason of the status when the service attached one, and is omitted
// otherwise; "metadata" carries that ErrorInfo's metadata (ids, never
// payload values). "preconditions" lists the google.rpc.PreconditionFailure
// violations of a refused state change (what a written order lacks before
// it can be signed, which existing patients a new one may duplicate), and
// is omitted when there are none.
package httperr

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ariesone/ariesone/platform/requestid"
)

// Messages the gateway uses instead of the status message for codes whose
// messages are not written for clients (they may name hosts, ports, methods
// or internal failures).
const (
	MessageInternal         = "Internal server error"
	MessageUnavailable      = "Service temporarily unavailable; retry later"
	MessageDeadlineExceeded = "The request took too long and was stopped"
	MessageUnimplemented    = "Not implemented"
	MessageCanceled         = "Request cancelled"
)

// StatusClientClosedRequest is the non-standard 499 used when the client went
// away before the answer; nobody reads it, but logs and metrics do.
const StatusClientClosedRequest = 499

// Violation is one field of a request and what is wrong with it. Field is the
// lowerCamelCase path of the field in the request message, as the services
// report it ("location.address.postalCode", "roles[0]").
type Violation struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Precondition is one unmet precondition of a refused request: its type
// ("DUPLICATE", "SIGNATURE_DATE_MISSING"), the subject it concerns
// ("patients/0190...", "signatureDate") and what is wrong.
type Precondition struct {
	Type        string `json:"type"`
	Subject     string `json:"subject"`
	Description string `json:"description"`
}

// Body is the REST error body.
type Body struct {
	StatusCode    int               `json:"statusCode"`
	Message       string            `json:"message"`
	Errors        []Violation       `json:"errors"`
	RequestID     string            `json:"requestId"`
	Reason        string            `json:"reason,omitempty"`
	Metadata      map[string]string `json:"metadata,omitempty"`
	Preconditions []Precondition    `json:"preconditions,omitempty"`
}

// New returns a body for an error the gateway raises itself.
func New(statusCode int, message string, violations ...Violation) Body {
	return Body{StatusCode: statusCode, Message: message, Errors: violations}
}

// Write sends b with its status code. The request id is taken from r's
// context (set by the request-id middleware) unless b already carries one.
// A 401 also gets the RFC 6750 challenge.
func Write(w http.ResponseWriter, r *http.Request, b Body) {
	if b.RequestID == "" {
		b.RequestID = requestid.FromContext(r.Context())
	}
	if b.Errors == nil {
		b.Errors = []Violation{}
	}
	if b.Message == "" {
		b.Message = http.StatusText(b.StatusCode)
	}
	buf, err := json.Marshal(b)
	if err != nil {
		// Body holds only strings, string maps and an int; this cannot fail.
		buf = []byte(`{"statusCode":500,"message":"` + MessageInternal + `","errors":[]}`)
		b.StatusCode = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(buf)))
	h.Del("ETag")
	if b.StatusCode == http.StatusUnauthorized && h.Get("WWW-Authenticate") == "" {
		h.Set("WWW-Authenticate", `Bearer realm="ariesone"`)
	}
	w.WriteHeader(b.StatusCode)
	_, _ = w.Write(buf)
}

// HTTPStatus maps a gRPC code to the HTTP status partners see. It follows
// grpc-gateway's table, which the API documents: FailedPrecondition is 400 (a
// transition not allowed now) and Aborted is 409 (a stale etag).
func HTTPStatus(c codes.Code) int {
	switch c {
	case codes.OK:
		return http.StatusOK
	case codes.InvalidArgument, codes.OutOfRange, codes.FailedPrecondition:
		return http.StatusBadRequest
	case codes.Unauthenticated:
		return http.StatusUnauthorized
	case codes.PermissionDenied:
		return http.StatusForbidden
	case codes.NotFound:
		return http.StatusNotFound
	case codes.AlreadyExists, codes.Aborted:
		return http.StatusConflict
	case codes.ResourceExhausted:
		return http.StatusTooManyRequests
	case codes.Canceled:
		return StatusClientClosedRequest
	case codes.Unimplemented:
		return http.StatusNotImplemented
	case codes.Unavailable:
		return http.StatusServiceUnavailable
	case codes.DeadlineExceeded:
		return http.StatusGatewayTimeout
	default: // Internal, Unknown, DataLoss and anything new
		return http.StatusInternalServerError
	}
}

// Hidden reports whether the message of a status with code c is replaced
// before it reaches the client. The caller logs the original with the
// request id, so support can find what happened from the id a partner
// quotes.
func Hidden(c codes.Code) bool {
	switch c {
	case codes.Internal, codes.Unknown, codes.DataLoss, codes.Unavailable,
		codes.DeadlineExceeded, codes.Unimplemented, codes.Canceled:
		return true
	}
	return HTTPStatus(c) == http.StatusInternalServerError
}

// FromStatus builds the body for a gRPC status: the HTTP status from its
// code, its message unless Hidden, its google.rpc.BadRequest field
// violations, its google.rpc.ErrorInfo reason and metadata, and its
// google.rpc.PreconditionFailure violations.
func FromStatus(st *status.Status) Body {
	b := Body{StatusCode: HTTPStatus(st.Code()), Message: clientMessage(st), Errors: []Violation{}}
	if Hidden(st.Code()) {
		// Details of a masked error may describe the failure too.
		return b
	}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				b.Errors = append(b.Errors, Violation{Field: v.GetField(), Message: v.GetDescription()})
			}
		case *errdetails.ErrorInfo:
			if b.Reason == "" {
				b.Reason = d.GetReason()
				if len(d.GetMetadata()) > 0 {
					b.Metadata = d.GetMetadata()
				}
			}
		case *errdetails.PreconditionFailure:
			for _, v := range d.GetViolations() {
				b.Preconditions = append(b.Preconditions, Precondition{Type: v.GetType(), Subject: v.GetSubject(), Description: v.GetDescription()})
			}
		}
	}
	return b
}

func clientMessage(st *status.Status) string {
	switch st.Code() {
	case codes.Unavailable:
		return MessageUnavailable
	case codes.DeadlineExceeded:
		return MessageDeadlineExceeded
	case codes.Unimplemented:
		return MessageUnimplemented
	case codes.Canceled:
		return MessageCanceled
	}
	if Hidden(st.Code()) {
		return MessageInternal
	}
	if st.Message() == "" {
		return http.StatusText(HTTPStatus(st.Code()))
	}
	return st.Message()
}

// RetryDelay returns the google.rpc.RetryInfo delay of st, if it has one.
func RetryDelay(st *status.Status) (time.Duration, bool) {
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay() != nil {
			return ri.GetRetryDelay().AsDuration(), true
		}
	}
	return 0, false
}

// RetryAfterSeconds renders d as a Retry-After value: whole seconds, rounded
// up, at least 1 (a zero would invite an immediate retry bound to fail).
func RetryAfterSeconds(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(1, secs), 10)
}

// TooLarge is the 413 body for a request body over limit bytes.
func TooLarge(limit int64) Body {
	return New(http.StatusRequestEntityTooLarge, "Request body too large; the limit is "+formatBytes(limit))
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
