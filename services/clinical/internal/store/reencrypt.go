package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// DefaultReencryptBatch is how many rows ReencryptPHI reads and re-seals
// in one transaction when the caller names no batch size: small enough
// that each transaction is short, large enough that round trips do not
// dominate.
const DefaultReencryptBatch = 500

// sealedTable is a table holding PHI sealed with the key ring, and its
// sealed columns with the column name each value is bound to (the
// associated data is the row id and that name, as seal writes it).
type sealedTable struct {
	name    string
	columns []sealedColumn
}

type sealedColumn struct {
	name  string // the bytea column
	bound string // domain.PHIColumn*: the name in the associated data
}

// sealedTables is every sealed column of the schema. A new one must be
// added here, or rotating keys would leave its values under the old key
// (TestReencryptCoversEverySealedColumn reads the catalog to catch that).
var sealedTables = []sealedTable{
	{name: "patients", columns: []sealedColumn{
		{name: "mbi_ciphertext", bound: domain.PHIColumnMBI},
		{name: "medicaid_id_ciphertext", bound: domain.PHIColumnMedicaidID},
		{name: "ssn_ciphertext", bound: domain.PHIColumnSSN},
	}},
	{name: "coverages", columns: []sealedColumn{
		{name: "member_id_ciphertext", bound: domain.PHIColumnMemberID},
	}},
}

// ReencryptCount is what one run of ReencryptPHI found in one sealed
// column, over every tenant.
type ReencryptCount struct {
	// Column is "table.column", such as "patients.mbi_ciphertext".
	Column string
	// Sealed counts the values present (NULL is no value).
	Sealed int64
	// Moved counts the values re-sealed under the primary version.
	Moved int64
	// Failed counts the values under another version that did not open:
	// sealed under a version the ring no longer holds, or tampered with.
	Failed int64
}

// ReencryptReport is the outcome of one run of ReencryptPHI.
type ReencryptReport struct {
	// PrimaryVersion is the key version every value was moved to.
	PrimaryVersion int
	// Tenants counts the companies visited.
	Tenants int
	// Columns holds one count per sealed column, in a fixed order.
	Columns []ReencryptCount
}

// Moved is the number of values re-sealed, over every column.
func (r ReencryptReport) Moved() int64 {
	var n int64
	for _, c := range r.Columns {
		n += c.Moved
	}
	return n
}

// ReencryptPHI re-seals under the key ring's primary version every PHI
// value sealed under another one: the second step of a key rotation (see
// platform/keyring), after which the old version can leave ENCRYPTION_KEY.
//
// It visits every tenant with sealed rows (sealed_tenants) and walks each
// sealed table by id, batchSize rows (DefaultReencryptBatch when not
// positive) per transaction scoped to that tenant. Nothing else of a row
// changes, not its version nor its update time: the record is the same,
// only its sealing is new, and etags held by clients stay valid. The blind
// indexes need nothing: their key does not rotate.
//
// A value is replaced only if it is still the one read, so a concurrent
// update (which seals under the primary already) wins, and the job holds
// no row lock while it decrypts. Each batch commits on its own: an
// interrupted run keeps what it moved and the next run finishes the rest;
// a run with nothing left to move writes nothing.
//
// A value that does not open is counted as failed and the walk goes on;
// the run then returns its report with an error naming the first such
// value (table, column and row id, never a value) and matching
// keyring.ErrDecrypt, or keyring.ErrUnknownKeyVersion when the version
// sealing it is not in the ring. Any database error stops the run.
func (s *Store) ReencryptPHI(ctx context.Context, batchSize int) (ReencryptReport, error) {
	if batchSize <= 0 {
		batchSize = DefaultReencryptBatch
	}
	report := ReencryptReport{PrimaryVersion: s.ring.PrimaryVersion()}
	for _, t := range sealedTables {
		for _, c := range t.columns {
			report.Columns = append(report.Columns, ReencryptCount{Column: t.name + "." + c.name})
		}
	}

	tenants, err := s.sealedTenants(ctx)
	if err != nil {
		return report, err
	}
	var failures reencryptFailures
	for _, tenant := range tenants {
		report.Tenants++
		first := 0
		for _, t := range sealedTables {
			// The walk counts into the report's own elements.
			w := tableWalk{s: s, table: t, counts: report.Columns[first : first+len(t.columns)], failures: &failures, batch: batchSize}
			if err := w.run(ctx, tenant); err != nil {
				return report, postgres.Wrap("reencrypt "+t.name+" of company "+tenant, err)
			}
			first += len(t.columns)
		}
	}
	return report, failures.err(s.ring.Versions())
}

// sealedTenants lists the companies with sealed rows. The function runs
// as the schema's owner, so it sees past the tenant policies; no tenant is
// set here.
func (s *Store) sealedTenants(ctx context.Context) ([]string, error) {
	var tenants []string
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `select t::text from sealed_tenants() t`)
		if err != nil {
			return err
		}
		tenants, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return tenants, postgres.Wrap("reencrypt: list tenants", err)
}

// tableWalk re-seals one table of one tenant, batch by batch.
type tableWalk struct {
	s        *Store
	table    sealedTable
	counts   []ReencryptCount // one per column of table, in its order
	failures *reencryptFailures
	batch    int
}

// noID sorts before every UUID: the walk starts after it.
const noID = "00000000-0000-0000-0000-000000000000"

func (w tableWalk) run(ctx context.Context, tenant string) error {
	after := noID
	for {
		var n int
		err := w.s.db.WithTenantTx(ctx, tenant, func(tx pgx.Tx) error {
			var err error
			n, after, err = w.batchAfter(ctx, tx, after)
			return err
		})
		if err != nil {
			return err
		}
		if n < w.batch {
			return nil
		}
	}
}

// batchAfter re-seals what needs it among the next batch of rows after id
// after, returning how many rows it read and the last id.
func (w tableWalk) batchAfter(ctx context.Context, tx pgx.Tx, after string) (int, string, error) {
	selectSQL := "select id::text"
	for _, c := range w.table.columns {
		selectSQL += ", " + c.name
	}
	selectSQL += " from " + w.table.name + " where id > $1::uuid order by id limit $2"
	rows, err := tx.Query(ctx, selectSQL, after, w.batch)
	if err != nil {
		return 0, after, err
	}
	type pending struct {
		column int
		id     string
	}
	var (
		updates pgx.Batch
		queued  []pending
		n       int
	)
	values := make([][]byte, len(w.table.columns))
	targets := make([]any, 1+len(values))
	var id string
	targets[0] = &id
	for i := range values {
		targets[i+1] = &values[i]
	}
	for rows.Next() {
		if err := rows.Scan(targets...); err != nil {
			rows.Close()
			return 0, after, err
		}
		n++
		after = id
		for i, c := range w.table.columns {
			sealed := values[i]
			if sealed == nil {
				continue
			}
			w.counts[i].Sealed++
			if !w.s.ring.NeedsReencrypt(sealed) {
				continue
			}
			resealed, err := w.s.ring.Reencrypt(sealed, boundTo(id, c.bound))
			if err != nil {
				w.counts[i].Failed++
				w.failures.add(w.counts[i].Column, id, err)
				continue
			}
			updates.Queue("update "+w.table.name+" set "+c.name+" = $1 where id = $2 and "+c.name+" = $3", resealed, id, sealed)
			queued = append(queued, pending{column: i, id: id})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, after, err
	}
	if len(queued) == 0 {
		return n, after, nil
	}
	results := tx.SendBatch(ctx, &updates)
	for _, q := range queued {
		tag, err := results.Exec()
		if err != nil {
			results.Close()
			return 0, after, err
		}
		// Zero rows: an update replaced the value after it was read,
		// sealing it under the primary itself.
		w.counts[q.column].Moved += tag.RowsAffected()
	}
	return n, after, results.Close()
}

// boundTo is the associated data seal binds a value to: the row id and the
// column name joined by a 0x00 byte, as keyring.EncryptString joins its
// parts.
func boundTo(id, column string) []byte {
	return []byte(id + "\x00" + column)
}

// reencryptFailures keeps the count of values that did not open and the
// first of them.
type reencryptFailures struct {
	n      int64
	column string
	id     string
	cause  error
}

func (f *reencryptFailures) add(column, id string, err error) {
	if f.n == 0 {
		f.column, f.id, f.cause = column, id, err
	}
	f.n++
}

func (f *reencryptFailures) err(versions []int) error {
	if f.n == 0 {
		return nil
	}
	return fmt.Errorf("reencrypt: %d sealed value(s) did not open under key versions %v and stay as they were; the first is %s of row %s: %w",
		f.n, versions, f.column, f.id, f.cause)
}
