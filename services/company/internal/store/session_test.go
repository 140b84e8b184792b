package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/authn/authntest"
	"github.com/ariesone/ariesone/services/company/internal/domain"
	"github.com/ariesone/ariesone/services/company/internal/store"
)

var (
	_ app.AuthRepository       = store.Repository{}
	_ app.APIKeyRepository     = (*store.Auth)(nil)
	_ app.CompanyRepository    = (*store.Store)(nil)
	_ app.SigningKeyRepository = (*store.SigningKeys)(nil)
	_ app.Repository           = store.Repository{}
)

// TestAuthTablesAreTenantScoped seeds sessions, refresh tokens and API keys
// of two companies, then reads them as the runtime role: without a tenant
// nothing is visible, with one only that tenant's rows are; the
// pre-tenant lookups answer only the company of the exact token or key.
func TestAuthTablesAreTenantScoped(t *testing.T) {
	t.Parallel()
	e := authntest.New(t, authntest.Options{})
	ctx := context.Background()
	type company struct {
		id, session, refresh, key string
	}
	var companies [2]company
	for i, code := range []string{"alpha-dme", "bravo-dme"} {
		c := &companies[i]
		c.id = e.SeedCompany(t, code, "active")
		owner := e.SeedUser(t, c.id, "owner@"+code+".test", "correct horse battery staple", "owner")
		pair, err := e.App.Auth.Login(ctx, app.Login{CompanyCode: code, Email: "owner@" + code + ".test", Password: "correct horse battery staple"})
		if err != nil {
			t.Fatal(err)
		}
		c.session, c.refresh = pair.SessionID, pair.RefreshToken
		p := identity.Principal{Subject: owner, CompanyID: c.id, Roles: []string{"owner"}, Kind: identity.KindUser}
		key, _, err := e.App.APIKeys.Create(identity.NewContext(ctx, p), p, app.CreateAPIKey{ClientName: code, Roles: []domain.Role{domain.RolePartner}})
		if err != nil {
			t.Fatal(err)
		}
		c.key = key.ID
	}

	count := func(ctx context.Context, db *postgres.DB) map[string]int {
		got := map[string]int{}
		err := db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
			for _, table := range []string{"sessions", "refresh_tokens", "api_keys"} {
				var n int
				if err := tx.QueryRow(ctx, "select count(*) from "+table).Scan(&n); err != nil {
					return err
				}
				got[table] = n
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if diff := cmp.Diff(map[string]int{"sessions": 0, "refresh_tokens": 0, "api_keys": 0}, count(ctx, e.DB)); diff != "" {
		t.Errorf("rows visible without a tenant (-want +got):\n%s", diff)
	}
	alpha := identity.NewContext(ctx, identity.Principal{Subject: "x", CompanyID: companies[0].id, Kind: identity.KindUser})
	if diff := cmp.Diff(map[string]int{"sessions": 1, "refresh_tokens": 1, "api_keys": 1}, count(alpha, e.DB)); diff != "" {
		t.Errorf("rows visible to one tenant (-want +got):\n%s", diff)
	}
	_, err := e.Store.GetSession(alpha, companies[1].session)
	if err == nil {
		t.Error("tenant alpha read bravo's session")
	}

	for _, c := range companies {
		hash, err := domain.ParseRefreshToken(c.refresh)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.Store.RefreshTokenCompany(ctx, hash); err != nil || got != c.id {
			t.Errorf("RefreshTokenCompany = %q, %v; want %s", got, err, c.id)
		}
		if got, err := e.Store.APIKeyCompany(ctx, c.key); err != nil || got != c.id {
			t.Errorf("APIKeyCompany = %q, %v; want %s", got, err, c.id)
		}
	}
	if got, err := e.Store.RefreshTokenCompany(ctx, make([]byte, 32)); err != nil || got != "" {
		t.Errorf("RefreshTokenCompany of an unknown hash = %q, %v; want none", got, err)
	}
	if got, err := e.Store.APIKeyCompany(ctx, "0195f3a2-0000-7000-8000-000000000000"); err != nil || got != "" {
		t.Errorf("APIKeyCompany of an unknown id = %q, %v; want none", got, err)
	}

	// The lookups are the runtime role's only, not everyone's; the runtime
	// role can never delete what records history.
	var grants []bool
	err = e.Super.QueryRow(ctx, `
		select has_function_privilege('public', 'company.refresh_token_company(bytea)', 'execute'),
		       has_function_privilege('public', 'company.api_key_company(uuid)', 'execute'),
		       has_function_privilege('company_app', 'company.refresh_token_company(bytea)', 'execute'),
		       has_function_privilege('company_app', 'company.api_key_company(uuid)', 'execute'),
		       has_table_privilege('company_app', 'company.sessions', 'delete'),
		       has_table_privilege('company_app', 'company.refresh_tokens', 'delete'),
		       has_table_privilege('company_app', 'company.api_keys', 'delete'),
		       has_table_privilege('company_app', 'company.signing_keys', 'delete')`).
		Scan(scanBools(&grants, 8)...)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]bool{false, false, true, true, false, false, false, false}, grants); diff != "" {
		t.Errorf("privileges [public×2, company_app×2, deletes×4] (-want +got):\n%s", diff)
	}
}

func scanBools(out *[]bool, n int) []any {
	*out = make([]bool, n)
	dest := make([]any, n)
	for i := range *out {
		dest[i] = &(*out)[i]
	}
	return dest
}
