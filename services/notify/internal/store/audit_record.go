package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// auditColumns is the select list scanAuditRecord reads.
const auditColumns = `company_id::text, sequence, id::text, service, method, actor_id, actor_kind, resources,
	code, client_addr, request_id, call_time, duration_us, record_time, previous_hash, hash`

func scanAuditRecord(row pgx.Row) (*domain.AuditRecord, error) {
	var r domain.AuditRecord
	var resources []byte
	var durationUS int64
	err := row.Scan(&r.CompanyID, &r.Sequence, &r.ID, &r.Service, &r.Method, &r.ActorID, &r.ActorKind, &resources,
		&r.Code, &r.ClientAddr, &r.RequestID, &r.CallTime, &durationUS, &r.RecordTime, &r.PreviousHash, &r.Hash)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(resources, &r.Resources); err != nil {
		return nil, fmt.Errorf("audit record %d resources: %w", r.Sequence, err)
	}
	r.CallTime = r.CallTime.UTC()
	r.RecordTime = r.RecordTime.UTC()
	r.Duration = time.Duration(durationUS) * time.Microsecond
	return &r, nil
}

// AppendAuditRecord appends the record of event eventID to the chain of
// companyID, which must be the transaction's tenant. It locks the chain's
// head (creating it for a chain's first record), so appends to one chain
// are serialised, and lets link build the record from the head. An event
// already in the trail is not appended again: appended is false.
func (s *Store) AppendAuditRecord(ctx context.Context, companyID, eventID string,
	link func(domain.ChainHead) (*domain.AuditRecord, domain.ChainHead)) (appended bool, err error) {
	err = s.db.WithTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			insert into audit_chain_heads (company_id, last_sequence, last_hash) values ($1, 0, $2)
			on conflict (company_id) do nothing`, companyID, domain.GenesisHash)
		if err != nil {
			return err
		}
		head := domain.ChainHead{CompanyID: companyID}
		err = tx.QueryRow(ctx, `
			select last_sequence, last_hash from audit_chain_heads where company_id = $1 for update`,
			companyID).Scan(&head.LastSequence, &head.LastHash)
		if err != nil {
			return fmt.Errorf("lock chain head: %w", err)
		}
		var exists bool
		if err := tx.QueryRow(ctx, `select exists (select 1 from audit_records where id = $1)`, eventID).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return nil
		}
		r, next := link(head)
		resources, err := json.Marshal(nonNil(r.Resources))
		if err != nil {
			return err
		}
		batch := &pgx.Batch{}
		batch.Queue(`
			insert into audit_records (company_id, sequence, id, service, method, actor_id, actor_kind, resources,
				code, client_addr, request_id, call_time, duration_us, record_time, previous_hash, hash)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			r.CompanyID, r.Sequence, r.ID, r.Service, r.Method, r.ActorID, r.ActorKind, resources,
			r.Code, r.ClientAddr, r.RequestID, r.CallTime, r.Duration.Microseconds(), r.RecordTime, r.PreviousHash, r.Hash)
		batch.Queue(`update audit_chain_heads set last_sequence = $2, last_hash = $3 where company_id = $1`,
			companyID, next.LastSequence, next.LastHash)
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		appended = true
		return nil
	})
	return appended, wrap("append audit record", err)
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// ListAuditRecords returns up to limit of the caller's records matching q,
// newest first (by call time, then sequence), resuming after the position
// after (nil for the first page). The statement names only the filters q
// sets, so each shape gets a plan that uses its index.
func (s *Store) ListAuditRecords(ctx context.Context, q domain.AuditQuery, after *domain.AuditPosition, limit int) ([]*domain.AuditRecord, error) {
	var w where
	if q.ActorID != "" {
		w.add("actor_id = $%d", q.ActorID)
	}
	if q.ResourceID != "" {
		w.add("audit_resource_values(resources) @> array[$%d::text]", q.ResourceID)
	}
	if q.Method != "" {
		w.add("method = $%d", q.Method)
	}
	if !q.Start.IsZero() {
		w.add("call_time >= $%d", q.Start)
	}
	if !q.End.IsZero() {
		w.add("call_time < $%d", q.End)
	}
	if after != nil {
		w.add("(call_time, sequence) < ($%d, $%d)", after.CallTime, after.Sequence)
	}
	var out []*domain.AuditRecord
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `select `+auditColumns+` from audit_records`+w.sql()+`
			order by call_time desc, sequence desc
			limit `+w.next(), append(w.args, limit)...)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanAuditRecord)
		return err
	})
	return out, wrap("list audit records", err)
}

// AuditChainRecords returns up to limit records of the caller's chain in
// sequence order, from the first after afterSequence.
func (s *Store) AuditChainRecords(ctx context.Context, afterSequence int64, limit int) ([]*domain.AuditRecord, error) {
	var out []*domain.AuditRecord
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			select `+auditColumns+` from audit_records
			where sequence > $1
			order by company_id, sequence
			limit $2`, afterSequence, limit)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanAuditRecord)
		return err
	})
	return out, wrap("read audit chain", err)
}

// AuditChainHead returns the head of the caller's chain; a tenant with no
// records yet has the head of an empty chain.
func (s *Store) AuditChainHead(ctx context.Context, companyID string) (domain.ChainHead, error) {
	head := domain.NewChainHead(companyID)
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `select last_sequence, last_hash from audit_chain_heads where company_id = $1`,
			companyID).Scan(&head.LastSequence, &head.LastHash)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	return head, wrap("read audit chain head", err)
}
