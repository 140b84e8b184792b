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

// claimSQL records a batch's event ids in the inbox in one round trip and
// returns those that were not there: the events this consumer has not
// applied yet. The inbox holds no tenant data and has no row-level
// security, so one statement covers every tenant of the batch.
const claimSQL = `
insert into inbox (consumer, event_id)
select $1, id from unnest($2::uuid[]) as claimed (id)
on conflict do nothing
returning event_id`

// Handler returns a bus.Handler that applies each delivery of a batch once
// per consumer, in ONE unit of work of db for the whole batch:
//
//   - it records the batch's (consumer, event id) pairs in the inbox, in
//     one statement, and learns which events are new;
//   - for each new event, in delivery order, it switches the transaction to
//     the delivery's tenant (none when CompanyID is empty) and calls apply,
//     whose repositories join the unit of work through ctx
//     (postgres.DB.InTx, WithTx) and see only that tenant's rows;
//   - an event applied before, or earlier in the same batch, is skipped;
//   - effects apply gathered with Batched happen last, in the same unit.
//
// Any error rolls back the whole batch, inbox rows included, so nothing is
// half applied; the bus then retries the deliveries one by one, and a bad
// one ends in the dead-letter queue without holding the others back.
//
// The tenant comes from each delivery, never from a principal in ctx; it
// is set before apply runs, replacing whatever tenant the unit of work
// began with. apply must not change the tenant itself. consumer names the
// consumer (its queue, "notify.events"), so two consumers in one service
// each apply an event once.
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
		keys, err := parseBatch(consumer, batch)
		if err != nil {
			return err
		}
		return db.InTx(ctx, func(ctx context.Context) error {
			tx, ok := postgres.TxFromContext(ctx)
			if !ok {
				return fmt.Errorf("inbox %s: unit of work carries no transaction", consumer)
			}
			fresh, err := claim(ctx, tx, consumer, keys)
			if err != nil {
				return err
			}
			ctx, gathered := withBatch(ctx)
			tenantSet, tenant := false, ""
			for i, d := range batch {
				if !fresh[keys[i].event] {
					continue
				}
				delete(fresh, keys[i].event) // a repeat later in the batch is skipped
				// Consecutive events of one tenant, the common case, share
				// one set_config.
				if !tenantSet || keys[i].tenant != tenant {
					if err := postgres.SetTenant(ctx, tx, keys[i].tenant); err != nil {
						return fmt.Errorf("inbox %s: event %s: %w", consumer, d.ID, err)
					}
					tenantSet, tenant = true, keys[i].tenant
				}
				if err := apply(ctx, d); err != nil {
					return fmt.Errorf("inbox %s: apply event %s (%s): %w", consumer, d.ID, d.Type, err)
				}
			}
			return gathered.flush(ctx, consumer)
		})
	}
}

// key is a delivery's event id and tenant, parsed.
type key struct {
	event  uuid.UUID
	tenant string // canonical UUID text, or "" for none
}

// parseBatch checks every delivery's event id and tenant before any SQL
// runs. The policies cast the tenant setting to uuid, so a malformed one is
// refused here rather than failing the queries of the whole batch.
func parseBatch(consumer string, batch []bus.Delivery) ([]key, error) {
	keys := make([]key, len(batch))
	for i, d := range batch {
		id, err := uuid.Parse(d.ID)
		if err != nil {
			return nil, fmt.Errorf("inbox %s: event id %q is not a UUID", consumer, d.ID)
		}
		keys[i].event = id
		if d.CompanyID != "" {
			company, err := uuid.Parse(d.CompanyID)
			if err != nil {
				return nil, fmt.Errorf("inbox %s: event %s: tenant %q is not a UUID", consumer, d.ID, d.CompanyID)
			}
			keys[i].tenant = company.String()
		}
	}
	return keys, nil
}

// claim records the batch in the inbox and returns the events that are new.
func claim(ctx context.Context, tx pgx.Tx, consumer string, keys []key) (map[uuid.UUID]bool, error) {
	ids := make([]uuid.UUID, 0, len(keys))
	seen := make(map[uuid.UUID]bool, len(keys))
	for _, k := range keys {
		if !seen[k.event] {
			seen[k.event] = true
			ids = append(ids, k.event)
		}
	}
	rows, err := tx.Query(ctx, claimSQL, consumer, ids)
	if err != nil {
		return nil, fmt.Errorf("inbox %s: claim %d events: %w", consumer, len(ids), err)
	}
	claimed, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("inbox %s: claim %d events: %w", consumer, len(ids), err)
	}
	fresh := make(map[uuid.UUID]bool, len(claimed))
	for _, id := range claimed {
		fresh[id] = true
	}
	return fresh, nil
}
