package app_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/authn/authntest"
)

var errEvents = errors.New("events cannot be written")

// The operator commands change state outside any RPC; their changes and
// events are one unit of work too. The gRPC commands are covered in
// grpcapi's TestChangeDoesNotOutliveItsEvent.

func TestSigningKeyRotationDoesNotOutliveItsEvent(t *testing.T) {
	t.Parallel()
	e := authntest.New(t, authntest.Options{})
	ctx := context.Background()
	before := signingKeyRows(t, e)

	e.Events.FailWith(errEvents)
	if _, err := e.App.SigningKeys.Rotate(ctx, app.RotateSigningKey{ActorID: "operator"}); !errors.Is(err, errEvents) {
		t.Fatalf("RotateSigningKey with events failing: %v, want %v", err, errEvents)
	}
	if diff := cmp.Diff(before, signingKeyRows(t, e)); diff != "" {
		t.Errorf("the rotation committed without its event (-before +after):\n%s", diff)
	}

	e.Events.FailWith(nil)
	made, err := e.App.SigningKeys.Rotate(ctx, app.RotateSigningKey{ActorID: "operator"})
	if err != nil {
		t.Fatalf("RotateSigningKey: %v", err)
	}
	if after := signingKeyRows(t, e); len(after) != len(before)+1 || cmp.Equal(before, after[:len(before)]) {
		t.Errorf("signing keys after a rotation = %v, want %v retired and one more", after, before)
	}
	if events := e.Events.Events(); events[len(events)-1].ResourceID != made.KeyID {
		t.Errorf("last event %v, want the rotation to %s", events[len(events)-1], made.KeyID)
	}
}

// signingKeyRows lists the stored keys with their lifetimes, oldest first.
func signingKeyRows(t *testing.T, e *authntest.Env) []string {
	t.Helper()
	keys, err := e.SigningKeys.ListSigningKeys(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[len(keys)-1-i] = fmt.Sprintf("%s retire=%v expire=%v", k.KeyID, k.RetireTime, k.ExpireTime)
	}
	return out
}

func TestBootstrapDoesNotOutliveItsEvents(t *testing.T) {
	t.Parallel()
	e := authntest.New(t, authntest.Options{})
	ctx := context.Background()
	cmd := app.BootstrapCompany{
		Code: "acme-medical", LegalName: "Acme Medical Supply, LLC",
		OwnerEmail: "owner@acme.test", OwnerPassword: ownerPassword, OwnerGivenName: "Olive", OwnerFamilyName: "Owner",
	}

	e.Events.FailWith(errEvents)
	if _, err := e.App.Companies.Bootstrap(ctx, cmd); !errors.Is(err, errEvents) {
		t.Fatalf("bootstrap with events failing: %v, want %v", err, errEvents)
	}
	if _, found, err := e.Directory.CompanyIDForCode(ctx, cmd.Code); found || err != nil {
		t.Errorf("company after a failed bootstrap: found %v (%v), want none", found, err)
	}

	e.Events.FailWith(nil)
	res, err := e.App.Companies.Bootstrap(ctx, cmd)
	if err != nil || !res.Created {
		t.Fatalf("bootstrap = %+v, %v; want created", res, err)
	}
	// The events were recorded in a transaction of the new company (the
	// recorder checks), and the owner can sign in once they have chosen
	// their own password (the bootstrap password went through an operator).
	_, err = e.App.Auth.Login(ctx, app.Login{CompanyCode: cmd.Code, Email: cmd.OwnerEmail, Password: ownerPassword})
	var must *errs.Error
	if !errors.As(err, &must) || must.Reason != app.ReasonPasswordChangeRequired {
		t.Fatalf("Login as the bootstrapped owner: %v, want %s", err, app.ReasonPasswordChangeRequired)
	}
	const chosen = "the owner's own passphrase"
	if err := e.App.Passwords.CompleteReset(ctx, app.CompletePasswordReset{
		CompanyCode: cmd.Code, Token: must.Metadata[app.MetadataPasswordChangeToken], New: chosen,
	}); err != nil {
		t.Fatalf("CompletePasswordReset: %v", err)
	}
	if _, err := e.App.Auth.Login(ctx, app.Login{CompanyCode: cmd.Code, Email: cmd.OwnerEmail, Password: chosen}); err != nil {
		t.Errorf("Login as the bootstrapped owner: %v", err)
	}
	if diff := cmp.Diff([]string{app.EventSigningKeyRotated, app.EventCompanyCreated, app.EventUserCreated,
		app.EventPasswordChanged, app.EventSessionStarted}, e.Events.Types()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if _, err := e.App.Companies.Bootstrap(ctx, cmd); err != nil {
		t.Errorf("bootstrap again: %v", err)
	}
	if got := e.Events.Types(); len(got) != 5 {
		t.Errorf("a repeated bootstrap recorded events: %v", got)
	}
}
