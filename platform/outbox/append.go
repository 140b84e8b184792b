package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/postgres"
)

// ErrNoUnitOfWork is returned by AppendFromContext when the context carries
// no transaction. Events appended in a transaction of their own could
// commit without the change they describe, or the change without them.
var ErrNoUnitOfWork = errors.New("outbox: no unit of work in the context: append events inside postgres.DB.InTx, in the transaction of the change")

// appendSQL inserts a whole batch in one statement whose text does not
// depend on the batch size, so it is prepared once per connection and each
// append costs one round trip. Rows are inserted in the order given, which
// is the order seq records and the relay publishes.
const appendSQL = `
insert into outbox (id, type, payload_type, company_id, source, occur_time, payload, trace)
select id, type, payload_type, company_id, source, occur_time, payload, trace
from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::timestamptz[], $7::bytea[], $8::jsonb[])
     with ordinality as m(id, type, payload_type, company_id, source, occur_time, payload, trace, ord)
order by ord`

// Append writes msgs to the outbox in tx, the transaction of the change
// that caused them. It takes a transaction, not any querier, because an
// event written outside the change's transaction breaks the outbox's one
// promise. Each message needs a UUID id, a type, a payload type, a source
// and an occurrence time; CompanyID is a UUID or empty. Row-level security
// accepts events of tx's tenant and tenant-less events only.
func Append(ctx context.Context, tx pgx.Tx, msgs ...bus.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	n := len(msgs)
	var (
		ids       = make([]pgtype.UUID, n)
		types     = make([]string, n)
		payloads  = make([]string, n)
		companies = make([]pgtype.UUID, n)
		sources   = make([]string, n)
		times     = make([]pgtype.Timestamptz, n)
		bodies    = make([][]byte, n)
		traces    = make([][]byte, n)
	)
	for i, m := range msgs {
		if err := checkMessage(m); err != nil {
			return err
		}
		id, _ := uuid.Parse(m.ID) // checked above
		ids[i] = pgtype.UUID{Bytes: id, Valid: true}
		if m.CompanyID != "" {
			company, _ := uuid.Parse(m.CompanyID) // checked above
			companies[i] = pgtype.UUID{Bytes: company, Valid: true}
		}
		types[i], payloads[i], sources[i] = m.Type, m.PayloadType, m.Source
		times[i] = pgtype.Timestamptz{Time: m.OccurTime, Valid: true}
		bodies[i] = m.Payload
		if bodies[i] == nil {
			bodies[i] = []byte{}
		}
		if len(m.Trace) > 0 {
			b, err := json.Marshal(m.Trace)
			if err != nil {
				return fmt.Errorf("outbox: append %s: trace context: %w", m.ID, err)
			}
			traces[i] = b
		}
	}
	if _, err := tx.Exec(ctx, appendSQL, ids, types, payloads, companies, sources, times, bodies, traces); err != nil {
		return fmt.Errorf("outbox: append %d events (first %s %s): %w", n, msgs[0].Type, msgs[0].ID, err)
	}
	return nil
}

// AppendFromContext appends msgs in the transaction of the unit of work ctx
// carries (postgres.DB.InTx), and returns ErrNoUnitOfWork outside one.
func AppendFromContext(ctx context.Context, msgs ...bus.Message) error {
	tx, ok := postgres.TxFromContext(ctx)
	if !ok {
		return ErrNoUnitOfWork
	}
	return Append(ctx, tx, msgs...)
}

// checkMessage rejects a message the outbox cannot store or consumers could
// not route, identify or decode, naming what is wrong before any SQL runs.
func checkMessage(m bus.Message) error {
	if _, err := uuid.Parse(m.ID); err != nil {
		return fmt.Errorf("outbox: event id %q is not a UUID", m.ID)
	}
	switch {
	case m.Type == "":
		return fmt.Errorf("outbox: event %s has no type", m.ID)
	case m.PayloadType == "":
		return fmt.Errorf("outbox: event %s (%s) has no payload type", m.ID, m.Type)
	case m.Source == "":
		return fmt.Errorf("outbox: event %s (%s) has no source", m.ID, m.Type)
	case m.OccurTime.IsZero():
		return fmt.Errorf("outbox: event %s (%s) has no occurrence time", m.ID, m.Type)
	}
	if m.CompanyID != "" {
		if _, err := uuid.Parse(m.CompanyID); err != nil {
			return fmt.Errorf("outbox: event %s (%s): company id %q is not a UUID", m.ID, m.Type, m.CompanyID)
		}
	}
	return nil
}
