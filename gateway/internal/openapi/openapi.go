// Package openapi serves the REST API's OpenAPI documents, the ones partners
// generate clients from: Swagger 2.0 and, converted from it (V3), OpenAPI 3.0. The document generated from the protos
// (written into this package by make generate, its one committed copy, and
// embedded) is adjusted once at start, without editing the generated file:
//
//   - paths move from the routes' prefix to the public API prefix;
//   - host and schemes come from the public URL when one is configured (and
//     are otherwise left out, which Swagger 2.0 defines as "wherever this
//     document was fetched from");
//   - securityDefinitions name the bearer token and the API key, every
//     operation requires one of them, and the public ones (login, refresh,
//     key exchange, JWKS) are marked as needing none;
//   - error responses, and the error line that ends a failed stream, are
//     described as the gateway's REST error body rather than
//     google.rpc.Status; each operation lists the 4xx statuses it can answer
//     (400 and 429 always, 401 and 403 unless public, 404 when its path names
//     a resource, 409 when it writes), so generated clients get typed errors;
//     success responses list the headers the edge adds (X-Request-Id, rate
//     limit, ETag).
package openapi

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
	authv1 "github.com/ariesone/ariesone/gen/go/ariesone/auth/v1"
)

//go:embed ariesone.swagger.json
var embedded []byte

// Embedded returns the document built into the binary.
func Embedded() []byte { return embedded }

// Load returns the generated document from file, or the embedded copy when
// file is empty.
func Load(file string) ([]byte, error) {
	if file == "" {
		return embedded, nil
	}
	doc, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("openapi: reading %s: %w", file, err)
	}
	return doc, nil
}

// Options say how to adjust the generated document.
type Options struct {
	// RoutePrefix is the prefix of the paths in the generated document
	// ("/api/v1").
	RoutePrefix string
	// PublicPrefix is where partners reach the API (API_PREFIX).
	PublicPrefix string
	// PublicURL, when set, is the scheme and host partners use.
	PublicURL *url.URL
	// Services are the services whose operations the document describes;
	// their access rules tell which operations are public.
	Services []protoreflect.ServiceDescriptor
}

// Security scheme names in the document.
const (
	SchemeBearer = "bearer"
	SchemeAPIKey = "apiKey"
)

// errorBodyDefinition names the REST error body in the document.
const errorBodyDefinition = "ErrorResponse"

// Build returns doc adjusted as the package comment describes.
func Build(doc []byte, opts Options) ([]byte, error) {
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("openapi: document is not JSON: %w", err)
	}
	if v, _ := d["swagger"].(string); v != "2.0" {
		return nil, fmt.Errorf("openapi: want a Swagger 2.0 document, got swagger=%q", v)
	}
	d["info"] = map[string]any{
		"title":   "AriesOne API",
		"version": "v1",
		"license": map[string]any{"name": "Proprietary"},
		"description": "REST API of AriesOne, the system of record of a home and durable medical equipment supplier. " +
			"Authenticate with a bearer token from /auth/login (people) or /auth/token (partner systems), or send " +
			"the API key itself in X-API-Key. Every error has the body described by ErrorResponse; every response " +
			"carries X-Request-Id, which support needs to find a call.",
	}
	d["basePath"] = "/"
	delete(d, "host")
	delete(d, "schemes")
	if u := opts.PublicURL; u != nil {
		d["host"] = u.Host
		d["schemes"] = []any{u.Scheme}
	}
	d["securityDefinitions"] = map[string]any{
		SchemeBearer: map[string]any{
			"type": "apiKey", "in": "header", "name": "Authorization",
			"description": `Access token from /auth/login, /auth/refresh or /auth/token, sent as "Bearer <token>".`,
		},
		SchemeAPIKey: map[string]any{
			"type": "apiKey", "in": "header", "name": "X-API-Key",
			"description": "A partner API key; the gateway exchanges it for an access token on each call (cached).",
		},
	}
	d["security"] = []any{
		map[string]any{SchemeBearer: []any{}},
		map[string]any{SchemeAPIKey: []any{}},
	}
	public := publicOperations(opts.Services)
	paths, _ := d["paths"].(map[string]any)
	moved := make(map[string]any, len(paths))
	for path, item := range paths {
		rest, ok := strings.CutPrefix(path, opts.RoutePrefix)
		if !ok {
			return nil, fmt.Errorf("openapi: path %s is not under %s", path, opts.RoutePrefix)
		}
		ops, _ := item.(map[string]any)
		for verb, op := range ops {
			o, ok := op.(map[string]any)
			if !ok {
				continue
			}
			id, _ := o["operationId"].(string)
			if public[id] {
				o["security"] = []any{}
			}
			adjustResponses(o, strings.EqualFold(verb, http.MethodGet), d)
			documentErrors(o, d, errorResponses(path, verb, public[id]))
		}
		moved[opts.PublicPrefix+rest] = item
	}
	d["paths"] = moved
	defs, _ := d["definitions"].(map[string]any)
	if defs == nil {
		defs = map[string]any{}
		d["definitions"] = defs
	}
	defs[errorBodyDefinition] = errorBodySchema()
	// google.rpc.Status and protobufAny stay only where something still
	// names them (an event's payload is an Any).
	for _, def := range []string{"rpcStatus", "protobufAny"} {
		out, err := json.Marshal(d)
		if err != nil {
			return nil, err
		}
		if !strings.Contains(string(out), `"#/definitions/`+def+`"`) {
			delete(defs, def)
		}
	}
	return json.Marshal(d)
}

// publicOperations returns the operationIds ("Service_Method", as
// protoc-gen-openapiv2 names them) of methods whose access rule is public.
func publicOperations(services []protoreflect.ServiceDescriptor) map[string]bool {
	out := map[string]bool{}
	for _, sd := range services {
		methods := sd.Methods()
		for i := range methods.Len() {
			m := methods.Get(i)
			rule, _ := proto.GetExtension(m.Options(), authv1.E_Rule).(*authv1.Rule)
			if rule.GetPublic() {
				out[string(sd.Name())+"_"+string(m.Name())] = true
			}
		}
	}
	return out
}

// adjustResponses points error responses at the REST error body and lists
// the edge's headers on success responses.
func adjustResponses(op map[string]any, isGet bool, doc map[string]any) {
	responses, _ := op["responses"].(map[string]any)
	if responses == nil {
		return
	}
	responses["default"] = map[string]any{
		"description": "An error, in the REST error body. The status code says what kind.",
		"schema":      map[string]any{"$ref": "#/definitions/" + errorBodyDefinition},
		"headers":     edgeHeaders(false),
	}
	for code, resp := range responses {
		r, ok := resp.(map[string]any)
		if !ok || !strings.HasPrefix(code, "2") {
			continue
		}
		r["headers"] = edgeHeaders(isGet && hasEtag(r, doc))
		// A stream's lines are {"result": message} and, when the stream
		// fails after it began, a last {"error": REST error body}.
		schema, _ := r["schema"].(map[string]any)
		if props, _ := schema["properties"].(map[string]any); props != nil && props["error"] != nil {
			props["error"] = map[string]any{
				"$ref":        "#/definitions/" + errorBodyDefinition,
				"description": "The error that ended the stream after it began, on the stream's last line.",
			}
		}
	}
}

// errorResponse is one documented 4xx status: its name under the
// document's shared responses, and what it means.
type errorResponse struct {
	status, name, description string
}

var (
	badRequest = errorResponse{"400", "BadRequest",
		"The request is invalid: errors lists each invalid field, preconditions each unmet precondition."}
	unauthorized = errorResponse{"401", "Unauthorized",
		"No credentials, or they are invalid or expired."}
	forbidden = errorResponse{"403", "Forbidden",
		"The credentials do not allow this call."}
	notFound = errorResponse{"404", "NotFound",
		"The resource named in the path does not exist in the caller's company."}
	conflict = errorResponse{"409", "Conflict",
		"A conflict: a stale etag (reason ETAG_MISMATCH), a resource that already exists, or a request id reused with a different request (reason REQUEST_ID_REUSED)."}
	tooManyRequests = errorResponse{"429", "TooManyRequests",
		"Too many requests for this caller; Retry-After says when to try again."}
)

// errorResponses returns the 4xx statuses an operation documents. Every call
// can be malformed or rate limited; protected ones can lack or exceed their
// credentials; only one naming a resource in its path can miss it; and only a
// protected write can conflict (a stale etag, a duplicate, a request id
// reused with another body).
func errorResponses(path, verb string, public bool) []errorResponse {
	out := []errorResponse{badRequest, tooManyRequests}
	write := !strings.EqualFold(verb, http.MethodGet)
	if public {
		// Signing in and exchanging keys send their credentials in the
		// body (a wrong one is a 401) and write nothing that could
		// conflict; the key set needs nothing.
		if write {
			out = append(out, unauthorized)
		}
		return out
	}
	out = append(out, unauthorized, forbidden)
	if strings.Contains(path, "{") {
		out = append(out, notFound)
	}
	if write {
		out = append(out, conflict)
	}
	return out
}

// documentErrors adds each error response to op, as a reference to the
// document's shared response of that name (added to doc once), leaving any
// status the protos declared themselves.
func documentErrors(op, doc map[string]any, errs []errorResponse) {
	responses, _ := op["responses"].(map[string]any)
	if responses == nil {
		return
	}
	shared, _ := doc["responses"].(map[string]any)
	if shared == nil {
		shared = map[string]any{}
		doc["responses"] = shared
	}
	for _, e := range errs {
		if _, ok := responses[e.status]; ok {
			continue
		}
		shared[e.name] = map[string]any{
			"description": e.description,
			"schema":      map[string]any{"$ref": "#/definitions/" + errorBodyDefinition},
			"headers":     edgeHeaders(false),
		}
		responses[e.status] = map[string]any{"$ref": "#/responses/" + e.name}
	}
}

func edgeHeaders(withETag bool) map[string]any {
	h := map[string]any{
		"X-Request-Id":          header("Id of this request; quote it to support."),
		"X-RateLimit-Limit":     header("Requests allowed in a burst."),
		"X-RateLimit-Remaining": header("Requests left in the current burst."),
		"X-RateLimit-Reset":     header("Seconds until the burst allowance is full again."),
	}
	if withETag {
		h["ETag"] = header("The resource's etag; send it in If-None-Match to get 304 when unchanged.")
	} else {
		h["Retry-After"] = header("On 429 and 503: seconds to wait before retrying.")
	}
	return h
}

func header(description string) map[string]any {
	return map[string]any{"type": "string", "description": description}
}

// hasEtag reports whether a response's schema is a definition with an etag
// property.
func hasEtag(resp map[string]any, doc map[string]any) bool {
	schema, _ := resp["schema"].(map[string]any)
	ref, _ := schema["$ref"].(string)
	name, ok := strings.CutPrefix(ref, "#/definitions/")
	if !ok {
		return false
	}
	defs, _ := doc["definitions"].(map[string]any)
	def, _ := defs[name].(map[string]any)
	props, _ := def["properties"].(map[string]any)
	_, ok = props["etag"]
	return ok
}

// errorBodySchema describes httperr.Body.
func errorBodySchema() map[string]any {
	str := func(d string) map[string]any { return map[string]any{"type": "string", "description": d} }
	return map[string]any{
		"type":        "object",
		"description": "The body of every error response.",
		"required":    []any{"statusCode", "message", "errors", "requestId"},
		"properties": map[string]any{
			"statusCode": map[string]any{"type": "integer", "format": "int32", "description": "The HTTP status code, repeated."},
			"message":    str("What went wrong, for a person. " + "Internal errors read \"" + httperr.MessageInternal + "\"."),
			"errors": map[string]any{
				"type":        "array",
				"description": "Each invalid field of the request; empty when the error is not about fields.",
				"items": map[string]any{
					"type":     "object",
					"required": []any{"field", "message"},
					"properties": map[string]any{
						"field":   str("lowerCamelCase path of the field in the request, such as \"location.address.postalCode\"."),
						"message": str("What is wrong with it."),
					},
				},
			},
			"requestId": str("Id of the request, as in the X-Request-Id header."),
			"reason":    str("Stable machine-readable cause, such as RATE_LIMITED or ETAG_MISMATCH, when there is one."),
			"metadata": map[string]any{
				"type":                 "object",
				"description":          "Details of the reason, such as the ids of the patients a new one may duplicate (\"patientIds\" is \"patient_ids\" here: keys are as the service names them).",
				"additionalProperties": map[string]any{"type": "string"},
			},
			"preconditions": map[string]any{
				"type":        "array",
				"description": "Each unmet precondition of a refused state change, such as what a written order lacks before it can be signed; absent when there are none.",
				"items": map[string]any{
					"type":     "object",
					"required": []any{"type", "subject", "description"},
					"properties": map[string]any{
						"type":        str("Stable machine-readable kind, such as SIGNATURE_DATE_MISSING or DUPLICATE."),
						"subject":     str("What it concerns: a request field (\"signatureDate\") or a resource (\"patients/{id}\")."),
						"description": str("What is wrong, for a person."),
					},
				},
			},
		},
	}
}

// Media types of the two documents.
const (
	ContentTypeJSON = "application/json"
	ContentTypeYAML = "application/yaml"
)

// Handler serves doc with the given media type.
func Handler(doc []byte, contentType string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			httperr.Write(w, r, httperr.New(http.StatusMethodNotAllowed, "Method "+r.Method+" is not allowed on this route"))
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		_, _ = w.Write(doc)
	})
}
