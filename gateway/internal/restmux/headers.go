package restmux

import (
	"net/textproto"
	"strings"

	"github.com/ariesone/ariesone/platform/ratelimit"
	"github.com/ariesone/ariesone/platform/requestid"
	"github.com/ariesone/ariesone/platform/server"
)

// HTTP names of the response headers the services set as metadata.
const (
	HeaderRateLimitLimit     = "X-RateLimit-Limit"
	HeaderRateLimitRemaining = "X-RateLimit-Remaining"
	HeaderRateLimitReset     = "X-RateLimit-Reset"
	HeaderRetryAfter         = "Retry-After"
	// HeaderReplayed says a create answered a repeated requestId with what
	// the first request created ("true"); absent on a creation.
	HeaderReplayed = "Idempotent-Replayed"
)

// UserAgentMetadata carries the client's User-Agent to the services (for
// audit records); gRPC keeps "user-agent" for its own client string.
const UserAgentMetadata = "grpcgateway-user-agent"

// IncomingHeader picks the HTTP request headers that travel to the services
// as gRPC metadata. Everything else stays at the edge: cookies, the API key
// (exchanged for a token before the mux), conditional headers (answered by
// the edge), and Grpc-Metadata-* headers a client might use to forge
// metadata.
//
// Authorization is not listed because grpc-gateway always forwards it as
// "authorization"; listing it would send it twice. x-forwarded-for and
// x-forwarded-host are likewise derived by grpc-gateway itself, from the
// client address and host the edge's client-address middleware resolved.
func IncomingHeader(key string) (string, bool) {
	switch textproto.CanonicalMIMEHeaderKey(key) {
	case "X-Request-Id":
		return requestid.Header, true
	case "User-Agent":
		return UserAgentMetadata, true
	}
	return "", false
}

// OutgoingHeader picks the response metadata of a service that becomes HTTP
// response headers: the rate-limit quota, Retry-After and the replay mark of
// an idempotent create, under their plain HTTP names. Everything else is
// dropped, so no Grpc-Metadata-* header leaks internal detail to partners.
//
// x-request-id is dropped too: the edge sets X-Request-Id on every response,
// including those that never reach a service, and the services echo the id
// the edge sent them, so forwarding it would only duplicate the header.
func OutgoingHeader(key string) (string, bool) {
	switch strings.ToLower(key) {
	case ratelimit.HeaderLimit:
		return HeaderRateLimitLimit, true
	case ratelimit.HeaderRemaining:
		return HeaderRateLimitRemaining, true
	case ratelimit.HeaderReset:
		return HeaderRateLimitReset, true
	case ratelimit.HeaderRetryAfter:
		return HeaderRetryAfter, true
	case server.HeaderReplayed:
		return HeaderReplayed, true
	}
	return "", false
}

// dropAll keeps gRPC trailers (Grpc-Trailer-*) off HTTP responses.
func dropAll(string) (string, bool) { return "", false }
