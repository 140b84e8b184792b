// Package settings reads the gateway's configuration from the environment,
// once, at start (platform/config): every variable is checked and every bad
// one is reported by name in one error, before anything listens.
package settings

import (
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ariesone/ariesone/gateway/internal/backends"
	"github.com/ariesone/ariesone/gateway/internal/cors"
	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/ratelimit"
)

// Defaults of the gateway's own variables.
const (
	DefaultPort              = 8080
	DefaultMetricsPort       = config.DefaultMetricsPort
	DefaultMaxBodyBytes      = 1 << 20
	MaxMaxBodyBytes          = 64 << 20
	DefaultRateLimitEdge     = "50/s:100"
	DefaultDocsDir           = "gateway/web/swagger-ui"
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultRequestTimeout    = config.DefaultRequestTimeout
	DefaultShutdownTimeout   = config.DefaultShutdownTimeout
)

// Reserved are the paths the gateway serves outside the API; API_PREFIX may
// not overlap them.
var Reserved = []string{"/docs", "/healthz", "/readyz", "/.well-known"}

// Settings is the gateway's configuration.
type Settings struct {
	// Environment is APP_ENV (development, test, staging, production).
	Environment string
	// LogLevel is LOG_LEVEL.
	LogLevel string
	// Port is GATEWAY_PORT, where REST is served.
	Port int
	// MetricsPort is METRICS_PORT, where /metrics is served apart from the
	// public port.
	MetricsPort int
	// APIPrefix is API_PREFIX, the public path of the REST API.
	APIPrefix string
	// Backends maps a service name (backends.Spec.Name) to its host:port;
	// services without an address are absent.
	Backends map[string]string
	// CORSOrigins is CORS_ALLOWED_ORIGINS, normalised.
	CORSOrigins []string
	// MaxBodyBytes is MAX_BODY_BYTES.
	MaxBodyBytes int64
	// RateLimitEdge is RATE_LIMIT_EDGE, the per-client-address bucket.
	RateLimitEdge ratelimit.Limit
	// RedisAddr (REDIS_HOST, REDIS_PORT) shares the edge buckets between
	// replicas; empty keeps them in memory.
	RedisAddr     string
	RedisPassword string
	// AMQPURL is AMQP_URL: the broker whose revocation stream tells the
	// gateway which API keys' cached tokens to drop. Empty: the cache lets
	// go of a key's token when a service first refuses it.
	AMQPURL string
	// DocsDir is DOCS_DIR, where swagger-ui-dist was fetched to.
	DocsDir string
	// OpenAPIFile is OPENAPI_FILE; empty serves the embedded document.
	OpenAPIFile string
	// PublicURL is PUBLIC_URL, the scheme and host partners use; nil when
	// unset.
	PublicURL *url.URL
	// TrustedProxies is TRUSTED_PROXIES: peers whose X-Forwarded-For and
	// X-Forwarded-Proto are believed.
	TrustedProxies []netip.Prefix
	// HTTP server timeouts.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// RequestTimeout is REQUEST_TIMEOUT, the deadline of a call to the
	// services; it must be shorter than WriteTimeout.
	RequestTimeout time.Duration
	// ShutdownTimeout is SHUTDOWN_TIMEOUT, how long in-flight requests may
	// finish after a stop signal.
	ShutdownTimeout time.Duration
}

// Load reads the settings, recording problems in e; call e.Err afterwards.
func Load(e *config.Env) Settings {
	e.Secret("AMQP_URL", "REDIS_PASSWORD")
	s := Settings{
		Environment: e.OneOf("APP_ENV", config.EnvDevelopment,
			config.EnvDevelopment, config.EnvTest, config.EnvStaging, config.EnvProduction),
		LogLevel:          e.OneOf("LOG_LEVEL", "info", "debug", "info", "warn", "error"),
		Port:              e.Port("GATEWAY_PORT", DefaultPort),
		MetricsPort:       e.Port("METRICS_PORT", DefaultMetricsPort),
		APIPrefix:         apiPrefix(e),
		Backends:          map[string]string{},
		MaxBodyBytes:      int64(e.Int("MAX_BODY_BYTES", DefaultMaxBodyBytes, 1, MaxMaxBodyBytes)),
		RateLimitEdge:     rateLimit(e, "RATE_LIMIT_EDGE", DefaultRateLimitEdge),
		RedisPassword:     e.String("REDIS_PASSWORD", ""),
		AMQPURL:           e.String("AMQP_URL", ""),
		DocsDir:           e.String("DOCS_DIR", DefaultDocsDir),
		OpenAPIFile:       e.String("OPENAPI_FILE", ""),
		PublicURL:         publicURL(e),
		TrustedProxies:    trustedProxies(e),
		CORSOrigins:       corsOrigins(e),
		ReadHeaderTimeout: e.Duration("HTTP_READ_HEADER_TIMEOUT", DefaultReadHeaderTimeout),
		ReadTimeout:       e.Duration("HTTP_READ_TIMEOUT", DefaultReadTimeout),
		WriteTimeout:      e.Duration("HTTP_WRITE_TIMEOUT", DefaultWriteTimeout),
		IdleTimeout:       e.Duration("HTTP_IDLE_TIMEOUT", DefaultIdleTimeout),
		RequestTimeout:    e.Duration("REQUEST_TIMEOUT", DefaultRequestTimeout),
		ShutdownTimeout:   e.Duration("SHUTDOWN_TIMEOUT", DefaultShutdownTimeout),
	}
	for _, spec := range backends.All {
		if addr := e.HostPorts(spec.AddrEnv, spec.DefaultAddr); addr != "" {
			s.Backends[spec.Name] = addr
		}
	}
	if host := strings.TrimSpace(e.String("REDIS_HOST", "")); host != "" {
		s.RedisAddr = net.JoinHostPort(host, strconv.Itoa(e.Port("REDIS_PORT", config.DefaultRedisPort)))
	}
	if s.MetricsPort == s.Port {
		e.Invalid("METRICS_PORT", strconv.Itoa(s.MetricsPort), "must differ from GATEWAY_PORT")
	}
	if s.RequestTimeout >= s.WriteTimeout {
		e.Invalid("REQUEST_TIMEOUT", s.RequestTimeout.String(),
			"must be shorter than HTTP_WRITE_TIMEOUT ("+s.WriteTimeout.String()+"), or clients get a cut connection instead of a 504")
	}
	return s
}

func apiPrefix(e *config.Env) string {
	const name = "API_PREFIX"
	v := strings.TrimSpace(e.String(name, config.DefaultAPIPrefix))
	p := strings.TrimRight(v, "/")
	if !strings.HasPrefix(v, "/") || p == "" || strings.ContainsAny(p, "?#%{}*: \t") {
		e.Invalid(name, v, `must be a URL path below "/", such as "/api/v1"`)
		return config.DefaultAPIPrefix
	}
	for _, r := range Reserved {
		if p == r || strings.HasPrefix(p, r+"/") || strings.HasPrefix(r, p+"/") {
			e.Invalid(name, v, "must not overlap "+r+", which the gateway serves itself")
			return config.DefaultAPIPrefix
		}
	}
	return p
}

func rateLimit(e *config.Env, name, def string) ratelimit.Limit {
	v := e.String(name, def)
	l, err := ratelimit.ParseLimit(v)
	if err != nil {
		e.Invalid(name, v, err.Error())
		l, _ = ratelimit.ParseLimit(def)
	}
	return l
}

func publicURL(e *config.Env) *url.URL {
	const name = "PUBLIC_URL"
	v := e.URL(name, "", "https", "http")
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		e.Invalid(name, v, "must be scheme://host[:port] with nothing after the host, such as https://api.example.com")
		return nil
	}
	return &url.URL{Scheme: strings.ToLower(u.Scheme), Host: u.Host}
}

func trustedProxies(e *config.Env) []netip.Prefix {
	const name = "TRUSTED_PROXIES"
	var out []netip.Prefix
	for _, item := range e.List(name, nil) {
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(item); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		e.Invalid(name, item, "must be a comma-separated list of IP addresses or CIDR ranges, such as 10.0.0.0/8")
	}
	return out
}

func corsOrigins(e *config.Env) []string {
	const name = "CORS_ALLOWED_ORIGINS"
	var out []string
	for _, item := range e.List(name, nil) {
		o, err := cors.Normalize(item)
		if err != nil {
			e.Invalid(name, item, err.Error())
			continue
		}
		out = append(out, o)
	}
	return out
}
