// Package fhir is a FHIR R4 facade over the AriesOne services, served by the
// gateway under Path (/fhir/r4): hospitals, EHRs and payers read and search
// resources in the shape they already speak, and every answer still comes
// from a service's gRPC API, through its own authentication, authorization,
// PHI masking and audit (see call.go). Nothing here reads a database.
//
// What is served is one registration table, []Resource: the router routes
// by it and the CapabilityStatement at /fhir/r4/metadata is generated from
// it, so the statement cannot claim more or less than the router does. A
// resource type is added by writing its mapping file (patient.go is the
// model) and listing it in Resources.
//
// Conventions of the facade:
//
//   - JSON only. Responses are application/fhir+json; a request may accept
//     application/fhir+json, application/json or a wildcard (Accept, or the
//     _format parameter), anything else is 406.
//   - Interactions are read (GET [base]/Type/id), search-type
//     (GET [base]/Type?params), create (POST [base]/Type, where Create is
//     set: order intake, intake.go) and transaction (POST [base], a Bundle
//     around one create, transaction.go). Other methods are 405, other
//     paths 404.
//   - Search is strict (as if "Prefer: handling=strict"): a parameter the
//     type does not declare, a modifier, or a repeated parameter is 400,
//     never silently ignored, because an ignored filter returns a larger set
//     of patients than the caller asked for.
//   - _count is the page size (default DefaultCount, at most MaxCount;
//     larger values are lowered to it). Paging is by the services' opaque
//     page tokens: the Bundle's "next" link repeats the search with
//     PageTokenParam=<token>; clients follow links, never build tokens.
//   - Errors are OperationOutcomes with the HTTP status the REST API gives
//     for the same gRPC code (httperr.HTTPStatus), messages masked alike.
package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"

	"github.com/ariesone/ariesone/gateway/internal/edge"
	"github.com/ariesone/ariesone/gateway/internal/observe"
)

// Path is where the facade is mounted on the gateway.
const Path = "/fhir/r4"

// Version is the FHIR version served.
const Version = "4.0.1"

// Media types.
const (
	MediaType   = "application/fhir+json"
	ContentType = MediaType + "; charset=utf-8"
)

// formMediaType is the body of POST [base]/Type/_search.
const formMediaType = "application/x-www-form-urlencoded"

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
	Read func(ctx context.Context, id string) (Object, error)
	// Search, when set, answers GET [base]/Type?params.
	Search *Search
	// Create, when set, answers POST [base]/Type, and the create entry of a
	// transaction (POST [base]).
	Create func(ctx context.Context, s Submission) (Created, error)
	// Match, when set, lets a transaction carry the type: its entry is
	// matched to an existing record (the one a reference to it then
	// names), never written. Errors name the element under path.
	Match func(ctx context.Context, raw json.RawMessage, path string, entries map[string]*matched) (*matched, error)
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
	Resources     []Object
	NextPageToken string
}

// Options configure New.
type Options struct {
	// Resources are the types served, in CapabilityStatement order.
	Resources []Resource
	// PublicURL, when set, is the scheme and host of links (fullUrl,
	// Bundle links); otherwise the request's own are used.
	PublicURL *url.URL
	// Logger records the full text of errors masked for clients.
	Logger *slog.Logger
	// Now stamps the CapabilityStatement; nil means time.Now.
	Now func() time.Time
}

// Handler serves the facade; mount it at Path+"/".
type Handler struct {
	types      map[string]Resource
	capability []byte
	publicURL  *url.URL
	logger     *slog.Logger
	annotator  *runtime.ServeMux
}

// New returns the facade serving opts.Resources.
func New(opts Options) (*Handler, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Handler{
		types:     map[string]Resource{},
		publicURL: opts.PublicURL,
		logger:    opts.Logger,
		annotator: newAnnotator(),
	}
	for _, r := range opts.Resources {
		if r.Type == "" || r.Read == nil {
			return nil, errors.New("fhir: a resource needs a type and a read")
		}
		if _, dup := h.types[r.Type]; dup {
			return nil, errors.New("fhir: " + r.Type + " registered twice")
		}
		h.types[r.Type] = r
	}
	capability, err := json.Marshal(NewCapabilityStatement(opts.Resources, opts.Now()))
	if err != nil {
		return nil, err
	}
	h.capability = capability
	return h, nil
}

// idPattern is FHIR's syntax of a logical id; anything else cannot name a
// resource.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// ServeHTTP routes a request under Path.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, Path+"/")
	switch {
	case r.URL.Path == Path:
		rest = ""
	case !ok:
		h.fail(w, r, nil, notFound("No such FHIR route"))
		return
	}
	segments := strings.Split(rest, "/")
	if err := negotiate(r); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	if rest == "" {
		observe.SetRoute(r.Context(), Path)
		h.transaction(w, r)
		return
	}
	if res, ok := h.types[segments[0]]; ok && len(segments) == 1 && r.Method == http.MethodPost {
		observe.SetRoute(r.Context(), Path+"/"+res.Type)
		h.create(w, r, res)
		return
	}
	if len(segments) == 2 && segments[1] == SearchPath {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			h.fail(w, r, nil, &Error{Status: http.StatusMethodNotAllowed, Code: IssueNotSupported,
				Diagnostics: "Search with POST [base]/Type/" + SearchPath + " and a form body, or GET [base]/Type"})
			return
		}
	} else if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.fail(w, r, nil, &Error{Status: http.StatusMethodNotAllowed, Code: IssueNotSupported,
			Diagnostics: "Method " + r.Method + " is not supported here: resources are read and searched, and DeviceRequests created (POST [base]/DeviceRequest or a transaction)"})
		return
	}
	if len(segments) == 1 && segments[0] == "metadata" {
		observe.SetRoute(r.Context(), Path+"/metadata")
		if err := onlyFormat(r.URL.Query()); err != nil {
			h.fail(w, r, nil, err)
			return
		}
		writeBody(w, http.StatusOK, h.capability)
		return
	}
	res, ok := h.types[segments[0]]
	if !ok || len(segments) > 2 || segments[0] == "" {
		h.fail(w, r, nil, notFound("No such FHIR resource type or interaction: "+r.URL.Path))
		return
	}
	switch {
	case len(segments) == 1:
		observe.SetRoute(r.Context(), Path+"/"+res.Type)
		h.search(w, r, res, false)
	case segments[1] == SearchPath:
		observe.SetRoute(r.Context(), Path+"/"+res.Type+"/"+SearchPath)
		h.search(w, r, res, true)
	default:
		observe.SetRoute(r.Context(), Path+"/"+res.Type+"/{id}")
		h.read(w, r, res, segments[1])
	}
}

func (h *Handler) read(w http.ResponseWriter, r *http.Request, res Resource, id string) {
	if err := onlyFormat(r.URL.Query()); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	if !idPattern.MatchString(id) {
		h.fail(w, r, nil, notFound(res.Type+"/"+id+" is not a valid resource id"))
		return
	}
	ctx, c, err := annotate(r.Context(), h.annotator, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	obj, err := res.Read(ctx, id)
	if err != nil {
		h.fail(w, r, c, err)
		return
	}
	c.setOutgoing(w)
	if m := obj.base().Meta; m != nil && m.VersionID != "" && !strings.ContainsAny(m.VersionID, "\"\r\n") {
		w.Header().Set("ETag", `W/"`+m.VersionID+`"`)
	}
	writeJSON(w, http.StatusOK, obj)
}

// create answers POST [base]/Type: 201 with the created resource and its
// Location, or 200 when a conditional create (If-None-Exist) matched what
// the same identifier created before.
func (h *Handler) create(w http.ResponseWriter, r *http.Request, res Resource) {
	if res.Create == nil {
		w.Header().Set("Allow", "GET, HEAD")
		h.fail(w, r, nil, &Error{Status: http.StatusMethodNotAllowed, Code: IssueNotSupported,
			Diagnostics: res.Type + " is read-only here; only DeviceRequest is created (order intake)"})
		return
	}
	body, err := h.resourceBody(r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	ctx, c, err := annotate(r.Context(), h.annotator, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	created, err := res.Create(ctx, Submission{Resource: body, Path: res.Type, IfNoneExist: r.Header.Get("If-None-Exist")})
	if err != nil {
		h.fail(w, r, c, err)
		return
	}
	c.setOutgoing(w)
	reply := createdEntry(h.baseURL(r), created)
	w.Header().Set("Location", reply.FullURL)
	if reply.Response.Etag != "" {
		w.Header().Set("ETag", reply.Response.Etag)
	}
	status := http.StatusCreated
	if created.Replayed {
		status = http.StatusOK
	}
	writeJSON(w, status, created.Resource)
}

// transaction answers POST [base] with a transaction Bundle.
func (h *Handler) transaction(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.fail(w, r, nil, &Error{Status: http.StatusMethodNotAllowed, Code: IssueNotSupported,
			Diagnostics: "POST a transaction Bundle to the base; read and search under [base]/Type"})
		return
	}
	body, err := h.resourceBody(r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	ctx, c, err := annotate(r.Context(), h.annotator, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	resp, err := h.transact(ctx, h.baseURL(r), body)
	if err != nil {
		h.fail(w, r, c, err)
		return
	}
	c.setOutgoing(w)
	writeJSON(w, http.StatusOK, resp)
}

// resourceBody reads a posted resource: JSON only, no parameters but
// _format.
func (h *Handler) resourceBody(r *http.Request) ([]byte, error) {
	if err := onlyFormat(r.URL.Query()); err != nil {
		return nil, err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != MediaType && mt != "application/json" {
		return nil, &Error{Status: http.StatusUnsupportedMediaType, Code: IssueNotSupported,
			Diagnostics: "Resources are posted as " + MediaType + " (or application/json)"}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &Error{Status: http.StatusRequestEntityTooLarge, Code: IssueTooLong, Diagnostics: "Request body too large"}
		}
		return nil, invalid("Unreadable request body")
	}
	return body, nil
}

// search answers GET [base]/Type?params and, posted is true,
// POST [base]/Type/_search with the parameters in a form body (FHIR's way
// of keeping them out of URLs, which proxies and logs record).
func (h *Handler) search(w http.ResponseWriter, r *http.Request, res Resource, posted bool) {
	if res.Search == nil {
		h.fail(w, r, nil, &Error{Status: http.StatusMethodNotAllowed, Code: IssueNotSupported,
			Diagnostics: "Search is not supported on " + res.Type})
		return
	}
	values, err := searchValues(r, res.Search, posted)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	q, err := parseQuery(values, res.Search.Params)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	ctx, c, err := annotate(r.Context(), h.annotator, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	page, err := res.Search.Run(ctx, q)
	if err != nil {
		h.fail(w, r, c, err)
		return
	}
	c.setOutgoing(w)
	writeJSON(w, http.StatusOK, h.bundle(r, res, q, page))
}

// searchValues collects a search's parameters: the URL's, and a posted
// form's. A parameter may not be in both (strict handling refuses repeats),
// and the criteria of a BodyOnly search may not be in the URL at all.
func searchValues(r *http.Request, s *Search, posted bool) (url.Values, error) {
	values := r.URL.Query()
	if s.BodyOnly {
		for name := range values {
			if name != CountParam && name != PageTokenParam && name != FormatParam {
				return nil, invalid("Search parameter " + name + " identifies patients and is not accepted in the URL; " +
					"send the criteria as a form body to POST " + Path + "/<Type>/" + SearchPath)
			}
		}
	}
	if !posted {
		return values, nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != formMediaType {
		return nil, &Error{Status: http.StatusUnsupportedMediaType, Code: IssueNotSupported,
			Diagnostics: "POST " + SearchPath + " takes a " + formMediaType + " body"}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &Error{Status: http.StatusRequestEntityTooLarge, Code: IssueTooLong, Diagnostics: "Request body too large"}
		}
		return nil, invalid("Unreadable request body")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, invalid("Malformed form body: " + err.Error())
	}
	for name, vs := range form {
		values[name] = append(values[name], vs...)
	}
	return values, nil
}

// baseURL is the absolute URL of Path for links: PUBLIC_URL's scheme and
// host when configured, else the request's (the scheme as the edge
// resolved it behind trusted proxies).
func (h *Handler) baseURL(r *http.Request) string {
	if h.publicURL != nil {
		return strings.TrimSuffix(h.publicURL.Scheme+"://"+h.publicURL.Host, "/") + Path
	}
	scheme := "http"
	if edge.ClientFrom(r.Context()).Secure || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + Path
}

// parseQuery checks a search's parameters against the declared ones.
func parseQuery(values url.Values, declared []SearchParam) (Query, error) {
	q := Query{Params: map[string]string{}, Count: DefaultCount}
	known := map[string]bool{}
	for _, p := range declared {
		known[p.Name] = true
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names) // one deterministic diagnostic for several bad names
	for _, name := range names {
		vs := values[name]
		if len(vs) != 1 {
			return Query{}, invalid("Search parameter " + name + " is repeated; give it once")
		}
		v := vs[0]
		switch {
		case name == FormatParam:
			// Checked by negotiate.
		case name == CountParam:
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return Query{}, invalid("_count must be a whole number from 1 to " + strconv.Itoa(MaxCount))
			}
			q.Count = min(n, MaxCount)
		case name == PageTokenParam:
			q.PageToken = v
		case known[name]:
			if v == "" {
				return Query{}, invalid("Search parameter " + name + " has no value")
			}
			q.Params[name] = v
		default:
			diag := "Unknown search parameter " + name
			if strings.Contains(name, ":") {
				diag = "Search modifiers are not supported: " + name
			}
			diag += "; supported: " + strings.Join(paramNames(declared), ", ")
			return Query{}, &Error{Status: http.StatusBadRequest, Code: IssueNotSupported, Diagnostics: diag}
		}
	}
	return q, nil
}

// onlyFormat refuses every parameter but _format, for interactions that
// take none (read, capabilities).
func onlyFormat(values url.Values) error {
	for name := range values {
		if name != FormatParam {
			return &Error{Status: http.StatusBadRequest, Code: IssueNotSupported,
				Diagnostics: "Parameter " + name + " is not supported on this interaction"}
		}
	}
	return nil
}

func paramNames(declared []SearchParam) []string {
	out := []string{CountParam, PageTokenParam}
	for _, p := range declared {
		out = append(out, p.Name)
	}
	return out
}

// negotiate refuses a request that accepts no JSON: FHIR's XML and RDF
// formats are not served.
func negotiate(r *http.Request) error {
	if f := r.URL.Query().Get(FormatParam); f != "" {
		switch strings.ToLower(f) {
		// A "+" in a query string decodes to a space.
		case "json", "application/json", MediaType, "application/fhir json":
			return nil
		}
		return notAcceptable("_format " + f + " is not served; use json")
	}
	accept := r.Header.Values("Accept")
	if len(accept) == 0 {
		return nil
	}
	for _, h := range accept {
		for part := range strings.SplitSeq(h, ",") {
			mt, params, _ := strings.Cut(part, ";")
			if refused(params) {
				continue
			}
			switch strings.ToLower(strings.TrimSpace(mt)) {
			case MediaType, "application/json", "application/*", "*/*":
				return nil
			}
		}
	}
	return notAcceptable("Only " + MediaType + " (or application/json) is served")
}

// refused reports whether the parameters of an Accept entry hold q=0, which
// marks the media type as not acceptable.
func refused(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q == 0
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	buf, err := json.Marshal(v)
	if err != nil {
		// The resource structs hold only strings, bools and slices of them.
		status = http.StatusInternalServerError
		buf, _ = json.Marshal(outcome(IssueException, "Internal server error"))
	}
	writeBody(w, status, buf)
}

func writeBody(w http.ResponseWriter, status int, buf []byte) {
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(status)
	_, _ = w.Write(buf)
}
