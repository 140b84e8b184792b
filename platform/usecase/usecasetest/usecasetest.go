// Package usecasetest gives use-case tests an event recorder that holds
// every event to the outbox's contract, and request contexts authenticated
// the way the interceptor chain builds them.
package usecasetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/usecase"
)

// Recorder returns an event recorder for tests of the use cases. It keeps
// the events in memory and holds every one to the contract the outbox
// relies on: recorded inside the transaction of the change it describes
// (a unit of work), whose tenant is the event's company. An event that
// breaks it fails t, and Record returns an error so the change aborts too.
func Recorder(t testing.TB) *usecase.MemoryRecorder {
	return &usecase.MemoryRecorder{Check: func(ctx context.Context, e usecase.Event) error {
		err := checkInUnitOfWork(ctx, e)
		if err != nil {
			t.Errorf("usecasetest: %v", err)
		}
		return err
	}}
}

func checkInUnitOfWork(ctx context.Context, e usecase.Event) error {
	tx, ok := postgres.TxFromContext(ctx)
	if !ok {
		return fmt.Errorf("event %s recorded outside a unit of work", e.Type)
	}
	var tenant string
	err := tx.QueryRow(ctx, "select coalesce(current_setting($1, true), '')", postgres.TenantSetting).Scan(&tenant)
	if err != nil {
		return fmt.Errorf("event %s: reading the tenant of its transaction: %w", e.Type, err)
	}
	if tenant != e.CompanyID {
		return fmt.Errorf("event %s of company %q recorded in a transaction of tenant %q", e.Type, e.CompanyID, tenant)
	}
	return nil
}

// As returns a request context authenticated as user subject of company
// with roles, as the interceptor chain would build it.
func As(company, subject string, roles ...string) context.Context {
	return identity.NewContext(context.Background(), identity.Principal{
		Subject:   subject,
		CompanyID: company,
		Roles:     roles,
		Kind:      identity.KindUser,
	})
}

// AsScoped is As for a user limited to locations (a branch-scoped user's
// principal), whose transactions see only those locations' rows.
func AsScoped(company, subject string, locations []string, roles ...string) context.Context {
	return identity.NewContext(context.Background(), identity.Principal{
		Subject:   subject,
		CompanyID: company,
		Roles:     roles,
		Kind:      identity.KindUser,
		Locations: locations,
	})
}
