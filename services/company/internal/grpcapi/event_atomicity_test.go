package grpcapi_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc/codes"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/store/storetest"
)

// TestChangeDoesNotOutliveItsEvent runs commands whose event cannot be
// written. Each change and its events are one unit of work, so the client
// gets an error and the database keeps no trace of the change; once events
// can be written again, the same call succeeds and changes the database,
// which shows the comparison would have seen a change that leaked.
func TestChangeDoesNotOutliveItsEvent(t *testing.T) {
	t.Parallel()
	errEvents := errors.New("events cannot be written")
	tests := []struct {
		name string
		// prepare sets up what the change needs (events still recorded)
		// and returns the change, made through the API.
		prepare func(t *testing.T, h *authHarness) (change func() error)
		// event is a type the change records when it succeeds.
		event string
	}{
		{
			name: "CreateLocation",
			prepare: func(t *testing.T, h *authHarness) func() error {
				owner := authtest.Bearer(h.login(t).GetAccessToken())
				return func() error {
					_, err := h.locations.CreateLocation(owner, &companyv1.CreateLocationRequest{Location: branch("ATL-01")})
					return err
				}
			},
			event: app.EventLocationCreated,
		},
		{
			name: "UpdateUser",
			prepare: func(t *testing.T, h *authHarness) func() error {
				owner := authtest.Bearer(h.login(t).GetAccessToken())
				return func() error {
					_, err := h.users.UpdateUser(owner, &companyv1.UpdateUserRequest{
						User:       &companyv1.User{Id: h.ownerID, GivenName: "Renamed"},
						UpdateMask: mask("given_name"),
					})
					return err
				}
			},
			event: app.EventUserUpdated,
		},
		{
			name: "DeactivateUser revoking a session",
			prepare: func(t *testing.T, h *authHarness) func() error {
				owner := authtest.Bearer(h.login(t).GetAccessToken())
				techID := h.env.SeedUser(t, h.companyID, "tech@acme.test", rpcPassword, "technician")
				if _, err := h.auth.Login(context.Background(), &companyv1.LoginRequest{
					CompanyCode: rpcCompanyCode, Email: "tech@acme.test", Password: rpcPassword,
				}); err != nil {
					t.Fatalf("Login as the technician: %v", err)
				}
				return func() error {
					_, err := h.users.DeactivateUser(owner, &companyv1.DeactivateUserRequest{Id: techID})
					return err
				}
			},
			event: app.EventSessionRevoked,
		},
		{
			name: "CreateApiKey",
			prepare: func(t *testing.T, h *authHarness) func() error {
				owner := authtest.Bearer(h.login(t).GetAccessToken())
				return func() error {
					_, err := h.keys.CreateApiKey(owner, &companyv1.CreateApiKeyRequest{
						ApiKey:    &companyv1.ApiKey{ClientName: "Acme Billing", Roles: []companyv1.Role{companyv1.Role_ROLE_PARTNER}},
						RequestId: "0195f3a2-0000-7000-8000-0000000000ab",
					})
					return err
				}
			},
			event: app.EventAPIKeyCreated,
		},
		{
			name: "Login",
			prepare: func(t *testing.T, h *authHarness) func() error {
				return func() error {
					_, err := h.auth.Login(context.Background(), &companyv1.LoginRequest{
						CompanyCode: rpcCompanyCode, Email: rpcOwnerEmail, Password: rpcPassword,
					})
					return err
				}
			},
			event: app.EventSessionStarted,
		},
		{
			name: "Logout",
			prepare: func(t *testing.T, h *authHarness) func() error {
				owner := authtest.Bearer(h.login(t).GetAccessToken())
				return func() error {
					_, err := h.auth.Logout(owner, &companyv1.LogoutRequest{})
					return err
				}
			},
			event: app.EventSessionRevoked,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newAuthHarness(t)
			change := tt.prepare(t, h)
			before := snapshot(t, h)
			recorded := len(h.env.Events.Events())

			h.env.Events.FailWith(errEvents)
			wantAuthCode(t, tt.name+" with events failing", change(), codes.Internal)
			if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
				t.Errorf("the change committed without its event (-before +after):\n%s", diff)
			}

			h.env.Events.FailWith(nil)
			if err := change(); err != nil {
				t.Fatalf("%s with events written: %v", tt.name, err)
			}
			if diff := cmp.Diff(before, snapshot(t, h)); diff == "" {
				t.Error("the change left no trace in the database even when it succeeded")
			}
			if got := h.env.Events.Types()[recorded:]; !slices.Contains(got, tt.event) {
				t.Errorf("events recorded by the change = %v, want %s among them", got, tt.event)
			}
		})
	}
}

// snapshot reads every table of the company schema as the superuser, past
// row-level security: one JSON array of rows per table, in a stable order.
func snapshot(t *testing.T, h *authHarness) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := h.env.Super.Query(ctx, `
		select table_name::text from information_schema.tables
		where table_schema = $1 and table_type = 'BASE TABLE'`, storetest.Schema)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) == 0 {
		t.Fatalf("snapshot: tables %v, %v", tables, err)
	}
	out := make(map[string]string, len(tables))
	for _, table := range tables {
		var rowsJSON string
		err := h.env.Super.QueryRow(ctx, `
			select coalesce(json_agg(r order by r::text)::text, '[]')
			from `+pgx.Identifier{storetest.Schema, table}.Sanitize()+` r`).Scan(&rowsJSON)
		if err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		out[table] = rowsJSON
	}
	return out
}
