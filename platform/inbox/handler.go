// Package inbox makes a consumer's effects exactly-once on top of the bus's
// at-least-once delivery. Each event's effect is applied in one transaction
// with a row (consumer, event id) in the service's inbox table; a
// redelivered event finds its row and is skipped, so it has its effect
// once. The table is created in every service schema by the platform
// migrations.
package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/postgres"
)

// claimSQL sets the delivery's tenant and claims its inbox row in one round
// trip. The tenant is set in a CTE the insert reads from, so it is in place
// before the statement completes, whatever the plan; set_config is
// volatile, so the CTE is never inlined away. The inbox holds no tenant
// data, so the order of the two within the statement does not matter to
// its own row; what matters is that apply, which runs next, sees the
// tenant.
const claimSQL = `
with tenant as (select set_config('` + postgres.TenantSetting + `', $3, true))
insert into inbox (consumer, event_id)
select $1, $2 from tenant
on conflict do nothing`

// Handler returns a bus.Handler that applies each delivery of a batch once
// per consumer, in ONE unit of work of db for the whole batch:
//
//   - for each delivery it switches the transaction to the delivery's
//     tenant (none when CompanyID is empty) and records (consumer, event
//     id) in the inbox;
//   - when the row is new it calls apply, whose repositories join the unit
//     of work through ctx (postgres.DB.InTx, WithTx) and see only that
//     tenant's rows;
//   - when the row exists the event was applied before (or earlier in this
//     batch) and is skipped.
//
// Any error rolls back the whole batch, inbox rows included, so nothing is
// half applied; the bus then retries the deliveries one by one, and a bad
// one ends in the dead-letter queue without holding the others back.
//
// The tenant comes from each delivery, never from a principal in ctx: the
// claim statement sets it before apply runs, replacing whatever tenant the
// unit of work began with. apply must not change the tenant itself.
// consumer names the consumer (its queue, "notify.events"), so two
// consumers in one service each apply an event once.
func Handler(db *postgres.DB, consumer string, apply func(ctx context.Context, d bus.Delivery) error) bus.Handler {
	return func(ctx context.Context, batch []bus.Delivery) error {
		switch {
		case consumer == "":
			return errors.New("inbox: handler needs a consumer name")
		case apply == nil:
			return fmt.Errorf("inbox %s: handler needs an apply function", consumer)
		case len(batch) == 0:
			return nil
		}
		return db.InTx(ctx, func(ctx context.Context) error {
			tx, ok := postgres.TxFromContext(ctx)
			if !ok {
				return fmt.Errorf("inbox %s: unit of work carries no transaction", consumer)
			}
			for _, d := range batch {
				fresh, err := claim(ctx, tx, consumer, d)
				if err != nil {
					return err
				}
				if !fresh {
					continue
				}
				if err := apply(ctx, d); err != nil {
					return fmt.Errorf("inbox %s: apply event %s (%s): %w", consumer, d.ID, d.Type, err)
				}
			}
			return nil
		})
	}
}

// claim sets d's tenant on tx and records d in the inbox, reporting whether
// it was new.
func claim(ctx context.Context, tx pgx.Tx, consumer string, d bus.Delivery) (bool, error) {
	eventID, err := uuid.Parse(d.ID)
	if err != nil {
		return false, fmt.Errorf("inbox %s: event id %q is not a UUID", consumer, d.ID)
	}
	tenant := ""
	if d.CompanyID != "" {
		// The policies cast the setting to uuid: refuse a malformed one
		// here rather than fail every later query of the batch.
		id, err := uuid.Parse(d.CompanyID)
		if err != nil {
			return false, fmt.Errorf("inbox %s: event %s: tenant %q is not a UUID", consumer, d.ID, d.CompanyID)
		}
		tenant = id.String()
	}
	tag, err := tx.Exec(ctx, claimSQL, consumer, eventID, tenant)
	if err != nil {
		return false, fmt.Errorf("inbox %s: claim event %s: %w", consumer, d.ID, err)
	}
	return tag.RowsAffected() == 1, nil
}
