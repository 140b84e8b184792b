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

	"github.com/ariesone/ariesone/gateway/internal/httperr"
	"github.com/ariesone/ariesone/platform/requestid"
)

// OperationOutcome is FHIR's error body.
type OperationOutcome struct {
	ResourceType string  `json:"resourceType"`
	Issue        []Issue `json:"issue"`
}

// Issue is one problem an OperationOutcome reports.
type Issue struct {
	Severity    string           `json:"severity"`
	Code        string           `json:"code"`
	Details     *CodeableConcept `json:"details,omitempty"`
	Diagnostics string           `json:"diagnostics,omitempty"`
	// Expression is the FHIRPath of the element the issue is about.
	Expression []string `json:"expression,omitempty"`
}

// FHIR issue-type codes the facade reports.
const (
	IssueInvalid      = "invalid"
	IssueNotSupported = "not-supported"
	IssueNotFound     = "not-found"
	IssueSecurity     = "security"
	IssueLogin        = "login"
	IssueForbidden    = "forbidden"
	IssueConflict     = "conflict"
	IssueThrottled    = "throttled"
	IssueBusinessRule = "business-rule"
	IssueTransient    = "transient"
	IssueTimeout      = "timeout"
	IssueException    = "exception"
	IssueTooLong      = "too-long"
	IssueStructure    = "structure"
	IssueProcessing   = "processing"
)

// SystemErrorReason is the code system of the services' error reasons
// (google.rpc.ErrorInfo, "PASSWORD_CHANGE_REQUIRED"), carried in
// issue.details so a client can branch on them as REST clients do on
// "reason".
const SystemErrorReason = SystemBase + "/CodeSystem/error-reason"

// Error is a failure the facade decides itself (a bad parameter, an unknown
// type), with its HTTP status and issue code.
type Error struct {
	Status      int
	Code        string
	Diagnostics string
}

func (e *Error) Error() string { return e.Diagnostics }

func invalid(diag string) error {
	return &Error{Status: http.StatusBadRequest, Code: IssueInvalid, Diagnostics: diag}
}

func notFound(diag string) error {
	return &Error{Status: http.StatusNotFound, Code: IssueNotFound, Diagnostics: diag}
}

func notAcceptable(diag string) error {
	return &Error{Status: http.StatusNotAcceptable, Code: IssueNotSupported, Diagnostics: diag}
}

func outcome(code, diag string) OperationOutcome {
	return OperationOutcome{ResourceType: "OperationOutcome", Issue: []Issue{{Severity: "error", Code: code, Diagnostics: diag}}}
}

// fail writes err as an OperationOutcome. A gRPC status gets the REST API's
// HTTP status and message (masked for internal failures, which are logged
// with the request id instead), its field violations as further issues, its
// reason as the first issue's details, and the service's quota headers.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, c *call, err error) {
	var fe *Error
	if errors.As(err, &fe) {
		writeOutcome(w, fe.Status, outcome(fe.Code, fe.Diagnostics))
		return
	}
	var p *problems
	if errors.As(err, &p) {
		writeOutcome(w, p.status, OperationOutcome{ResourceType: "OperationOutcome", Issue: p.issues})
		return
	}
	c.setOutgoing(w)
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
func fromBody(b httperr.Body, code string) OperationOutcome {
	first := Issue{Severity: "error", Code: code, Diagnostics: b.Message}
	if b.Reason != "" {
		first.Details = &CodeableConcept{Coding: []Coding{{System: SystemErrorReason, Code: b.Reason}}}
	}
	o := OperationOutcome{ResourceType: "OperationOutcome", Issue: []Issue{first}}
	for _, v := range b.Errors {
		o.Issue = append(o.Issue, Issue{Severity: "error", Code: IssueInvalid, Diagnostics: v.Field + ": " + v.Message})
	}
	for _, p := range b.Preconditions {
		o.Issue = append(o.Issue, Issue{Severity: "error", Code: IssueBusinessRule, Diagnostics: p.Subject + ": " + p.Description})
	}
	return o
}

// issueCode is the FHIR issue type of a gRPC code.
func issueCode(c codes.Code) string {
	switch c {
	case codes.InvalidArgument, codes.OutOfRange:
		return IssueInvalid
	case codes.FailedPrecondition:
		return IssueBusinessRule
	case codes.Unauthenticated:
		return IssueLogin
	case codes.PermissionDenied:
		return IssueForbidden
	case codes.NotFound:
		return IssueNotFound
	case codes.AlreadyExists, codes.Aborted:
		return IssueConflict
	case codes.ResourceExhausted:
		return IssueThrottled
	case codes.Unimplemented:
		return IssueNotSupported
	case codes.Unavailable:
		return IssueTransient
	case codes.DeadlineExceeded:
		return IssueTimeout
	}
	return IssueException
}

// issueCodeOfStatus is the FHIR issue type of an HTTP error status the edge
// answered with before the facade ran.
func issueCodeOfStatus(s int) string {
	switch s {
	case http.StatusBadRequest:
		return IssueInvalid
	case http.StatusUnauthorized:
		return IssueLogin
	case http.StatusForbidden:
		return IssueForbidden
	case http.StatusNotFound:
		return IssueNotFound
	case http.StatusMethodNotAllowed, http.StatusNotAcceptable, http.StatusNotImplemented:
		return IssueNotSupported
	case http.StatusConflict:
		return IssueConflict
	case http.StatusRequestEntityTooLarge:
		return IssueTooLong
	case http.StatusTooManyRequests:
		return IssueThrottled
	case http.StatusServiceUnavailable:
		return IssueTransient
	case http.StatusGatewayTimeout:
		return IssueTimeout
	}
	return IssueException
}

func writeOutcome(w http.ResponseWriter, status int, o OperationOutcome) {
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
