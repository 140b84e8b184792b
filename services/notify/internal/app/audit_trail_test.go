package app_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

const getLocation = "/ariesone.company.v1.LocationService/GetLocation"

// appendCalls applies n audited calls of company, one second apart.
func appendCalls(t *testing.T, w *world, company string, n int) []bus.Delivery {
	t.Helper()
	var ds []bus.Delivery
	for i := range n {
		ds = append(ds, auditEvent(t, company, "user-"+company, getLocation, map[string]string{"id": fmt.Sprintf("loc-%d", i)}, t0.Add(time.Duration(i)*time.Second)))
	}
	w.mustApply(t, ds...)
	return ds
}

func (w *world) verify(t *testing.T, company string) domain.ChainVerdict {
	t.Helper()
	v, err := w.app.AuditRecords.VerifyChain(as(company, "auditor-1", "auditor"))
	if err != nil {
		t.Fatalf("VerifyAuditChain: %v", err)
	}
	return v
}

func (w *world) sequences(t *testing.T, company string) []int64 {
	t.Helper()
	rows, err := w.db.Super.Query(context.Background(), `select sequence from audit_records where company_id = $1 order by sequence`, company)
	if err != nil {
		t.Fatal(err)
	}
	seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

func TestAuditChainsPerTenant(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := newUUID(t), newUUID(t)
	// Interleaved tenants, and calls without one.
	for i := range 4 {
		appendCalls(t, w, a, 2)
		appendCalls(t, w, b, 1)
		w.mustApply(t, auditEvent(t, "", "", "/ariesone.company.v1.AuthService/Login", nil, t0.Add(time.Duration(i)*time.Minute)))
	}
	for _, tt := range []struct {
		company string
		n       int
	}{{a, 8}, {b, 4}, {domain.NoTenant, 4}} {
		var want []int64
		for i := range tt.n {
			want = append(want, int64(i+1))
		}
		if diff := cmp.Diff(want, w.sequences(t, tt.company)); diff != "" {
			t.Errorf("sequences of %s (-want +got):\n%s", tt.company, diff)
		}
		if got := w.verify(t, tt.company); !got.Valid || got.Checked != int64(tt.n) {
			t.Errorf("verify %s = %+v, want valid with %d checked", tt.company, got, tt.n)
		}
	}
	// The stored hashes are the domain's: recompute one by hand.
	page, err := w.app.AuditRecords.List(as(a, "auditor-1", "auditor"), app.ListAuditRecords{PageSize: 1})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("ListAuditRecords = %v, %v", page, err)
	}
	r := page.Items[0]
	if r.Sequence != 8 || len(r.Hash) != 32 || string(r.Hash) != string(r.ComputeHash()) || r.Duration != 1234*time.Microsecond {
		t.Errorf("newest record of a = %+v", r)
	}
}

func TestAuditRecordRedeliveredIsAppendedOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := newUUID(t)
	ds := appendCalls(t, w, a, 2)
	w.mustApply(t, ds[0], ds[1], ds[0])
	if diff := cmp.Diff([]int64{1, 2}, w.sequences(t, a)); diff != "" {
		t.Errorf("sequences (-want +got):\n%s", diff)
	}
}

func TestVerifyAuditChainFindsTampering(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	edited, middle, last, rehashed := newUUID(t), newUUID(t), newUUID(t), newUUID(t)
	for _, c := range []string{edited, middle, last, rehashed} {
		appendCalls(t, w, c, 6)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		tag, err := w.db.Super.Exec(context.Background(), sql, args...)
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("%s: %v, %d rows", sql, err, tag.RowsAffected())
		}
	}
	idAt := func(company string, seq int) string {
		var id string
		if err := w.db.Super.QueryRow(context.Background(), `select id::text from audit_records where company_id = $1 and sequence = $2`, company, seq).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	editedID := idAt(edited, 3)
	exec(`update audit_records set code = 'PERMISSION_DENIED' where company_id = $1 and sequence = 3`, edited)
	exec(`delete from audit_records where company_id = $1 and sequence = 4`, middle)
	exec(`delete from audit_records where company_id = $1 and sequence = 6`, last)
	// Recomputing the edited record's hash moves the break to the next link.
	exec(`update audit_records set resources = '{"id": "loc-x"}', hash = sha256(hash) where company_id = $1 and sequence = 2`, rehashed)

	tests := []struct {
		name    string
		company string
		want    domain.ChainVerdict
	}{
		{"content edited", edited, domain.ChainVerdict{Checked: 3, BrokenSequence: 3, BrokenID: editedID, Problem: domain.ProblemHashMismatch}},
		{"middle record deleted", middle, domain.ChainVerdict{Checked: 4, BrokenSequence: 4, Problem: domain.ProblemMissingRecord}},
		{"last record deleted", last, domain.ChainVerdict{Checked: 5, BrokenSequence: 6, Problem: domain.ProblemMissingRecordsAtEnd}},
		{"content edited and hash replaced", rehashed, domain.ChainVerdict{Checked: 2, BrokenSequence: 2, BrokenID: idAt(rehashed, 2), Problem: domain.ProblemHashMismatch}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, w.verify(t, tt.company)); diff != "" {
			t.Errorf("%s: verdict (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestAuditTrailIsAppendOnlyForTheRuntimeRole(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := newUUID(t)
	appendCalls(t, w, a, 2)
	for _, sql := range []string{
		`update audit_records set code = 'OK' where sequence = 1`,
		`delete from audit_records where sequence = 2`,
		`truncate audit_records`,
	} {
		err := w.db.App.WithTenantTx(context.Background(), a, func(tx pgx.Tx) error {
			_, err := tx.Exec(context.Background(), sql)
			return err
		})
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s as the runtime role: %v, want insufficient_privilege (42501)", sql, err)
		}
	}
	if got := w.verify(t, a); !got.Valid || got.Checked != 2 {
		t.Errorf("verify = %+v", got)
	}
}

func TestAuditRecordUndecodableWritesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := newUUID(t)
	bad := auditEvent(t, a, "u", getLocation, nil, t0)
	bad.Payload = []byte{0x0a, 0x05, 'a'} // request_id claims 5 bytes, has 1
	wrongType := auditEvent(t, a, "u", getLocation, nil, t0)
	wrongType.PayloadType = "ariesone.company.v1.LocationCreated"
	otherTenant := auditEvent(t, a, "u", getLocation, nil, t0)
	otherTenant.CompanyID = newUUID(t)
	for name, d := range map[string]bus.Delivery{"truncated payload": bad, "wrong payload type": wrongType, "payload of another tenant": otherTenant} {
		if err := w.apply(d); err == nil {
			t.Errorf("%s: applied without error", name)
		}
	}
	if n := w.count(t, `select count(*) from audit_records`); n != 0 {
		t.Errorf("%d audit records written", n)
	}
	if n := w.count(t, `select count(*) from audit_chain_heads`); n != 0 {
		t.Errorf("%d chain heads written", n)
	}
}

func TestAuditRecordWithoutUnitOfWork(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := newUUID(t)
	// Consume begins its own unit of work when ctx carries none.
	if err := w.consumer.Consume(context.Background(), auditEvent(t, a, "u", getLocation, map[string]string{"id": "x\x00y"}, t0)); err != nil {
		t.Fatal(err)
	}
	if err := w.consumer.Consume(context.Background(), auditEvent(t, "", "", getLocation, nil, t0)); err != nil {
		t.Fatal(err)
	}
	if got := w.verify(t, a); !got.Valid || got.Checked != 1 {
		t.Errorf("verify = %+v", got)
	}
	if n := w.count(t, `select count(*) from audit_records where company_id = $1`, domain.NoTenant); n != 1 {
		t.Errorf("%d records in the no-tenant chain, want 1", n)
	}
}
