package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/ariesone/ariesone/platform/config"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/server/servertest"
	"github.com/ariesone/ariesone/platform/service"
	"github.com/ariesone/ariesone/platform/service/servicetest"
	"github.com/ariesone/ariesone/services/company/internal/domain"
	"github.com/ariesone/ariesone/services/company/internal/store/storetest"
)

// TestEveryMethodHasAnAccessRule builds the server exactly as the service
// runner does (Configure, Verifier, Register of the real spec) and walks
// every registered method: one without a rule would be denied to everyone
// at run time, so it fails the build instead.
func TestEveryMethodHasAnAccessRule(t *testing.T) {
	raw, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	d := servicetest.Register(t, spec(), map[string]string{"ENCRYPTION_KEY": raw, "SIGNING_KEY_BITS": "2048"})

	methods := servertest.RequireRules(t, d.Server)
	for _, svc := range []string{"ariesone.company.v1.CompanyService", "ariesone.company.v1.LocationService", "ariesone.company.v1.UserService"} {
		if _, ok := d.Server.GRPC().GetServiceInfo()[svc]; !ok {
			t.Errorf("%s is not registered", svc)
		}
	}
	t.Logf("%d methods, every one with a rule", methods)
}

func TestLoadKeyring(t *testing.T) {
	raw, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		vars    map[string]string
		wantErr bool
	}{
		{name: "valid", vars: map[string]string{"ENCRYPTION_KEY": raw}},
		{name: "missing", vars: map[string]string{}, wantErr: true},
		{name: "malformed", vars: map[string]string{"ENCRYPTION_KEY": "1:c2VjcmV0LXNlY3JldA=="}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := config.FromMap(tt.vars)
			ring := service.LoadKeyring(e)
			err := e.Err()
			if (err != nil) != tt.wantErr || (ring == nil) != tt.wantErr {
				t.Fatalf("LoadKeyring: ring %v, err %v; want error %v", ring != nil, err, tt.wantErr)
			}
			if err == nil {
				return
			}
			if !strings.Contains(err.Error(), "ENCRYPTION_KEY") {
				t.Errorf("error %q does not name ENCRYPTION_KEY", err)
			}
			if v := tt.vars["ENCRYPTION_KEY"]; v != "" && strings.Contains(err.Error(), v) {
				t.Errorf("error %q shows the key", err)
			}
		})
	}
}

func TestBootstrapIsIdempotent(t *testing.T) {
	db := storetest.New(t)
	const password = "a very secret owner password"
	env := func(extra map[string]string) service.Env {
		vars := map[string]string{
			"DATABASE_URL":             db.AppURL,
			"DB_MIGRATE_URL":           db.OwnerURL,
			"BOOTSTRAP_COMPANY_CODE":   "Acme-Medical",
			"BOOTSTRAP_LEGAL_NAME":     "Acme Medical Supply, LLC",
			"BOOTSTRAP_OWNER_EMAIL":    "owner@acme.example",
			"BOOTSTRAP_OWNER_PASSWORD": password,
		}
		for k, v := range extra {
			vars[k] = v
		}
		return func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
	}
	ctx := context.Background()
	var out, logs bytes.Buffer

	if err := run(ctx, []string{"bootstrap"}, env(nil), &out, &logs); err != nil {
		t.Fatalf("first bootstrap: %v", err)
	}
	if !strings.Contains(out.String(), "created company acme-medical") {
		t.Errorf("first bootstrap said %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"bootstrap"}, env(nil), &out, &logs); err != nil {
		t.Fatalf("second bootstrap: %v", err)
	}
	if !strings.Contains(out.String(), "already exists") {
		t.Errorf("second bootstrap said %q", out.String())
	}
	// Flags override the environment; another owner for the same code is
	// refused.
	err := run(ctx, []string{"bootstrap", "-owner-email", "intruder@acme.example"}, env(nil), &out, &logs)
	if errs.KindOf(err) != errs.KindFailedPrecondition {
		t.Errorf("bootstrap with another owner: %v, want a failed precondition", err)
	}
	err = run(ctx, []string{"bootstrap"}, env(map[string]string{"BOOTSTRAP_OWNER_PASSWORD": ""}), &out, &logs)
	if err == nil || !strings.Contains(err.Error(), "BOOTSTRAP_OWNER_PASSWORD") {
		t.Errorf("bootstrap without a password: %v", err)
	}
	err = run(ctx, []string{"bootstrap", "-code", "-bad-"}, env(nil), &out, &logs)
	if errs.KindOf(err) != errs.KindInvalid {
		t.Errorf("bootstrap with a bad code: %v, want invalid", err)
	}

	var count int
	var hash string
	if err := db.Super.QueryRow(ctx, `select count(*), min(password_hash) from users`).Scan(&count, &hash); err != nil {
		t.Fatal(err)
	}
	if count != 1 {
		t.Errorf("%d users after repeated bootstraps, want 1", count)
	}
	if ok, _, err := domain.VerifyPassword(hash, password); !ok || err != nil {
		t.Errorf("owner's stored hash does not verify the password: %v", err)
	}
	if strings.Contains(out.String()+logs.String(), password) {
		t.Error("the password reached the output or the logs")
	}
}

func TestUnknownCommand(t *testing.T) {
	if err := run(context.Background(), []string{"serve-please"}, func(string) (string, bool) { return "", false }, io.Discard, io.Discard); err == nil {
		t.Error("unknown command accepted")
	}
}
