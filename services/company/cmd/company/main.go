// Command company is AriesOne's identity provider and tenant registry: companies,
// locations, users, roles, sessions, API keys and the signing keys behind the
// JWKS every other service verifies tokens with.
//
// Usage:
//
//	company                      serve gRPC (API_PORT) and metrics (METRICS_PORT)
//	company bootstrap            create a company and its first owner, then exit
//	company rotate-signing-key   make a new key sign access tokens, then exit
//
// Configuration is by environment variable (see the README's table); the
// process exits non-zero, naming every bad variable, when it is wrong, and
// shuts down gracefully on SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/service"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/authn"
	"github.com/ariesone/ariesone/services/company/internal/grpcapi"
	"github.com/ariesone/ariesone/services/company/internal/store"
	"github.com/ariesone/ariesone/services/company/migrations"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "company: %v\n", err)
		os.Exit(1)
	}
}

// run dispatches on the command line: no argument serves, "bootstrap"
// creates a tenant, "rotate-signing-key" replaces the signing key.
func run(ctx context.Context, args []string, env service.Env, stdout, stderr io.Writer) error {
	if handled, err := service.Command(ctx, spec(), args, env, stdout); handled {
		return err
	}
	if len(args) == 0 {
		return service.Run(ctx, spec(), env, stdout, service.Listeners{})
	}
	switch args[0] {
	case "bootstrap":
		return bootstrap(ctx, args[1:], env, stdout, stderr)
	case "rotate-signing-key":
		return rotateSigningKey(ctx, args[1:], env, stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q; commands: bootstrap, rotate-signing-key, migrate, --version (none to serve)", args[0])
	}
}

// settings are the company service's own configuration, read by
// Spec.Configure.
type settings struct {
	keyring *keyring.Keyring
	// pages seals page tokens, with a key derived from keyring.
	pages *page.Sealer
}

// spec describes the company service to the platform's runner.
func spec() service.Spec {
	s := &settings{}
	a := &authWiring{}
	return service.Spec{
		Name:        "company",
		DefaultPort: 8081,
		Migrations:  migrations.FS,
		Configure: func(e *config.Env) {
			s.keyring = service.LoadKeyring(e)
			s.pages = service.PageTokens(e, s.keyring)
			a.configure(e)
		},
		Verifier: func(ctx context.Context, d *service.Deps) (auth.TokenVerifier, error) {
			return a.verifier(ctx, d, s)
		},
		Register: func(ctx context.Context, d *service.Deps) error {
			return register(ctx, d, a.app, a.keys)
		},
		HTTP:    a.http,
		Workers: a.workers,
	}
}

// newApplication builds the use cases on the service's database, with the
// authentication settings a. tokens signs the access tokens of sign-in and
// API-key exchange; keys is the key set whose cache lifetime the
// signing-key policy allows for.
func newApplication(d *service.Deps, s *settings, a authn.Settings, keys *authn.KeySet, tokens app.AccessTokenIssuer) (*app.Application, error) {
	passwords, err := a.PasswordGate()
	if err != nil {
		return nil, err
	}
	return app.NewApplication(app.Deps{
		Store:            store.NewRepository(d.DB),
		Keyring:          s.keyring,
		Pages:            s.pages,
		Tokens:           tokens,
		AuthPolicy:       a.AuthPolicy(),
		KeyGenerator:     authn.KeyGenerator{Bits: a.SigningKeyBits, Cipher: s.keyring},
		SigningKeyPolicy: a.SigningKeyPolicy(keys.CacheTTL()),
		PasswordGate:     passwords,
		UnitOfWork:       d.DB,
		Events:           service.UseCaseEvents(d.Events),
	}), nil
}

// register adds every gRPC service of company to the server: the
// directory's, and AuthService and ApiKeyService.
func register(_ context.Context, d *service.Deps, a *app.Application, keys grpcapi.JWKSSource) error {
	grpcapi.RegisterDirectory(d.Server.GRPC(), a)
	grpcapi.RegisterAuth(d.Server.GRPC(), a, keys)
	return nil
}

// bootstrap creates a company and its first owner, for platform operators
// (the API has no CreateCompany). Flags override the BOOTSTRAP_* variables;
// the password comes only from BOOTSTRAP_OWNER_PASSWORD or a file, never a
// flag, so it stays out of process listings, and it is never logged. Run
// again with the same code and owner email it reports the company and
// succeeds; with another owner email it fails.
func bootstrap(ctx context.Context, args []string, env service.Env, stdout, stderr io.Writer) error {
	lookup := func(name, def string) string {
		if v, ok := env(name); ok && strings.TrimSpace(v) != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("company bootstrap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	code := fs.String("code", lookup("BOOTSTRAP_COMPANY_CODE", ""), "company sign-in code, such as acme-medical (BOOTSTRAP_COMPANY_CODE)")
	legalName := fs.String("legal-name", lookup("BOOTSTRAP_LEGAL_NAME", ""), "legal business name (BOOTSTRAP_LEGAL_NAME)")
	email := fs.String("owner-email", lookup("BOOTSTRAP_OWNER_EMAIL", ""), "first owner's sign-in email (BOOTSTRAP_OWNER_EMAIL)")
	givenName := fs.String("owner-given-name", lookup("BOOTSTRAP_OWNER_GIVEN_NAME", "Company"), "first owner's given name (BOOTSTRAP_OWNER_GIVEN_NAME)")
	familyName := fs.String("owner-family-name", lookup("BOOTSTRAP_OWNER_FAMILY_NAME", "Owner"), "first owner's family name (BOOTSTRAP_OWNER_FAMILY_NAME)")
	passwordFile := fs.String("owner-password-file", "", "file holding the first owner's password (default: BOOTSTRAP_OWNER_PASSWORD)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bootstrap: unexpected argument %q", fs.Arg(0))
	}
	password := lookup("BOOTSTRAP_OWNER_PASSWORD", "")
	if *passwordFile != "" {
		b, err := os.ReadFile(*passwordFile)
		if err != nil {
			return fmt.Errorf("bootstrap: reading -owner-password-file: %w", err)
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"-code or BOOTSTRAP_COMPANY_CODE", *code},
		{"-legal-name or BOOTSTRAP_LEGAL_NAME", *legalName},
		{"-owner-email or BOOTSTRAP_OWNER_EMAIL", *email},
		{"BOOTSTRAP_OWNER_PASSWORD or -owner-password-file", password},
	} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("bootstrap: missing %s", strings.Join(missing, ", "))
	}

	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	db, closeDB, err := service.OpenDatabase(ctx, spec(), env, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	// Bootstrap seals nothing, lists nothing and takes no idempotency keys,
	// so it needs no key ring.
	a := app.NewApplication(app.Deps{
		Store:      store.NewRepository(db),
		UnitOfWork: db,
		Events:     service.CommandEvents("company"),
	})
	res, err := a.Companies.Bootstrap(ctx, app.BootstrapCompany{
		Code:            *code,
		LegalName:       *legalName,
		OwnerEmail:      *email,
		OwnerPassword:   password,
		OwnerGivenName:  *givenName,
		OwnerFamilyName: *familyName,
	})
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	if res.Created {
		fmt.Fprintf(stdout, "created company %s (id %s) with owner %s (id %s)\n", strings.ToLower(strings.TrimSpace(*code)), res.CompanyID, *email, res.OwnerID)
	} else {
		fmt.Fprintf(stdout, "company %s (id %s) already exists with owner %s (id %s); nothing to do\n", strings.ToLower(strings.TrimSpace(*code)), res.CompanyID, *email, res.OwnerID)
	}
	return nil
}

// Authentication wiring: sign-in, sessions, API keys, signing keys and the
// JWKS. Spec.Verifier runs before Register and HTTP, so it builds what the
// other two use: the key set, and the Application (sign-in needs the key
// set to sign with, and start needs a signing key before serving).

// authWiring is the authentication half of the service.
type authWiring struct {
	settings authn.Settings
	keys     *authn.KeySet
	// app is the service's use cases, the directory's included.
	app *app.Application
}

// configure reads the authentication settings (token lifetimes, session
// limits, lockout, signing keys).
func (w *authWiring) configure(e *config.Env) { w.settings = authn.LoadSettings(e) }

// verifier builds the use cases, makes sure a signing key exists and is
// young enough (replicas starting together take turns; one makes the key),
// and returns the verifier company's own RPCs authenticate with: the
// platform verifier over company's own keys, no HTTP round trip.
func (w *authWiring) verifier(ctx context.Context, d *service.Deps, s *settings) (auth.TokenVerifier, error) {
	w.keys = authn.NewKeySet(store.NewSigningKeys(d.DB), s.keyring)
	issuer := authn.NewIssuer(w.keys, d.Config.JWTIssuer, d.Config.JWTAudience)
	var err error
	if w.app, err = newApplication(d, s, w.settings, w.keys, issuer); err != nil {
		return nil, err
	}
	made, err := w.app.SigningKeys.Ensure(ctx)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if made != nil {
		d.Logger.Info("made a new signing key", "kid", made.KeyID, "bits", w.settings.SigningKeyBits)
	}
	d.Registry.MustRegister(signingKeyAge(w.keys, d.Logger))
	return authn.NewVerifier(ctx, w.keys, authn.VerifierConfig{Issuer: d.Config.JWTIssuer, Audience: d.Config.JWTAudience})
}

// signingKeyAge exports how old the key that signs now is, read at each
// scrape from the key set's cached copy: rotation happens at a start or on
// command, so only an alert on this notices a key that has outgrown
// SIGNING_KEY_MAX_AGE on a long-running mesh.
func signingKeyAge(keys *authn.KeySet, logger *slog.Logger) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: "ariesone", Subsystem: "company", Name: "signing_key_age_seconds",
		Help: "Age of the key that signs access tokens now; 0 when none signs.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		age, _, err := keys.CurrentAge(ctx)
		if err != nil {
			logger.Warn("signing key age not read", "error", err)
		}
		return age.Seconds()
	})
}

// authPruneEvery is how often each replica prunes sign-in history. Hourly
// keeps each round short; the retention is in days, so the exact moment a
// row goes does not matter.
const authPruneEvery = time.Hour

// workers prune sign-in history past AUTH_RETENTION, in every replica: the
// pruning takes its rows FOR UPDATE SKIP LOCKED, so replicas share the work
// instead of contending for it.
func (w *authWiring) workers(_ context.Context, d *service.Deps) ([]service.Worker, error) {
	retention, err := app.NewAuthRetention(store.NewAuth(d.DB), w.settings.AuthRetention, d.Registry)
	if err != nil {
		return nil, err
	}
	return []service.Worker{
		service.Periodic("auth history pruning", "rows", authPruneEvery, d.Logger, retention.Prune),
	}, nil
}

// http publishes the key set for the other services' verifiers on the
// operations port: JWKS_URL=http://company:<METRICS_PORT>/.well-known/jwks.json.
func (w *authWiring) http(mux *http.ServeMux, d *service.Deps) {
	mux.Handle("GET "+authn.JWKSPath, authn.JWKSHandler(w.keys, d.Logger))
}

// rotateSigningKey makes a new key sign access tokens from now on, for
// operators (a suspected key compromise, or a rotation on demand). Running
// replicas start signing with it within their key cache lifetime, and
// verify its tokens at once; the keys it replaces stay published until
// every token they signed has expired.
func rotateSigningKey(ctx context.Context, args []string, env service.Env, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("rotate-signing-key: unexpected argument %q", args[0])
	}
	e := config.New(env)
	ring := service.LoadKeyring(e)
	settings := authn.LoadSettings(e)
	if err := e.Err(); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	db, closeDB, err := service.OpenDatabase(ctx, spec(), env, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	a := app.NewApplication(app.Deps{
		Store:            store.NewRepository(db),
		KeyGenerator:     authn.KeyGenerator{Bits: settings.SigningKeyBits, Cipher: ring},
		SigningKeyPolicy: settings.SigningKeyPolicy(authn.DefaultKeyCacheTTL),
		UnitOfWork:       db,
		Events:           service.CommandEvents("company"),
	})
	key, err := a.SigningKeys.Rotate(ctx, app.RotateSigningKey{ActorID: "company rotate-signing-key"})
	if err != nil {
		return fmt.Errorf("rotate-signing-key: %w", err)
	}
	fmt.Fprintf(stdout, "signing key %s (%s) signs from %s\n", key.KeyID, key.Algorithm, key.ActivateTime.Format(time.RFC3339))
	return nil
}
