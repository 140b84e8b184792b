package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
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

// lockHeadSQL locks the chain's head, creating it for a chain's first
// record, in one statement: the no-op update of a conflict takes the row
// lock and returns the head as it stands.
const lockHeadSQL = `
insert into audit_chain_heads (company_id, last_sequence, last_hash) values ($1, 0, $2)
on conflict (company_id) do update set company_id = excluded.company_id
returning last_sequence, last_hash`

// insertRecordsSQL inserts a batch's records in one statement.
const insertRecordsSQL = `
insert into audit_records (company_id, sequence, id, service, method, actor_id, actor_kind, resources,
	code, client_addr, request_id, call_time, duration_us, record_time, previous_hash, hash)
select $1, r.* from unnest($2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[],
	$9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::bigint[], $14::timestamptz[], $15::bytea[], $16::bytea[]) as r`

// customPlansSQL makes the transaction plan each statement for its own
// parameters. The present-ids probe runs as a prepared statement on a
// trail that starts empty; once Postgres settles on a generic plan for it
// while the table is small, that plan is a sequential scan, and it stays one
// as the trail grows until the next ANALYZE: measured, the probe scanned
// every row of a 160,000-record trail for each batch and ingest fell to
// about 700 records/s. A custom plan sees the table's real size (its pages,
// even before statistics catch up) and takes the unique index on id.
const customPlansSQL = `set local plan_cache_mode = force_custom_plan`

// AppendAuditRecords appends the entries to the chain of companyID, which
// must be the transaction's tenant, in two round trips whatever their
// number: the first locks the chain's head (appends to one chain are
// serialised; chains of other tenants proceed in parallel) and reads which
// entries the trail already holds; link then builds the records of the
// others from the head, and the second inserts them and moves the head.
// Entries already in the trail, or repeated, are skipped: appended counts
// the records written.
func (s *Store) AppendAuditRecords(ctx context.Context, companyID string, entries []domain.AuditEntry,
	link func(domain.ChainHead, []domain.AuditEntry) ([]*domain.AuditRecord, domain.ChainHead)) (appended int, err error) {
	if len(entries) == 0 {
		return 0, nil
	}
	err = s.db.WithTx(ctx, func(tx pgx.Tx) error {
		ids := make([]string, len(entries))
		for i, e := range entries {
			ids[i] = e.ID
		}
		head := domain.ChainHead{CompanyID: companyID}
		var present []string
		lock := &pgx.Batch{}
		lock.Queue(customPlansSQL)
		lock.Queue(lockHeadSQL, companyID, domain.GenesisHash).QueryRow(func(row pgx.Row) error {
			if err := row.Scan(&head.LastSequence, &head.LastHash); err != nil {
				return fmt.Errorf("lock chain head: %w", err)
			}
			return nil
		})
		lock.Queue(`select id::text from audit_records where id = any($1::uuid[])`, ids).Query(func(rows pgx.Rows) error {
			var err error
			present, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		if err := tx.SendBatch(ctx, lock).Close(); err != nil {
			return err
		}
		fresh := freshEntries(entries, present)
		if len(fresh) == 0 {
			return nil
		}
		records, next := link(head, fresh)
		cols, err := recordColumns(records)
		if err != nil {
			return err
		}
		write := &pgx.Batch{}
		write.Queue(insertRecordsSQL, append([]any{companyID}, cols...)...)
		write.Queue(`update audit_chain_heads set last_sequence = $2, last_hash = $3 where company_id = $1`,
			companyID, next.LastSequence, next.LastHash)
		if err := tx.SendBatch(ctx, write).Close(); err != nil {
			return err
		}
		appended = len(records)
		return nil
	})
	return appended, postgres.Wrap("append audit records", err)
}

// freshEntries returns the entries whose id is neither present nor
// repeated earlier in entries, in order.
func freshEntries(entries []domain.AuditEntry, present []string) []domain.AuditEntry {
	seen := make(map[string]bool, len(entries)+len(present))
	for _, id := range present {
		seen[id] = true
	}
	fresh := make([]domain.AuditEntry, 0, len(entries))
	for _, e := range entries {
		if !seen[e.ID] {
			seen[e.ID] = true
			fresh = append(fresh, e)
		}
	}
	return fresh
}

// recordColumns returns the records as the arrays insertRecordsSQL unnests,
// from $2 on.
func recordColumns(records []*domain.AuditRecord) ([]any, error) {
	n := len(records)
	var (
		sequence, durationUS                               = make([]int64, n), make([]int64, n)
		id, service, method, actorID, actorKind, resources = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		code, clientAddr, requestID                        = make([]string, n), make([]string, n), make([]string, n)
		callTime, recordTime                               = make([]time.Time, n), make([]time.Time, n)
		previousHash, hash                                 = make([][]byte, n), make([][]byte, n)
	)
	for i, r := range records {
		res, err := json.Marshal(nonNil(r.Resources))
		if err != nil {
			return nil, err
		}
		sequence[i], id[i], service[i], method[i] = r.Sequence, r.ID, r.Service, r.Method
		actorID[i], actorKind[i], resources[i] = r.ActorID, r.ActorKind, string(res)
		code[i], clientAddr[i], requestID[i] = r.Code, r.ClientAddr, r.RequestID
		callTime[i], durationUS[i], recordTime[i] = r.CallTime, r.Duration.Microseconds(), r.RecordTime
		previousHash[i], hash[i] = r.PreviousHash, r.Hash
	}
	return []any{sequence, id, service, method, actorID, actorKind, resources,
		code, clientAddr, requestID, callTime, durationUS, recordTime, previousHash, hash}, nil
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
		out, err = postgres.Collect(rows, scanAuditRecord)
		return err
	})
	return out, postgres.Wrap("list audit records", err)
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
		out, err = postgres.Collect(rows, scanAuditRecord)
		return err
	})
	return out, postgres.Wrap("read audit chain", err)
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
	return head, postgres.Wrap("read audit chain head", err)
}
