// Package authntest sets up the company service's authentication for tests:
// a fresh migrated database (storetest), a key ring, a signing key, and the
// use cases wired as the service wires them, with a clock the test moves.
package authntest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ariesone/ariesone/platform/gate"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/keyring/keyringtest"
	"github.com/ariesone/ariesone/platform/page"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/authn"
	"github.com/ariesone/ariesone/services/company/internal/domain"
	"github.com/ariesone/ariesone/services/company/internal/store"
	"github.com/ariesone/ariesone/services/company/internal/store/storetest"
)

// Issuer and Audience of the tokens the environment issues.
const (
	Issuer   = "https://company.ariesone.test"
	Audience = "ariesone-test"
)

// Clock is a test clock: the real time shifted by an offset the test moves,
// so tokens it stamps still verify against the real time until the test
// moves it.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the shifted time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Env is one test's authentication stack on its own database.
type Env struct {
	// Super is a superuser pool on the company schema: it seeds and
	// inspects rows behind the back of row-level security.
	Super *pgxpool.Pool
	// DB is the runtime pool, logged in as the role the service runs as.
	DB      *postgres.DB
	Keyring *keyring.Keyring
	// Pages seals page tokens, as the service derives it from Keyring.
	Pages *page.Sealer

	Directory   *store.Store
	Store       *store.Auth
	SigningKeys *store.SigningKeys

	KeySet    *authn.KeySet
	Issuer    *authn.Issuer
	Generator authn.KeyGenerator
	// Events keeps the events the use cases record, and fails the test for
	// one recorded outside the transaction of its change.
	Events   *app.MemoryRecorder
	Clock    *Clock
	Settings authn.Settings

	// App is the use cases on the stores above, with the test's clock.
	App *app.Application
}

// Options adjust New.
type Options struct {
	// Settings replaces the default settings (with 2048-bit keys).
	Settings *authn.Settings
	// NoSigningKey skips making the first signing key.
	NoSigningKey bool
	// PasswordGate bounds concurrent password hashing; nil means none.
	PasswordGate *gate.Gate
}

// DefaultSettings are the defaults with RSA-2048 keys, which generate in
// milliseconds rather than seconds; the code path is the same.
func DefaultSettings() authn.Settings {
	return authn.Settings{
		AccessTokenTTL:         authn.DefaultAccessTokenTTL,
		APIKeyTokenTTL:         authn.DefaultAPIKeyTokenTTL,
		RefreshTokenTTL:        authn.DefaultRefreshTokenTTL,
		SessionIdleTimeout:     authn.DefaultSessionIdleTimeout,
		SessionMaxAge:          authn.DefaultSessionMaxAge,
		LoginMaxFailures:       authn.DefaultLoginMaxFailures,
		LoginLockout:           authn.DefaultLoginLockout,
		LoginSourceMaxFailures: authn.DefaultLoginSourceMax,
		LoginLockoutMax:        authn.DefaultLoginLockoutMax,
		SigningKeyMaxAge:       authn.DefaultSigningKeyMaxAge,
		SigningKeyBits:         2048,
	}
}

// New builds the stack on a fresh database.
func New(t testing.TB, opts Options) *Env {
	t.Helper()
	ctx := context.Background()
	db := storetest.New(t)
	ring := keyringtest.New(t)

	settings := DefaultSettings()
	if opts.Settings != nil {
		settings = *opts.Settings
	}
	e := &Env{
		Super:    db.Super,
		DB:       db.App,
		Keyring:  ring,
		Events:   storetest.Recorder(t),
		Clock:    &Clock{},
		Settings: settings,
	}
	pages, err := page.NewSealer(ring)
	if err != nil {
		t.Fatalf("authntest: %v", err)
	}
	e.Pages = pages
	e.Directory = store.New(e.DB)
	e.Store = store.NewAuth(e.DB)
	e.SigningKeys = store.NewSigningKeys(e.DB)
	e.KeySet = authn.NewKeySet(e.SigningKeys, ring, authn.WithClock(e.Clock.Now))
	e.Issuer = authn.NewIssuer(e.KeySet, Issuer, Audience)
	e.Generator = authn.KeyGenerator{Bits: settings.SigningKeyBits, Cipher: ring}
	e.App = app.NewApplication(app.Deps{
		Store:            store.Repository{Store: e.Directory, Auth: e.Store, SigningKeys: e.SigningKeys},
		Keyring:          ring,
		Pages:            e.Pages,
		Tokens:           e.Issuer,
		AuthPolicy:       settings.AuthPolicy(),
		KeyGenerator:     e.Generator,
		SigningKeyPolicy: settings.SigningKeyPolicy(e.KeySet.CacheTTL()),
		PasswordGate:     opts.PasswordGate,
		UnitOfWork:       e.DB,
		Events:           e.Events,
		Now:              e.Clock.Now,
	})
	if !opts.NoSigningKey {
		if _, err := e.App.SigningKeys.Ensure(ctx); err != nil {
			t.Fatalf("authntest: first signing key: %v", err)
		}
	}
	return e
}

var (
	hashMu sync.Mutex
	hashed = map[string]string{}
)

// PasswordHash returns an argon2id hash of password, computed once per
// password and process: each costs 64 MiB and tens of milliseconds.
func PasswordHash(t testing.TB, password string) string {
	t.Helper()
	hashMu.Lock()
	defer hashMu.Unlock()
	if h, ok := hashed[password]; ok {
		return h
	}
	h, err := domain.HashPassword(password)
	if err != nil {
		t.Fatalf("authntest: hash password: %v", err)
	}
	hashed[password] = h
	return h
}

// SeedCompany inserts a company with code and status and returns its id.
func (e *Env) SeedCompany(t testing.TB, code, status string) string {
	t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	_, err := e.Super.Exec(context.Background(),
		`insert into companies (id, code, legal_name, status) values ($1, $2, $3, $4)`,
		id, code, "Legal name of "+code, status)
	if err != nil {
		t.Fatalf("authntest: seed company %s: %v", code, err)
	}
	return id
}

// SeedUser inserts an active user of company with email, password and roles
// and returns its id.
func (e *Env) SeedUser(t testing.TB, companyID, email, password string, roles ...string) string {
	t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	_, err := e.Super.Exec(context.Background(), `
		insert into users (id, company_id, email, given_name, family_name, roles, password_hash)
		values ($1, $2, $3, 'Given', 'Family', $4, $5)`,
		id, companyID, email, roles, PasswordHash(t, password))
	if err != nil {
		t.Fatalf("authntest: seed user %s: %v", email, err)
	}
	return id
}
