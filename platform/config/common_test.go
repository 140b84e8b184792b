package config

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func defaultCommon() Common {
	return Common{
		ServiceName:     "orders",
		Environment:     "development",
		LogLevel:        "info",
		APIPort:         50053,
		MetricsPort:     9090,
		APIPrefix:       "/api/v1",
		JWTIssuer:       "ariesone",
		JWTAudience:     "ariesone-api",
		RedisPort:       6379,
		ShutdownTimeout: 20 * time.Second,
		RequestTimeout:  30 * time.Second,
		RateLimits: RateLimits{
			Read:   "200/s:400",
			Write:  "50/s:100",
			Public: "20/s:40",
			Login:  "60/m:20",
		},
	}
}

func TestLoadCommon(t *testing.T) {
	tests := []struct {
		desc     string
		vars     map[string]string
		want     func(*Common)
		problems []Problem
	}{
		{desc: "defaults", want: func(*Common) {}},
		{
			desc: "everything set",
			vars: map[string]string{
				"APP_ENV":                     "Production",
				"LOG_LEVEL":                   "DEBUG",
				"API_PORT":                    "6000",
				"METRICS_PORT":                "6001",
				"API_PREFIX":                  "/partner/v2/",
				"JWT_ISSUER":                  "https://company.example",
				"JWT_AUDIENCE":                "partners",
				"JWKS_URL":                    "http://company:8080/.well-known/jwks.json",
				"REDIS_HOST":                  "cache",
				"REDIS_PORT":                  "6380",
				"REDIS_PASSWORD":              "r",
				"AMQP_URL":                    "amqps://u:p@broker:5671/prod",
				"ENCRYPTION_KEY":              "k1:abc",
				"SHUTDOWN_TIMEOUT":            "25s",
				"REQUEST_TIMEOUT":             "5s",
				"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4317",
				"FEATURE_BULK_OPERATIONS":     "yes",
				"FEATURE_REAL_TIME_UPDATES":   "1",
				"FEATURE_ADVANCED_ANALYTICS":  "true",
				"RATE_LIMIT_READ":             "100/s:200",
				"RATE_LIMIT_WRITE":            " 10/s:20 ",
				"RATE_LIMIT_PUBLIC":           "1/s:1",
				"RATE_LIMIT_LOGIN":            "3/m:3",
			},
			want: func(c *Common) {
				c.Environment = "production"
				c.LogLevel = "debug"
				c.APIPort, c.MetricsPort = 6000, 6001
				c.APIPrefix = "/partner/v2"
				c.JWTIssuer, c.JWTAudience = "https://company.example", "partners"
				c.JWKSURL = "http://company:8080/.well-known/jwks.json"
				c.RedisHost, c.RedisPort, c.RedisPassword = "cache", 6380, "r"
				c.AMQPURL = "amqps://u:p@broker:5671/prod"
				c.EncryptionKey = "k1:abc"
				c.ShutdownTimeout, c.RequestTimeout = 25*time.Second, 5*time.Second
				c.OTLPEndpoint = "collector:4317"
				c.Features = Features{BulkOperations: true, RealTimeUpdates: true, AdvancedAnalytics: true}
				c.RateLimits = RateLimits{Read: "100/s:200", Write: "10/s:20", Public: "1/s:1", Login: "3/m:3"}
			},
		},
		{
			desc: "otlp endpoint as url",
			vars: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example:4317"},
			want: func(c *Common) { c.OTLPEndpoint = "https://otel.example:4317" },
		},
		{
			desc: "root api prefix kept",
			vars: map[string]string{"API_PREFIX": "/"},
			want: func(c *Common) { c.APIPrefix = "/" },
		},
		{
			desc: "every malformed value reported at once",
			vars: map[string]string{
				"APP_ENV":                     "prod",
				"LOG_LEVEL":                   "trace",
				"API_PORT":                    "70000",
				"METRICS_PORT":                "x",
				"API_PREFIX":                  "api/v1",
				"JWKS_URL":                    "company/jwks",
				"REDIS_PORT":                  "0",
				"AMQP_URL":                    "http://broker",
				"SHUTDOWN_TIMEOUT":            "0s",
				"REQUEST_TIMEOUT":             "30",
				"OTEL_EXPORTER_OTLP_ENDPOINT": "collector",
				"FEATURE_BULK_OPERATIONS":     "enabled",
			},
			problems: []Problem{
				{Name: "APP_ENV", Message: `must be one of development, test, staging, production (got "prod")`},
				{Name: "LOG_LEVEL", Message: `must be one of debug, info, warn, error (got "trace")`},
				{Name: "API_PORT", Message: `must be a port number between 1 and 65535 (got "70000")`},
				{Name: "METRICS_PORT", Message: `must be a port number between 1 and 65535 (got "x")`},
				{Name: "API_PREFIX", Message: `must be a URL path starting with "/", such as "/api/v1" (got "api/v1")`},
				{Name: "JWKS_URL", Message: `must be an absolute URL such as https://host:port/path (got "company/jwks")`},
				{Name: "REDIS_PORT", Message: `must be a port number between 1 and 65535 (got "0")`},
				{Name: "AMQP_URL", Message: `must use scheme amqp or amqps (got "http://broker")`},
				{Name: "SHUTDOWN_TIMEOUT", Message: `must be a positive duration (got "0s")`},
				{Name: "REQUEST_TIMEOUT", Message: `must be a duration with a unit, such as "500ms", "30s" or "2m" (got "30")`},
				{Name: "OTEL_EXPORTER_OTLP_ENDPOINT", Message: `must be host:port with a port between 1 and 65535, such as "collector:4317" (got "collector")`},
				{Name: "FEATURE_BULK_OPERATIONS", Message: `must be one of true, false, 1, 0, yes, no (got "enabled")`},
			},
		},
		{
			desc:     "metrics port must differ from api port",
			vars:     map[string]string{"METRICS_PORT": "50053"},
			problems: one("METRICS_PORT", `must differ from API_PORT (got "50053")`),
		},
		{
			desc: "in-process bus refused in production",
			vars: map[string]string{"APP_ENV": "production"},
			problems: one("AMQP_URL",
				"required when APP_ENV is production: the in-process bus loses events on restart and is for local development only"),
		},
		{
			desc: "in-process bus allowed in test",
			vars: map[string]string{"APP_ENV": "test"},
			want: func(c *Common) { c.Environment = "test" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			e := FromMap(tt.vars)
			got := LoadCommon(e, "orders", 50053)
			checkProblems(t, e, tt.problems)
			if tt.want == nil {
				return // only the problems matter
			}
			want := defaultCommon()
			tt.want(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("LoadCommon (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCommonSecretsHidden(t *testing.T) {
	const key = "k1:Zm9vYmFyYmF6cXV4"
	e := FromMap(map[string]string{
		"ENCRYPTION_KEY": key,
		"REDIS_PASSWORD": key,
		"AMQP_URL":       "amqp://svc:" + key + "@broker:5672/",
	})
	c := LoadCommon(e, "clinical", 50052)
	checkProblems(t, e, nil)

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("starting", "config", c)
	if strings.Contains(buf.String(), key) {
		t.Errorf("logged config reveals a secret: %s", buf.String())
	}
	for _, want := range []string{`"encryption_key_set":true`, `"redis_password_set":true`, `"amqp_url":"amqp://svc:xxxxx@broker:5672/"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("logged config = %s, want it to contain %s", buf.String(), want)
		}
	}
}

func TestRedisAddr(t *testing.T) {
	tests := []struct {
		desc string
		c    Common
		want string
	}{
		{"not configured", Common{RedisPort: 6379}, ""},
		{"name", Common{RedisHost: "cache", RedisPort: 6379}, "cache:6379"},
		{"ipv6", Common{RedisHost: "::1", RedisPort: 6380}, "[::1]:6380"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.c.RedisAddr()); diff != "" {
				t.Errorf("RedisAddr (-want +got):\n%s", diff)
			}
		})
	}
}
