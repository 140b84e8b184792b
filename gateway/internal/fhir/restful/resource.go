// Package restful is the contract between the FHIR router and the
// resource packages: what a resource type serves (Resource: read, search,
// create, match), the checked search it is handed (Query) and the page it
// answers (Page), the errors it may answer besides the services' own
// (Error, Problems), paging across parent records (ChildPage), and the
// call context that carries the client's credentials to the services
// (Annotate, Header, CompanyID).
package restful

import (
	"context"
	"encoding/json"

	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
)

// Search paging.
const (
	// CountParam is FHIR's page size parameter.
	CountParam = "_count"
	// PageTokenParam carries a service page token in a Bundle's next link.
	// FHIR leaves the paging parameter to the server; this one says what
	// it holds.
	PageTokenParam = "_page_token"
	// SearchPath is the last segment of POST [base]/Type/_search.
	SearchPath = "_search"
	// FormatParam is FHIR's override of the Accept header.
	FormatParam = "_format"
	// DefaultCount is the page size when _count is absent.
	DefaultCount = 50
	// MaxCount is the largest page the services serve.
	MaxCount = 1000
)

// Resource is one resource type the facade serves.
type Resource struct {
	// Type is the FHIR resource type ("Patient").
	Type string
	// Read answers GET [base]/Type/id. Errors are gRPC statuses (from the
	// service) or *Error.
	Read func(ctx context.Context, id string) (r4.Object, error)
	// Search, when set, answers GET [base]/Type?params.
	Search *Search
	// Create, when set, answers POST [base]/Type, and the create entry of a
	// transaction (POST [base]).
	Create func(ctx context.Context, s Submission) (Created, error)
	// Match, when set, lets a transaction carry the type: its entry is
	// matched to an existing record (the one a reference to it then
	// names), never written. Errors name the element under path.
	Match func(ctx context.Context, raw json.RawMessage, path string, entries map[string]*Matched) (*Matched, error)
}

// Search is the search-type interaction of a resource type.
type Search struct {
	// Params are the search parameters accepted besides _count and
	// PageTokenParam; any other is refused.
	Params []SearchParam
	// BodyOnly accepts the criteria only in the form body of
	// POST [base]/Type/_search, never in a URL: set where they identify
	// people (a patient's MBI, name, birth date), since URLs end up in
	// proxies' and browsers' logs. The REST API keeps the same rule.
	BodyOnly bool
	// Run performs a search whose parameters the router checked.
	Run func(ctx context.Context, q Query) (Page, error)
}

// SearchParam is one search parameter, as the CapabilityStatement lists it.
type SearchParam struct {
	// Name is the parameter ("identifier").
	Name string
	// Type is its FHIR search type: token, string, date, reference.
	Type string
	// Documentation says how it maps onto the service, in particular what
	// subset of FHIR's semantics it implements.
	Documentation string
}

// Query is a checked search: each declared parameter at most once, no
// modifiers, _count within bounds.
type Query struct {
	// Params holds the declared parameters present, by name.
	Params map[string]string
	// Count is the page size.
	Count int
	// PageToken is the service's token of the page asked for.
	PageToken string
}

// Get returns the value of parameter name, if given.
func (q Query) Get(name string) (string, bool) {
	v, ok := q.Params[name]
	return v, ok
}

// Page is one page of search results.
type Page struct {
	Resources     []r4.Object
	NextPageToken string
}

// Submission is what a create is asked: one resource posted alone, or
// every create entry of a transaction, which make one record together (the
// DeviceRequests of a referral are the lines of one order).
type Submission struct {
	// Requests are the resources, in the order they were sent.
	Requests []Request
	// Entries are the transaction's other resources, matched, by fullUrl.
	Entries map[string]*Matched
}

// Request is one posted resource of a Submission.
type Request struct {
	// Resource is the resource as sent.
	Resource json.RawMessage
	// Path is its FHIRPath in the request ("DeviceRequest", or
	// "Bundle.entry[3].resource"), the root of every issue's expression.
	Path string
	// IfNoneExist is the conditional create's search ("identifier=s|v").
	IfNoneExist string
}

// Created is the answer to a Submission.
type Created struct {
	// Resources are what was created, one per request, in their order.
	Resources []r4.Object
	// Replayed is true when the same submission had created them before.
	Replayed bool
}

// Matched is a resource of a transaction matched to a record.
type Matched struct {
	// Type and Path are the entry's resource type and FHIRPath.
	Type, Path string
	// ID is the record's id, as a reference to it reads ("Patient/<ID>").
	ID string
	// Patient is the matched Patient's record, for what the intake takes
	// from it (the branch).
	Patient *clinicalv1.Patient
}
