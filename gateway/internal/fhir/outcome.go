package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	"github.com/ariesone/ariesone/gateway/internal/httperr"
	"github.com/ariesone/ariesone/platform/requestid"
)

// fail writes err as an OperationOutcome. A gRPC status gets the REST API's
// HTTP status and message (masked for internal failures, which are logged
// with the request id instead), its field violations as further issues, its
// reason as the first issue's details, and the service's quota headers.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, c *restful.Call, err error) {
	var fe *restful.Error
	if errors.As(err, &fe) {
		writeOutcome(w, fe.Status, restful.Outcome(fe.Code, fe.Diagnostics))
		return
	}
	var p *restful.Problems
	if errors.As(err, &p) {
		writeOutcome(w, p.Status, restful.OperationOutcome{ResourceType: "OperationOutcome", Issue: p.Issues})
		return
	}
	c.SetOutgoing(w)
	st := status.Convert(err)
	if httperr.Hidden(st.Code()) && !(st.Code() == codes.Canceled && r.Context().Err() != nil) {
		h.logger.LogAttrs(r.Context(), slog.LevelError, "FHIR request failed",
			slog.String("request_id", requestid.FromContext(r.Context())),
			slog.String("http_method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("code", st.Code().String()),
			slog.String("error", st.Message()))
	}
	if st.Code() == codes.ResourceExhausted && w.Header().Get("Retry-After") == "" {
		if d, ok := httperr.RetryDelay(st); ok {
			w.Header().Set("Retry-After", httperr.RetryAfterSeconds(d))
		}
	}
	writeOutcome(w, httperr.HTTPStatus(st.Code()), fromBody(httperr.FromStatus(st), issueCode(st.Code())))
}

// fromBody turns the REST error body into an OperationOutcome, so FHIR and
// REST clients are told the same thing.
func fromBody(b httperr.Body, code string) restful.OperationOutcome {
	first := restful.Issue{Severity: "error", Code: code, Diagnostics: b.Message}
	if b.Reason != "" {
		first.Details = &r4.CodeableConcept{Coding: []r4.Coding{{System: restful.SystemErrorReason, Code: b.Reason}}}
	}
	o := restful.OperationOutcome{ResourceType: "OperationOutcome", Issue: []restful.Issue{first}}
	for _, v := range b.Errors {
		o.Issue = append(o.Issue, restful.Issue{Severity: "error", Code: restful.IssueInvalid, Diagnostics: v.Field + ": " + v.Message})
	}
	for _, p := range b.Preconditions {
		o.Issue = append(o.Issue, restful.Issue{Severity: "error", Code: restful.IssueBusinessRule, Diagnostics: p.Subject + ": " + p.Description})
	}
	return o
}

// issueCode is the FHIR issue type of a gRPC code.
func issueCode(c codes.Code) string {
	switch c {
	case codes.InvalidArgument, codes.OutOfRange:
		return restful.IssueInvalid
	case codes.FailedPrecondition:
		return restful.IssueBusinessRule
	case codes.Unauthenticated:
		return restful.IssueLogin
	case codes.PermissionDenied:
		return restful.IssueForbidden
	case codes.NotFound:
		return restful.IssueNotFound
	case codes.AlreadyExists, codes.Aborted:
		return restful.IssueConflict
	case codes.ResourceExhausted:
		return restful.IssueThrottled
	case codes.Unimplemented:
		return restful.IssueNotSupported
	case codes.Unavailable:
		return restful.IssueTransient
	case codes.DeadlineExceeded:
		return restful.IssueTimeout
	}
	return restful.IssueException
}

// issueCodeOfStatus is the FHIR issue type of an HTTP error status the edge
// answered with before the facade ran.
func issueCodeOfStatus(s int) string {
	switch s {
	case http.StatusBadRequest:
		return restful.IssueInvalid
	case http.StatusUnauthorized:
		return restful.IssueLogin
	case http.StatusForbidden:
		return restful.IssueForbidden
	case http.StatusNotFound:
		return restful.IssueNotFound
	case http.StatusMethodNotAllowed, http.StatusNotAcceptable, http.StatusNotImplemented:
		return restful.IssueNotSupported
	case http.StatusConflict:
		return restful.IssueConflict
	case http.StatusRequestEntityTooLarge:
		return restful.IssueTooLong
	case http.StatusTooManyRequests:
		return restful.IssueThrottled
	case http.StatusServiceUnavailable:
		return restful.IssueTransient
	case http.StatusGatewayTimeout:
		return restful.IssueTimeout
	}
	return restful.IssueException
}

func writeOutcome(w http.ResponseWriter, status int, o restful.OperationOutcome) {
	h := w.Header()
	h.Del("ETag")
	if status == http.StatusUnauthorized && h.Get("WWW-Authenticate") == "" {
		h.Set("WWW-Authenticate", `Bearer realm="ariesone"`)
	}
	writeJSON(w, status, o)
}

// Outcomes rewrites the REST error bodies of the middleware between the
// route and the facade (the API-key exchange's 401, say) as
// OperationOutcomes, so a FHIR client meets one error shape on every path.
// Mount it outermost on the FHIR route; answers already in FHIR pass
// untouched.
func Outcomes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := &translator{ResponseWriter: w}
		next.ServeHTTP(t, r)
		t.finish()
	})
}

// translator holds back a REST error body and writes its OperationOutcome
// instead.
type translator struct {
	http.ResponseWriter
	decided   bool
	capturing bool
	status    int
	body      bytes.Buffer
}

func (t *translator) WriteHeader(code int) {
	if t.decided {
		return
	}
	if code < 200 {
		t.ResponseWriter.WriteHeader(code)
		return
	}
	t.decided = true
	mt, _, _ := mime.ParseMediaType(t.Header().Get("Content-Type"))
	if code >= 400 && mt == "application/json" {
		t.capturing, t.status = true, code
		return
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *translator) Write(b []byte) (int, error) {
	if !t.decided {
		t.WriteHeader(http.StatusOK)
	}
	if t.capturing {
		return t.body.Write(b)
	}
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (t *translator) Unwrap() http.ResponseWriter { return t.ResponseWriter }

func (t *translator) finish() {
	if !t.capturing {
		return
	}
	var b httperr.Body
	if err := json.Unmarshal(t.body.Bytes(), &b); err != nil || b.Message == "" {
		b = httperr.New(t.status, http.StatusText(t.status))
	}
	writeOutcome(t.ResponseWriter, t.status, fromBody(b, issueCodeOfStatus(t.status)))
}
