// Package gateway assembles the REST edge from its parts: the routes, and
// the order of the policies every request passes. Outermost first:
//
//	request id        every response, errors included, carries X-Request-Id
//	client address    who is calling (trusted proxies only), scheme for HSTS;
//	                  400 when a trusted proxy's X-Forwarded-For names no client
//	observe           access log and metrics see the final status
//	recover           a panic becomes a masked 500, logged with the id
//	security headers  nosniff, DENY, no-referrer, CSP, HSTS, no-store
//	CORS              preflights answered before anything is spent on them
//	edge rate limit   per client address; 429 before the body is read
//	body limit        413 for bodies over MAX_BODY_BYTES
//	routes:
//	  API_PREFIX/...   prefix rewrite → deadline → API-key exchange
//	                   → conditional GET (304) → grpc-gateway mux
//	                   (→ route label → request check → generated handler)
//	  /fhir/r4/...     FHIR outcomes → deadline → API-key exchange
//	                   → conditional GET (304) → FHIR facade (gRPC calls
//	                   with the same metadata as the mux's)
//	  API_PREFIX/openapi.json and openapi.yaml, /docs, /.well-known/jwks.json,
//	  /healthz, /readyz (exempt from the edge rate limit)
//	  anything else   404 in the REST error body
package gateway

import (
	"context"
	"errors"
	"fmt"
	"google.golang.org/protobuf/reflect/protoreflect"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/gateway/internal/apikey"
	"github.com/ariesone/ariesone/gateway/internal/backends"
	"github.com/ariesone/ariesone/gateway/internal/cors"
	"github.com/ariesone/ariesone/gateway/internal/docs"
	"github.com/ariesone/ariesone/gateway/internal/edge"
	"github.com/ariesone/ariesone/gateway/internal/edgelimit"
	"github.com/ariesone/ariesone/gateway/internal/fhir"
	"github.com/ariesone/ariesone/gateway/internal/httperr"
	"github.com/ariesone/ariesone/gateway/internal/jwks"
	"github.com/ariesone/ariesone/gateway/internal/observe"
	"github.com/ariesone/ariesone/gateway/internal/openapi"
	"github.com/ariesone/ariesone/gateway/internal/probes"
	"github.com/ariesone/ariesone/gateway/internal/requestcheck"
	"github.com/ariesone/ariesone/gateway/internal/restmux"
	"github.com/ariesone/ariesone/gateway/internal/settings"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/ratelimit"
)

// RoutePrefix is the prefix of every REST path in the protos' HTTP bindings.
// API_PREFIX may expose the API elsewhere; requests are rewritten to this.
const RoutePrefix = "/api/v1"

// Fixed paths outside the API.
const (
	DocsPath    = "/docs"
	HealthzPath = "/healthz"
	ReadyzPath  = "/readyz"
	// OpenAPIName (Swagger 2.0, JSON) and OpenAPI3Name (OpenAPI 3.0,
	// YAML) are served under API_PREFIX.
	OpenAPIName  = "/openapi.json"
	OpenAPI3Name = "/openapi.yaml"
)

// Deps are what the gateway is built from; main builds them from the
// settings, tests from their own fakes.
type Deps struct {
	Settings settings.Settings
	Logger   *slog.Logger
	Registry *prometheus.Registry
	// Backends are the dialled services; "company" is required.
	Backends *backends.Set
	// Limiter holds the edge buckets (memory or Redis), with a
	// ratelimit.DefaultClass limit.
	Limiter ratelimit.Limiter
	// OpenAPI is the generated OpenAPI document (openapi.Load).
	OpenAPI []byte
	// Revocations, when set, is the broker's revocation stream: a revoked
	// API key's cached token is dropped as its revocation arrives.
	Revocations bus.StreamSubscriber
}

// Document returns the OpenAPI document exactly as the gateway serves it:
// the generated document adjusted for the public prefix, security schemes,
// the REST error body and the edge headers. `gateway openapi` prints it, and
// the partner client is generated from that output.
func Document(s settings.Settings, generated []byte, services []protoreflect.ServiceDescriptor) ([]byte, error) {
	return openapi.Build(generated, openapi.Options{
		RoutePrefix:  RoutePrefix,
		PublicPrefix: s.APIPrefix,
		PublicURL:    s.PublicURL,
		Services:     services,
	})
}

// New builds the gateway's HTTP handler. ctx bounds the handler
// registrations of the mux; cancel it only when the gateway stops.
func New(ctx context.Context, d Deps) (http.Handler, error) {
	s := d.Settings
	company, ok := d.Backends.Get(backends.Company.Name)
	if !ok {
		return nil, errors.New("gateway: the company service is required (COMPANY_ADDR)")
	}
	auth := companyv1.NewAuthServiceClient(company.Conn)

	api, err := newAPI(ctx, d)
	if err != nil {
		return nil, err
	}
	exchanger, err := apikey.New(auth, apikey.Options{Logger: d.Logger, Registry: d.Registry})
	if err != nil {
		return nil, err
	}
	if d.Revocations != nil {
		go func() {
			if err := exchanger.ForgetRevoked(ctx, d.Revocations); err != nil {
				d.Logger.Error("reading the revocation stream", slog.Any("error", err))
			}
		}()
	}
	doc, err := Document(s, d.OpenAPI, d.Backends.Services())
	if err != nil {
		return nil, err
	}
	doc3, err := openapi.V3(doc)
	if err != nil {
		return nil, err
	}
	var targets []probes.Target
	for _, b := range d.Backends.List() {
		targets = append(targets, probes.Target{Name: b.Name, Health: b.Health()})
	}
	corsPolicy, err := cors.New(s.CORSOrigins)
	if err != nil {
		return nil, fmt.Errorf("gateway: CORS_ALLOWED_ORIGINS: %w", err)
	}
	obs, err := observe.New(d.Logger, d.Registry)
	if err != nil {
		return nil, err
	}

	routes := http.NewServeMux()
	routes.Handle(s.APIPrefix+OpenAPIName, observe.Named("openapi", openapi.Handler(doc, openapi.ContentTypeJSON)))
	routes.Handle(s.APIPrefix+OpenAPI3Name, observe.Named("openapi3", openapi.Handler(doc3, openapi.ContentTypeYAML)))
	streams := edge.NewStreamRoutes(requestcheck.StreamingPaths(d.Backends.Services()))
	routes.Handle(s.APIPrefix+"/", edge.Chain(api,
		edge.RewritePrefix(s.APIPrefix, RoutePrefix),
		edge.Stream(streams),
		edge.DeadlineExcept(s.RequestTimeout, streams.Match),
		exchanger.Middleware,
		edge.ConditionalGET,
	))
	facade, err := newFHIR(d, company)
	if err != nil {
		return nil, err
	}
	fhirRoutes := edge.Chain(facade,
		fhir.Outcomes,
		edge.Deadline(s.RequestTimeout),
		exchanger.Middleware,
		edge.ConditionalGET,
	)
	// The base itself takes transactions (POST /fhir/r4): served, not
	// redirected to the subtree, since a redirected POST loses its body.
	routes.Handle(fhir.Path, fhirRoutes)
	routes.Handle(fhir.Path+"/", fhirRoutes)
	docsPage := observe.Named("docs", docs.New(s.DocsDir, DocsPath,
		docs.Spec{Name: "OpenAPI 3.0", URL: s.APIPrefix + OpenAPI3Name},
		docs.Spec{Name: "Swagger 2.0", URL: s.APIPrefix + OpenAPIName}))
	routes.Handle(DocsPath, docsPage)
	routes.Handle(DocsPath+"/", docsPage)
	routes.Handle(jwks.Path, observe.Named("jwks", jwks.Handler(auth, d.Logger)))
	routes.Handle(HealthzPath, observe.Named("healthz", http.HandlerFunc(probes.Healthz)))
	var degradable []probes.Degradable
	if f, ok := d.Limiter.(*ratelimit.Failover); ok {
		degradable = append(degradable, probes.Degradable{Name: "redis", Ping: f.Ping})
	}
	routes.Handle(ReadyzPath, observe.Named("readyz", probes.Readyz(targets, degradable, probes.DefaultTimeout)))
	routes.Handle("/", http.HandlerFunc(notFound))

	return edge.Chain(routes,
		edge.RequestID,
		edge.ClientAddress(s.TrustedProxies),
		obs.Middleware,
		edge.Recover(d.Logger),
		edge.SecurityHeaders(DocsPath),
		corsPolicy.Middleware,
		edgelimit.Middleware(d.Limiter, d.Logger, isProbe),
		edge.LimitBody(s.MaxBodyBytes),
	), nil
}

// newAPI returns the grpc-gateway mux with every dialled service's routes.
func newAPI(ctx context.Context, d Deps) (http.Handler, error) {
	checker, err := requestcheck.New(d.Backends.Services()...)
	if err != nil {
		return nil, err
	}
	mux := restmux.New(restmux.Options{
		Logger:      d.Logger,
		Middlewares: []runtime.Middleware{labelRoute, checker.Middleware},
	})
	if err := d.Backends.Register(ctx, mux); err != nil {
		return nil, err
	}
	return mux, nil
}

// newFHIR returns the FHIR R4 facade over the dialled services' gRPC
// connections (the same ones the mux uses).
func newFHIR(d Deps, company backends.Backend) (http.Handler, error) {
	conns := fhir.Conns{Company: company.Conn}
	if clinical, ok := d.Backends.Get(backends.Clinical.Name); ok {
		conns.Clinical = clinical.Conn
	}
	if serials, ok := d.Backends.Get(backends.Serials.Name); ok {
		conns.Serials = serials.Conn
	}
	if orders, ok := d.Backends.Get(backends.Orders.Name); ok {
		conns.Orders = orders.Conn
	}
	return fhir.New(fhir.Options{
		Resources: fhir.Resources(conns),
		PublicURL: d.Settings.PublicURL,
		Logger:    d.Logger,
	})
}

// labelRoute names the matched route template for metrics and the access
// log, in the protos' spelling ("/api/v1/locations/{id}").
func labelRoute(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, pathParams map[string]string) {
		if p, ok := runtime.HTTPPattern(r.Context()); ok {
			observe.SetRoute(r.Context(), strings.ReplaceAll(p.String(), "=*}", "}"))
		}
		next(w, r, pathParams)
	}
}

func isProbe(r *http.Request) bool {
	return r.URL.Path == HealthzPath || r.URL.Path == ReadyzPath
}

func notFound(w http.ResponseWriter, r *http.Request) {
	httperr.Write(w, r, httperr.New(http.StatusNotFound, "No such resource or route"))
}

// NewServer returns the HTTP server of the public port: h with the timeouts
// of the settings.
func NewServer(h http.Handler, s settings.Settings, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.ReadHeaderTimeout,
		ReadTimeout:       s.ReadTimeout,
		WriteTimeout:      s.WriteTimeout,
		IdleTimeout:       s.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// Serve runs srv on lis until ctx ends, then stops accepting connections and
// lets in-flight requests finish for up to grace before closing the rest.
func Serve(ctx context.Context, srv *http.Server, lis net.Listener, grace time.Duration, logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(lis) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		logger.Warn("shutdown grace period over, closing remaining connections", slog.String("addr", lis.Addr().String()))
		err = srv.Close()
	}
	if serveErr := <-errc; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
}
