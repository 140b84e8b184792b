// Package fhir is a FHIR R4 facade over the AriesOne services, served by the
// gateway under Path (/fhir/r4): hospitals, EHRs and payers read and search
// resources in the shape they already speak, and every answer still comes
// from a service's gRPC API, through its own authentication, authorization,
// PHI masking and audit (see call.go). Nothing here reads a database.
//
// What is served is one registration table, []Resource: the router routes
// by it and the CapabilityStatement at /fhir/r4/metadata is generated from
// it, so the statement cannot claim more or less than the router does. A
// resource type is added by writing its package (patient is the model)
// and listing it in Resources.
//
// Conventions of the facade:
//
//   - JSON only. Responses are application/fhir+json; a request may accept
//     application/fhir+json, application/json or a wildcard (Accept, or the
//     _format parameter), anything else is 406.
//   - Interactions are read (GET [base]/Type/id), search-type
//     (GET [base]/Type?params), create (POST [base]/Type, where Create is
//     set: order intake, package intake) and transaction (POST [base], a Bundle
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
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ariesone/ariesone/gateway/internal/edge"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
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

// Options configure New.
type Options struct {
	// Resources are the types served, in CapabilityStatement order.
	Resources []restful.Resource
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
	types      map[string]restful.Resource
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
		types:     map[string]restful.Resource{},
		publicURL: opts.PublicURL,
		logger:    opts.Logger,
		annotator: restful.NewAnnotator(),
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
		h.fail(w, r, nil, restful.NotFound("No such FHIR route"))
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
	if len(segments) == 2 && segments[1] == restful.SearchPath {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			h.fail(w, r, nil, &restful.Error{Status: http.StatusMethodNotAllowed, Code: restful.IssueNotSupported,
				Diagnostics: "Search with POST [base]/Type/" + restful.SearchPath + " and a form body, or GET [base]/Type"})
			return
		}
	} else if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.fail(w, r, nil, &restful.Error{Status: http.StatusMethodNotAllowed, Code: restful.IssueNotSupported,
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
		h.fail(w, r, nil, restful.NotFound("No such FHIR resource type or interaction: "+r.URL.Path))
		return
	}
	switch {
	case len(segments) == 1:
		observe.SetRoute(r.Context(), Path+"/"+res.Type)
		h.search(w, r, res, false)
	case segments[1] == restful.SearchPath:
		observe.SetRoute(r.Context(), Path+"/"+res.Type+"/"+restful.SearchPath)
		h.search(w, r, res, true)
	default:
		observe.SetRoute(r.Context(), Path+"/"+res.Type+"/{id}")
		h.read(w, r, res, segments[1])
	}
}

func (h *Handler) read(w http.ResponseWriter, r *http.Request, res restful.Resource, id string) {
	if err := onlyFormat(r.URL.Query()); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	if !idPattern.MatchString(id) {
		h.fail(w, r, nil, restful.NotFound(res.Type+"/"+id+" is not a valid resource id"))
		return
	}
	ctx, c, err := restful.Annotate(r.Context(), h.annotator, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	obj, err := res.Read(ctx, id)
	if err != nil {
		h.fail(w, r, c, err)
		return
	}
	c.SetOutgoing(w)
	if m := obj.Common().Meta; m != nil && m.VersionID != "" && !strings.ContainsAny(m.VersionID, "\"\r\n") {
		w.Header().Set("ETag", `W/"`+m.VersionID+`"`)
	}
	writeJSON(w, http.StatusOK, obj)
}

// create answers POST [base]/Type: 201 with the created resource and its
// Location, or 200 when a conditional create (If-None-Exist) matched what
// the same identifier created before.
func (h *Handler) create(w http.ResponseWriter, r *http.Request, res restful.Resource) {
	if res.Create == nil {
		w.Header().Set("Allow", "GET, HEAD")
		h.fail(w, r, nil, &restful.Error{Status: http.StatusMethodNotAllowed, Code: restful.IssueNotSupported,
			Diagnostics: res.Type + " is read-only here; only DeviceRequest is created (order intake)"})
		return
	}
	h.post(w, r, func(ctx context.Context, body []byte) (int, any, error) {
		created, err := res.Create(ctx, restful.Submission{Requests: []restful.Request{
			{Resource: body, Path: res.Type, IfNoneExist: r.Header.Get("If-None-Exist")},
		}})
		if err != nil {
			return 0, nil, err
		}
		if len(created.Resources) != 1 {
			return 0, nil, status.Errorf(codes.Internal, "one %s posted, %d created", res.Type, len(created.Resources))
		}
		reply := createdEntry(h.baseURL(r), created.Resources[0], created.Replayed)
		w.Header().Set("Location", reply.FullURL)
		if reply.Response.Etag != "" {
			w.Header().Set("ETag", reply.Response.Etag)
		}
		if created.Replayed {
			return http.StatusOK, reply.Resource, nil
		}
		return http.StatusCreated, reply.Resource, nil
	})
}

// transaction answers POST [base] with a transaction Bundle.
func (h *Handler) transaction(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.fail(w, r, nil, &restful.Error{Status: http.StatusMethodNotAllowed, Code: restful.IssueNotSupported,
			Diagnostics: "POST a transaction Bundle to the base; read and search under [base]/Type"})
		return
	}
	h.post(w, r, func(ctx context.Context, body []byte) (int, any, error) {
		resp, err := h.transact(ctx, h.baseURL(r), body)
		return http.StatusOK, resp, err
	})
}

// post reads a posted resource and answers what run makes of it, calling
// the services with the request's credentials; headers run sets stay.
func (h *Handler) post(w http.ResponseWriter, r *http.Request, run func(ctx context.Context, body []byte) (int, any, error)) {
	body, err := h.resourceBody(r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	ctx, c, err := restful.Annotate(r.Context(), h.annotator, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	status, v, err := run(ctx, body)
	if err != nil {
		h.fail(w, r, c, err)
		return
	}
	c.SetOutgoing(w)
	writeJSON(w, status, v)
}

// resourceBody reads a posted resource: JSON only, no parameters but
// _format.
func (h *Handler) resourceBody(r *http.Request) ([]byte, error) {
	if err := onlyFormat(r.URL.Query()); err != nil {
		return nil, err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != MediaType && mt != "application/json" {
		return nil, &restful.Error{Status: http.StatusUnsupportedMediaType, Code: restful.IssueNotSupported,
			Diagnostics: "Resources are posted as " + MediaType + " (or application/json)"}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &restful.Error{Status: http.StatusRequestEntityTooLarge, Code: restful.IssueTooLong, Diagnostics: "Request body too large"}
		}
		return nil, restful.Invalid("Unreadable request body")
	}
	return body, nil
}

// search answers GET [base]/Type?params and, posted is true,
// POST [base]/Type/_search with the parameters in a form body (FHIR's way
// of keeping them out of URLs, which proxies and logs record).
func (h *Handler) search(w http.ResponseWriter, r *http.Request, res restful.Resource, posted bool) {
	if res.Search == nil {
		h.fail(w, r, nil, &restful.Error{Status: http.StatusMethodNotAllowed, Code: restful.IssueNotSupported,
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
	ctx, c, err := restful.Annotate(r.Context(), h.annotator, r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	page, err := res.Search.Run(ctx, q)
	if err != nil {
		h.fail(w, r, c, err)
		return
	}
	c.SetOutgoing(w)
	writeJSON(w, http.StatusOK, h.bundle(r, res, q, page))
}

// searchValues collects a search's parameters: the URL's, and a posted
// form's. A parameter may not be in both (strict handling refuses repeats),
// and the criteria of a BodyOnly search may not be in the URL at all.
func searchValues(r *http.Request, s *restful.Search, posted bool) (url.Values, error) {
	values := r.URL.Query()
	if s.BodyOnly {
		for name := range values {
			if name != restful.CountParam && name != restful.PageTokenParam && name != restful.FormatParam {
				return nil, restful.Invalid("Search parameter " + name + " identifies patients and is not accepted in the URL; " +
					"send the criteria as a form body to POST " + Path + "/<Type>/" + restful.SearchPath)
			}
		}
	}
	if !posted {
		return values, nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != formMediaType {
		return nil, &restful.Error{Status: http.StatusUnsupportedMediaType, Code: restful.IssueNotSupported,
			Diagnostics: "POST " + restful.SearchPath + " takes a " + formMediaType + " body"}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &restful.Error{Status: http.StatusRequestEntityTooLarge, Code: restful.IssueTooLong, Diagnostics: "Request body too large"}
		}
		return nil, restful.Invalid("Unreadable request body")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, restful.Invalid("Malformed form body: " + err.Error())
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
func parseQuery(values url.Values, declared []restful.SearchParam) (restful.Query, error) {
	q := restful.Query{Params: map[string]string{}, Count: restful.DefaultCount}
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
			return restful.Query{}, restful.Invalid("Search parameter " + name + " is repeated; give it once")
		}
		v := vs[0]
		switch {
		case name == restful.FormatParam:
			// Checked by negotiate.
		case name == restful.CountParam:
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return restful.Query{}, restful.Invalid("_count must be a whole number from 1 to " + strconv.Itoa(restful.MaxCount))
			}
			q.Count = min(n, restful.MaxCount)
		case name == restful.PageTokenParam:
			q.PageToken = v
		case known[name]:
			if v == "" {
				return restful.Query{}, restful.Invalid("Search parameter " + name + " has no value")
			}
			q.Params[name] = v
		default:
			diag := "Unknown search parameter " + name
			if strings.Contains(name, ":") {
				diag = "Search modifiers are not supported: " + name
			}
			diag += "; supported: " + strings.Join(paramNames(declared), ", ")
			return restful.Query{}, &restful.Error{Status: http.StatusBadRequest, Code: restful.IssueNotSupported, Diagnostics: diag}
		}
	}
	return q, nil
}

// onlyFormat refuses every parameter but _format, for interactions that
// take none (read, capabilities).
func onlyFormat(values url.Values) error {
	for name := range values {
		if name != restful.FormatParam {
			return &restful.Error{Status: http.StatusBadRequest, Code: restful.IssueNotSupported,
				Diagnostics: "Parameter " + name + " is not supported on this interaction"}
		}
	}
	return nil
}

func paramNames(declared []restful.SearchParam) []string {
	out := []string{restful.CountParam, restful.PageTokenParam}
	for _, p := range declared {
		out = append(out, p.Name)
	}
	return out
}

// negotiate refuses a request that accepts no JSON: FHIR's XML and RDF
// formats are not served.
func negotiate(r *http.Request) error {
	if f := r.URL.Query().Get(restful.FormatParam); f != "" {
		switch strings.ToLower(f) {
		// A "+" in a query string decodes to a space.
		case "json", "application/json", MediaType, "application/fhir json":
			return nil
		}
		return restful.NotAcceptable("_format " + f + " is not served; use json")
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
	return restful.NotAcceptable("Only " + MediaType + " (or application/json) is served")
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
		buf, _ = json.Marshal(restful.Outcome(restful.IssueException, "Internal server error"))
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
