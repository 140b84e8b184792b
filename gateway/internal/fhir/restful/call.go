package restful

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/golang-jwt/jwt/v5"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/ariesone/ariesone/gateway/internal/restmux"
	"github.com/ariesone/ariesone/platform/auth"
)

// A FHIR request calls the services exactly as a REST request does: the
// outgoing metadata is built by grpc-gateway's own AnnotateContext on a mux
// with the REST mux's header rules (restmux.New), so the Authorization
// header (after the edge's API-key exchange), the request id, the user
// agent and the client address the edge resolved reach the services the same
// way, and their interceptors (authentication, authorization, PHI masking,
// audit, rate limits) decide as they do for REST.

// Call is what one FHIR request keeps about its gRPC calls.
type Call struct {
	authorization string

	mu      sync.Mutex
	headers []*metadata.MD
}

type callKey struct{}

// Annotate returns ctx carrying r's credentials and request metadata as
// outgoing gRPC metadata, and the call record the resource functions'
// calls report their response headers to.
func Annotate(ctx context.Context, mux *runtime.ServeMux, r *http.Request) (context.Context, *Call, error) {
	ctx, err := runtime.AnnotateContext(ctx, mux, r, "")
	if err != nil {
		return nil, nil, err
	}
	c := &Call{authorization: r.Header.Get("Authorization")}
	return context.WithValue(ctx, callKey{}, c), c, nil
}

// NewAnnotator returns the mux whose header rules AnnotateContext applies;
// it never routes anything.
func NewAnnotator() *runtime.ServeMux {
	return runtime.NewServeMux(runtime.WithIncomingHeaderMatcher(restmux.IncomingHeader))
}

// Header is the call option every resource function passes to its gRPC
// calls: it keeps the response headers, so the service's rate-limit quota
// reaches the FHIR client as it reaches a REST client.
func Header(ctx context.Context) grpc.CallOption {
	c, ok := ctx.Value(callKey{}).(*Call)
	if !ok {
		return grpc.EmptyCallOption{}
	}
	md := new(metadata.MD)
	c.mu.Lock()
	c.headers = append(c.headers, md)
	c.mu.Unlock()
	return grpc.Header(md)
}

// SetOutgoing copies the response headers restmux.OutgoingHeader picks
// from the calls' metadata onto w; the last call's quota wins.
func (c *Call) SetOutgoing(w http.ResponseWriter) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, md := range c.headers {
		for key, values := range *md {
			if name, ok := restmux.OutgoingHeader(key); ok && len(values) > 0 {
				w.Header().Set(name, values[0])
			}
		}
	}
}

// CompanyID returns the tenant of the caller's access token, for references
// to the supplier's Organization. The token is read without verifying it:
// it is only consulted after a service has verified and accepted the same
// token for the call being answered, and it only names the caller's own
// company, which the caller may read anyway. "" when there is none.
func CompanyID(ctx context.Context) string {
	c, ok := ctx.Value(callKey{}).(*Call)
	if !ok {
		return ""
	}
	token, ok := strings.CutPrefix(c.authorization, "Bearer ")
	if !ok {
		return ""
	}
	var claims auth.Claims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &claims); err != nil {
		return ""
	}
	return claims.CompanyID
}
