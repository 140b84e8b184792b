// Package requestcheck vets a REST request against the proto message it is
// about to become, before any service is called: the JSON body must be well
// formed, name only fields the request has, give each a value of the right
// type, and leave output-only fields (ids, timestamps, a user's roles) alone;
// query parameters must name fields and parse.
//
// protojson would refuse most of these too, but with one message for the
// whole body and no field path. Here every problem is listed with the
// lowerCamelCase path the services use in their own field violations
// ("location.companyId"), so a partner reads one kind of error whatever
// layer found it.
//
// Output-only fields are refused rather than ignored. AIP-203 lets a server
// ignore them, but a body that sets "roles" on a user update or a server
// timestamp is almost always an attempt to mass-assign (or a client bug),
// and silently dropping the value would hide either.
package requestcheck

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
)

// MessageInvalid is the error message of a request refused here, the same
// one the services use for validation failures.
const MessageInvalid = "Validation failed"

// Checker knows the HTTP bindings of the services the gateway serves.
type Checker struct {
	routes map[string]route
}

// New returns a Checker for the HTTP bindings (google.api.http) of services.
func New(services ...protoreflect.ServiceDescriptor) (*Checker, error) {
	routes, err := routesOf(services)
	if err != nil {
		return nil, err
	}
	return &Checker{routes: routes}, nil
}

// Knows reports whether the checker has a route for method and a path
// pattern in runtime.Pattern's String form; tests use it to prove every
// binding is covered.
func (c *Checker) Knows(method, pattern string) bool {
	_, ok := c.routes[routeKey(method, pattern)]
	return ok
}

// Middleware is a grpc-gateway mux middleware: it runs after routing, so the
// matched pattern tells it which method the request is for. A request the
// checker refuses is answered with 400 (or 413 when the body is over the
// edge's size limit) in the REST error body and never reaches a service.
// A route the checker does not know passes through unchecked; protojson in
// the generated handler still refuses unknown fields there.
func (c *Checker) Middleware(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, pathParams map[string]string) {
		pattern, ok := runtime.HTTPPattern(r.Context())
		if !ok {
			next(w, r, pathParams)
			return
		}
		rt, ok := c.routes[routeKey(r.Method, pattern.String())]
		if !ok {
			next(w, r, pathParams)
			return
		}
		violations := checkPath(rt, pathParams)
		violations = append(violations, checkQuery(rt, r.URL.Query(), pathParams)...)
		if rt.body != "" && r.Body != nil && r.Body != http.NoBody {
			data, err := io.ReadAll(r.Body)
			if err != nil {
				writeReadError(w, r, err)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(data))
			bodyViolations, err := checkBody(rt, data)
			if err != nil {
				httperr.Write(w, r, httperr.New(http.StatusBadRequest, err.Error()))
				return
			}
			violations = append(violations, bodyViolations...)
		}
		if len(violations) > 0 {
			b := httperr.New(http.StatusBadRequest, MessageInvalid, violations...)
			b.Reason = "INVALID_ARGUMENT"
			httperr.Write(w, r, b)
			return
		}
		next(w, r, pathParams)
	}
}

// checkBody returns the violations of a request body, or a syntax error when
// it is not JSON at all. An empty body is an empty request, as in the
// generated handler.
func checkBody(rt route, data []byte) ([]httperr.Violation, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	raw, err := parseValue(data)
	if err != nil {
		return nil, err
	}
	var c bodyChecker
	if rt.body == "*" {
		if !isNull(raw) {
			c.message(rt.input, raw, "")
		}
		return c.out, nil
	}
	fd := rt.input.Fields().ByName(protoreflect.Name(rt.body))
	if !isNull(raw) {
		c.field(rt.input, fd, string(fd.Name()), raw, fd.JSONName())
	}
	return c.out, nil
}

func writeReadError(w http.ResponseWriter, r *http.Request, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		httperr.Write(w, r, httperr.TooLarge(tooLarge.Limit))
		return
	}
	httperr.Write(w, r, httperr.New(http.StatusBadRequest, "The request body could not be read"))
}
