package restful

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
)

// OperationOutcome is FHIR's error body.
type OperationOutcome struct {
	ResourceType string  `json:"resourceType"`
	Issue        []Issue `json:"issue"`
}

// Issue is one problem an OperationOutcome reports.
type Issue struct {
	Severity    string              `json:"severity"`
	Code        string              `json:"code"`
	Details     *r4.CodeableConcept `json:"details,omitempty"`
	Diagnostics string              `json:"diagnostics,omitempty"`
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
const SystemErrorReason = r4.SystemBase + "/CodeSystem/error-reason"

// Error is a failure the facade decides itself (a bad parameter, an unknown
// type), with its HTTP status and issue code.
type Error struct {
	Status      int
	Code        string
	Diagnostics string
}

func (e *Error) Error() string { return e.Diagnostics }

// Invalid is a 400 for a request the client must change.
func Invalid(diag string) error {
	return &Error{Status: http.StatusBadRequest, Code: IssueInvalid, Diagnostics: diag}
}

// NotFound is a 404: no such resource for this caller.
func NotFound(diag string) error {
	return &Error{Status: http.StatusNotFound, Code: IssueNotFound, Diagnostics: diag}
}

// NotAcceptable is a 406: the client accepts no format served.
func NotAcceptable(diag string) error {
	return &Error{Status: http.StatusNotAcceptable, Code: IssueNotSupported, Diagnostics: diag}
}

// Outcome is an OperationOutcome of one error issue.
func Outcome(code, diag string) OperationOutcome {
	return OperationOutcome{ResourceType: "OperationOutcome", Issue: []Issue{{Severity: "error", Code: code, Diagnostics: diag}}}
}

// Problems are the issues of a refused submission, each naming its element.
type Problems struct {
	Issues []Issue
	Status int
}

// Add records an element that breaks a rule: 422, FHIR's status for a
// resource that parses but cannot be processed.
func (p *Problems) Add(expression, diag string) {
	p.AddStatus(http.StatusUnprocessableEntity, IssueProcessing, expression, diag)
}

// AddStatus records an issue with its own status and code; a 400 (the
// request itself is malformed) outranks a 422.
func (p *Problems) AddStatus(status int, code, expression, diag string) {
	if p.Status == 0 || status == http.StatusBadRequest {
		p.Status = status
	}
	p.Issues = append(p.Issues, Issue{Severity: "error", Code: code, Diagnostics: diag, Expression: []string{expression}})
}

// Err is p as an error, or nil when it holds no issue.
func (p *Problems) Err() error {
	if p == nil || len(p.Issues) == 0 {
		return nil
	}
	return p
}

func (p *Problems) Error() string { return p.Issues[0].Diagnostics }

// Unmatched is the error of one element that matched no record.
func Unmatched(expression, diag string) error {
	p := &Problems{}
	p.Add(expression, diag)
	return p
}

// DecodeResource parses raw as a resource of type typ into out; modifier
// extensions and implicit rules are refused, since they may change the
// meaning of elements the intake reads.
func DecodeResource(raw json.RawMessage, typ, path string, out any) error {
	var head struct {
		ResourceType      string            `json:"resourceType"`
		ImplicitRules     string            `json:"implicitRules"`
		ModifierExtension []json.RawMessage `json:"modifierExtension"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return &Error{Status: http.StatusBadRequest, Code: IssueStructure, Diagnostics: path + " is not a JSON resource: " + err.Error()}
	}
	var p Problems
	switch {
	case head.ResourceType != typ:
		p.AddStatus(http.StatusBadRequest, IssueStructure, path+".resourceType", "expected a "+typ+", got "+fmt.Sprintf("%q", head.ResourceType))
	case head.ImplicitRules != "":
		p.Add(path+".implicitRules", "implicit rules are not supported")
	case len(head.ModifierExtension) > 0:
		p.Add(path+".modifierExtension", "modifier extensions are not supported: they could change what the resource means")
	}
	if err := p.Err(); err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &Error{Status: http.StatusBadRequest, Code: IssueStructure, Diagnostics: path + " does not parse as a " + typ + ": " + err.Error()}
	}
	return nil
}
