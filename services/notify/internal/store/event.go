package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

const eventColumns = `id::text, type, payload_type, source, company_id::text, occur_time, payload`

func scanEvent(row pgx.Row) (*domain.Event, error) {
	var e domain.Event
	if err := row.Scan(&e.ID, &e.Type, &e.PayloadType, &e.Source, &e.CompanyID, &e.OccurTime, &e.Payload); err != nil {
		return nil, err
	}
	e.OccurTime = e.OccurTime.UTC()
	return &e, nil
}

// InsertEvent appends e to the tenant's event log. An event already in the
// log is left as it is and inserted is false, so a redelivered event has
// its effects once.
func (s *Store) InsertEvent(ctx context.Context, e domain.Event) (inserted bool, err error) {
	err = s.db.WithTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			insert into events (id, company_id, type, payload_type, source, occur_time, payload)
			values ($1, $2, $3, $4, $5, $6, $7)
			on conflict (id) do nothing`,
			e.ID, e.CompanyID, e.Type, e.PayloadType, e.Source, e.OccurTime, nonNilBytes(e.Payload))
		inserted = tag.RowsAffected() == 1
		return err
	})
	return inserted, postgres.Wrap("insert event", err)
}

func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// ListEvents returns up to limit of the caller's events whose payload is
// one of payloadTypes (the types the caller may see) and whose type matches
// one of patterns (every type when there are none), newest first, resuming
// after the position after (nil for the first page).
func (s *Store) ListEvents(ctx context.Context, payloadTypes, patterns []string, after *domain.EventPosition, limit int) ([]*domain.Event, error) {
	var w where
	w.add("payload_type = any($%d)", payloadTypes)
	w.addTypePatterns(patterns)
	if after != nil {
		w.add("(occur_time, id) < ($%d, $%d)", after.OccurTime, after.ID)
	}
	var out []*domain.Event
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `select `+eventColumns+` from events`+w.sql()+`
			order by occur_time desc, id desc
			limit `+w.next(), append(w.args, limit)...)
		if err != nil {
			return err
		}
		out, err = postgres.Collect(rows, scanEvent)
		return err
	})
	return out, postgres.Wrap("list events", err)
}

// EventPosition returns where event id stands in the caller's log, or
// NOT_FOUND when the tenant has no such event.
func (s *Store) EventPosition(ctx context.Context, id string) (domain.EventPosition, error) {
	var pos domain.EventPosition
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `select occur_time, id::text from events where id = $1`, id).Scan(&pos.OccurTime, &pos.ID)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return pos, errs.NotFound("event", id)
	}
	return pos, postgres.Wrap("event position", err)
}

// ListEventsAfter returns up to limit of the caller's events after the
// position after, oldest first, filtered like ListEvents: the replay of a
// stream that resumes.
func (s *Store) ListEventsAfter(ctx context.Context, payloadTypes, patterns []string, after domain.EventPosition, limit int) ([]*domain.Event, error) {
	var w where
	w.add("payload_type = any($%d)", payloadTypes)
	w.addTypePatterns(patterns)
	w.add("(occur_time, id) > ($%d, $%d)", after.OccurTime, after.ID)
	var out []*domain.Event
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `select `+eventColumns+` from events`+w.sql()+`
			order by occur_time, id
			limit `+w.next(), append(w.args, limit)...)
		if err != nil {
			return err
		}
		out, err = postgres.Collect(rows, scanEvent)
		return err
	})
	return out, postgres.Wrap("list events after", err)
}
