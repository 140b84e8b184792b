package config

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"
)

// Environments a deployment may declare in APP_ENV. Staging and production
// refuse settings that only make sense on a developer's machine.
const (
	EnvDevelopment = "development"
	EnvTest        = "test"
	EnvStaging     = "staging"
	EnvProduction  = "production"
)

// Log levels accepted in LOG_LEVEL, spelled as log/slog parses them.
var logLevels = []string{"debug", "info", "warn", "error"}

// Common holds the settings every AriesOne service reads, under the names the
// deployment files use. It is a plain value: packages that need a part of it
// (the server, the auth interceptor, the rate limiter) take that part as
// arguments, so none of them reads the environment itself.
type Common struct {
	// ServiceName identifies the service in logs, traces and metrics. It
	// comes from the code, not the environment, so a copied manifest cannot
	// make one service report as another.
	ServiceName string
	// Environment is APP_ENV: development (default), test, staging or
	// production.
	Environment string
	// LogLevel is LOG_LEVEL: debug, info (default), warn or error.
	LogLevel string
	// APIPort is API_PORT, the gRPC listen port; each service has its own
	// default so the whole mesh runs on one machine without settings.
	APIPort int
	// MetricsPort is METRICS_PORT (default 9090), where /metrics is served
	// over plain HTTP, apart from the gRPC port.
	MetricsPort int
	// APIPrefix is API_PREFIX (default "/api/v1"), the REST path prefix the
	// gateway mounts routes under, without a trailing slash.
	APIPrefix string
	// JWTIssuer (JWT_ISSUER) and JWTAudience (JWT_AUDIENCE) are the iss the
	// company service signs into access tokens and the aud every service
	// demands when verifying them.
	JWTIssuer   string
	JWTAudience string
	// JWKSURL is JWKS_URL, the http(s) address of the company service's
	// public keys. Optional here: the company service holds the keys itself;
	// the auth wiring of other services decides whether they need it.
	JWKSURL string
	// RedisHost (REDIS_HOST) and RedisPort (REDIS_PORT, default 6379) locate
	// the Redis that replicas share rate-limit quotas and cache through. An
	// empty host means Redis is not configured and in-process state is used;
	// see RedisAddr.
	RedisHost string
	RedisPort int
	// RedisPassword is REDIS_PASSWORD, optional.
	RedisPassword string
	// AMQPURL is AMQP_URL (amqp or amqps). Empty selects the in-process bus,
	// which is allowed only in development and test.
	AMQPURL string
	// EncryptionKey is ENCRYPTION_KEY, the PHI key ring in the form the
	// keyring package parses (keyring.Parse). Optional here because not every service stores
	// PHI; services that do must check it is set.
	EncryptionKey string
	// ShutdownTimeout is SHUTDOWN_TIMEOUT (default 20s): how long a stopping
	// service drains RPCs, consumers and the outbox relay before giving up.
	// Keep it below the pod's termination grace period.
	ShutdownTimeout time.Duration
	// RequestTimeout is REQUEST_TIMEOUT (default 30s), the deadline given to
	// a request that arrives without one.
	RequestTimeout time.Duration
	// OTLPEndpoint is OTEL_EXPORTER_OTLP_ENDPOINT, where traces are sent,
	// either "host:port" or an http(s) URL. Empty disables trace export.
	OTLPEndpoint string
	// Features are the FEATURE_* switches.
	// Profiling is PPROF_ENABLED (default false): serve net/http/pprof on the
	// operations port, for finding where a service spends its CPU. Off by
	// default; the operations port must never be public.
	Profiling bool
	// ClockAdjustable is CLOCK_ADJUSTABLE: the service's use cases run on
	// a clock the operations port can set (PUT /debug/clock), for
	// end-to-end tests of what happens month by month. Refused when
	// APP_ENV is staging or production.
	ClockAdjustable bool
	// TrustedProxies is TRUSTED_PROXIES: IPs or CIDR prefixes of the REST
	// gateway replicas, whose x-forwarded-for names the real client for rate
	// limits and audit. Empty trusts no one.
	TrustedProxies []string

	Features Features
	// RateLimits are the RATE_LIMIT_* settings.
	RateLimits RateLimits
}

// Features are product switches, all off unless enabled.
type Features struct {
	// BulkOperations is FEATURE_BULK_OPERATIONS: batch create/update methods.
	BulkOperations bool
	// RealTimeUpdates is FEATURE_REAL_TIME_UPDATES: the live event stream.
	RealTimeUpdates bool
	// AdvancedAnalytics is FEATURE_ADVANCED_ANALYTICS.
	AdvancedAnalytics bool
}

// RateLimits are token-bucket specifications per method class, written
// "rate/unit:burst" (for example "200/s:400"). They are carried as text; the
// rate-limit package parses them and reports a bad one by variable name.
type RateLimits struct {
	// Read is RATE_LIMIT_READ (default "200/s:400").
	Read string
	// Write is RATE_LIMIT_WRITE (default "50/s:100").
	Write string
	// Public is RATE_LIMIT_PUBLIC (default "20/s:40"), for unauthenticated
	// methods keyed by client address.
	Public string
	// Login is RATE_LIMIT_LOGIN (default "60/m:20"): sign-in, refresh and
	// API-key exchange per client address. Per-address, so a branch office
	// behind one NAT address must still be able to sign in at 8 a.m.;
	// password guessing against one account is stopped by the per-user
	// lockout instead.
	Login string
}

// Default values that are not per service.
const (
	DefaultMetricsPort     = 9090
	DefaultAPIPrefix       = "/api/v1"
	DefaultJWTIssuer       = "ariesone"
	DefaultJWTAudience     = "ariesone-api"
	DefaultRedisPort       = 6379
	DefaultShutdownTimeout = 20 * time.Second
	DefaultRequestTimeout  = 30 * time.Second
)

// LoadCommon reads the shared settings of service, whose gRPC port defaults
// to defaultPort. Problems are recorded in e; call e.Err after loading every
// section.
func LoadCommon(e *Env, service string, defaultPort int) Common {
	e.Secret("ENCRYPTION_KEY", "REDIS_PASSWORD")
	c := Common{
		ServiceName:   service,
		Environment:   e.OneOf("APP_ENV", EnvDevelopment, EnvDevelopment, EnvTest, EnvStaging, EnvProduction),
		LogLevel:      e.OneOf("LOG_LEVEL", "info", logLevels...),
		APIPort:       e.Port("API_PORT", defaultPort),
		MetricsPort:   e.Port("METRICS_PORT", DefaultMetricsPort),
		APIPrefix:     apiPrefix(e),
		JWTIssuer:     e.String("JWT_ISSUER", DefaultJWTIssuer),
		JWTAudience:   e.String("JWT_AUDIENCE", DefaultJWTAudience),
		JWKSURL:       e.URL("JWKS_URL", "", "https", "http"),
		RedisHost:     strings.TrimSpace(e.String("REDIS_HOST", "")),
		RedisPort:     e.Port("REDIS_PORT", DefaultRedisPort),
		RedisPassword: e.String("REDIS_PASSWORD", ""),
		AMQPURL:       e.URL("AMQP_URL", "", "amqp", "amqps"),
		EncryptionKey: e.String("ENCRYPTION_KEY", ""),

		ShutdownTimeout: e.Duration("SHUTDOWN_TIMEOUT", DefaultShutdownTimeout),
		RequestTimeout:  e.Duration("REQUEST_TIMEOUT", DefaultRequestTimeout),
		OTLPEndpoint:    otlpEndpoint(e),
		TrustedProxies:  e.List("TRUSTED_PROXIES", nil),
		Profiling:       e.Bool("PPROF_ENABLED", false),
		ClockAdjustable: e.Bool("CLOCK_ADJUSTABLE", false),
		Features: Features{
			BulkOperations:    e.Bool("FEATURE_BULK_OPERATIONS", false),
			RealTimeUpdates:   e.Bool("FEATURE_REAL_TIME_UPDATES", false),
			AdvancedAnalytics: e.Bool("FEATURE_ADVANCED_ANALYTICS", false),
		},
		RateLimits: RateLimits{
			Read:   strings.TrimSpace(e.String("RATE_LIMIT_READ", "200/s:400")),
			Write:  strings.TrimSpace(e.String("RATE_LIMIT_WRITE", "50/s:100")),
			Public: strings.TrimSpace(e.String("RATE_LIMIT_PUBLIC", "20/s:40")),
			Login:  strings.TrimSpace(e.String("RATE_LIMIT_LOGIN", "60/m:20")),
		},
	}
	if c.MetricsPort == c.APIPort {
		e.invalid("METRICS_PORT", strconv.Itoa(c.MetricsPort), "must differ from API_PORT")
	}
	if c.ClockAdjustable && c.Deployed() {
		e.invalid("CLOCK_ADJUSTABLE", "true", fmt.Sprintf("must not be set when APP_ENV is %s: only tests move a service's clock", c.Environment))
	}
	if c.AMQPURL == "" && c.Deployed() {
		e.record(problem{name: "AMQP_URL", reason: fmt.Sprintf(
			"required when APP_ENV is %s: the in-process bus loses events on restart and is for local development only",
			c.Environment)})
	}
	return c
}

func apiPrefix(e *Env) string {
	v, ok := e.get("API_PREFIX")
	if !ok {
		return DefaultAPIPrefix
	}
	p := strings.TrimSpace(v)
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "?# \t") {
		e.invalid("API_PREFIX", v, `must be a URL path starting with "/", such as "/api/v1"`)
		return DefaultAPIPrefix
	}
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
	}
	return p
}

// otlpEndpoint accepts both spellings the OpenTelemetry tooling uses: the
// URL form of the specification and the host:port form of the Go exporter.
func otlpEndpoint(e *Env) string {
	const name = "OTEL_EXPORTER_OTLP_ENDPOINT"
	v, ok := e.get(name)
	if !ok {
		return ""
	}
	if strings.Contains(v, "://") {
		return e.URL(name, "", "http", "https")
	}
	return e.HostPort(name, "")
}

// Deployed reports whether the service runs in staging or production, where
// development conveniences (the in-process bus, for one) are refused.
func (c Common) Deployed() bool {
	return c.Environment == EnvStaging || c.Environment == EnvProduction
}

// RedisAddr returns "host:port" for the Redis client, or "" when Redis is
// not configured and in-process rate limits and caches apply.
func (c Common) RedisAddr() string {
	if c.RedisHost == "" {
		return ""
	}
	return net.JoinHostPort(c.RedisHost, strconv.Itoa(c.RedisPort))
}

// LogValue lets the loaded settings be logged at start without leaking
// secrets: the encryption key, the Redis password and any credentials in
// AMQP_URL are reduced to whether they are set.
func (c Common) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("service", c.ServiceName),
		slog.String("environment", c.Environment),
		slog.String("log_level", c.LogLevel),
		slog.Int("api_port", c.APIPort),
		slog.Int("metrics_port", c.MetricsPort),
		slog.String("api_prefix", c.APIPrefix),
		slog.String("jwt_issuer", c.JWTIssuer),
		slog.String("jwt_audience", c.JWTAudience),
		slog.String("jwks_url", c.JWKSURL),
		slog.String("redis_addr", c.RedisAddr()),
		slog.Bool("redis_password_set", c.RedisPassword != ""),
		slog.String("amqp_url", redactURL(c.AMQPURL)),
		slog.Bool("encryption_key_set", c.EncryptionKey != ""),
		slog.Duration("shutdown_timeout", c.ShutdownTimeout),
		slog.Duration("request_timeout", c.RequestTimeout),
		slog.String("otlp_endpoint", c.OTLPEndpoint),
		slog.Bool("feature_bulk_operations", c.Features.BulkOperations),
		slog.Bool("feature_real_time_updates", c.Features.RealTimeUpdates),
		slog.Bool("feature_advanced_analytics", c.Features.AdvancedAnalytics),
		slog.String("rate_limit_read", c.RateLimits.Read),
		slog.String("rate_limit_write", c.RateLimits.Write),
		slog.String("rate_limit_public", c.RateLimits.Public),
		slog.String("rate_limit_login", c.RateLimits.Login),
	)
}
