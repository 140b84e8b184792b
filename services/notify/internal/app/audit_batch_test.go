package app_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	auditv1 "github.com/ariesone/ariesone/gen/go/ariesone/audit/v1"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/inbox"
	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/app/apptest"
)

// TestAuditBatchLandsOnEachTenantsChain appends one batch holding records
// of three tenants: each tenant's chain gets exactly its records, numbered
// from 1 and verifying.
func TestAuditBatchLandsOnEachTenantsChain(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tenants := []string{newUUID(t), newUUID(t), newUUID(t)}
	var records []*auditv1.AuditRecorded
	for i := range 9 {
		records = append(records, apptest.AuditRecord(t, tenants[i%3], "user-1", getLocation, t0.Add(time.Duration(i)*time.Second)))
	}
	w.mustApply(t, apptest.AuditBatchEvent(t, "", records...))
	for _, c := range tenants {
		if got := w.sequences(t, c); len(got) != 3 || got[0] != 1 || got[2] != 3 {
			t.Errorf("chain of %s has sequences %v, want [1 2 3]", c, got)
		}
		if v := w.verify(t, c); !v.Valid || v.Checked != 3 {
			t.Errorf("verify %s = %+v, want valid with 3 checked", c, v)
		}
	}
}

// TestAuditBatchAppendsEachRecordOnce delivers a batch again (a new event
// carrying the same records, as a flush retried after a lost commit
// acknowledgement would) and then a batch half made of records already in
// the trail: nothing is appended twice and the new half is.
func TestAuditBatchAppendsEachRecordOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	company := newUUID(t)
	var first, second []*auditv1.AuditRecorded
	for i := range 4 {
		first = append(first, apptest.AuditRecord(t, company, "user-1", getLocation, t0.Add(time.Duration(i)*time.Second)))
		second = append(second, apptest.AuditRecord(t, company, "user-1", getLocation, t0.Add(time.Duration(10+i)*time.Second)))
	}
	clone := func(rs []*auditv1.AuditRecorded) []*auditv1.AuditRecorded {
		out := make([]*auditv1.AuditRecorded, len(rs))
		for i, r := range rs {
			out[i] = proto.CloneOf(r)
		}
		return out
	}
	w.mustApply(t, apptest.AuditBatchEvent(t, company, clone(first)...))
	w.mustApply(t, apptest.AuditBatchEvent(t, company, clone(first)...))
	if got := w.sequences(t, company); len(got) != 4 {
		t.Fatalf("after a repeated batch the chain has %d records, want 4", len(got))
	}
	half := append(clone(first[2:]), clone(second)...)
	w.mustApply(t, apptest.AuditBatchEvent(t, company, half...))
	if got := w.sequences(t, company); len(got) != 8 || got[7] != 8 {
		t.Fatalf("after a half-new batch the chain has sequences %v, want 1..8", got)
	}
	if v := w.verify(t, company); !v.Valid || v.Checked != 8 {
		t.Errorf("verify = %+v, want valid with 8 checked", v)
	}
}

// TestAuditBatchRefusesAnotherTenantsRecord refuses, whole, a batch under a
// tenant's envelope naming another tenant, and a record whose id is not a UUID.
func TestAuditBatchRefusesAnotherTenantsRecord(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, b := newUUID(t), newUUID(t)
	mixed := apptest.AuditBatchEvent(t, a,
		apptest.AuditRecord(t, a, "user-1", getLocation, t0),
		apptest.AuditRecord(t, b, "user-1", getLocation, t0))
	if err := w.apply(mixed); err == nil {
		t.Error("a batch under tenant a holding a record of tenant b was applied")
	}
	badID := apptest.AuditRecord(t, a, "user-1", getLocation, t0)
	badID.RecordId = "not-a-uuid"
	bad := apptest.AuditBatchEvent(t, a, badID)
	if err := w.apply(bad); err == nil {
		t.Error("a record whose id is not a UUID was applied")
	}
	if got := w.sequences(t, a); len(got) != 0 {
		t.Errorf("refused batches left %d records in the chain of a", len(got))
	}
}

// TestAuditEventsOfOneDeliveryBatchAppendOnce delivers three audit events
// in one inbox batch, the records of two tenants in each and one record
// repeated across events: every record lands once, in delivery order, each
// chain verifies, and each chain is appended to once for the whole batch
// (one reading of the clock, so every record of a chain has one record
// time).
func TestAuditEventsOfOneDeliveryBatchAppendOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var ticks int
	consumer := app.NewEventConsumer(app.ConsumerDeps{
		Tenants: w.store, Audit: w.store, Events: w.store, Recipients: w.store, Rules: w.store,
		Notifications: w.store, Webhooks: w.webhooks,
		Now: func() time.Time { ticks++; return t0.Add(time.Duration(ticks) * time.Hour) },
	})
	a, b := newUUID(t), newUUID(t)
	record := func(company string, i int) *auditv1.AuditRecorded {
		return apptest.AuditRecord(t, company, "user-1", getLocation, t0.Add(time.Duration(i)*time.Second))
	}
	repeated := record(a, 0)
	events := []bus.Delivery{
		apptest.AuditBatchEvent(t, "", repeated, record(b, 1)),
		apptest.AuditBatchEvent(t, "", record(a, 2), record(b, 3), proto.CloneOf(repeated)),
		apptest.AuditBatchEvent(t, "", record(b, 4), record(a, 5)),
	}
	if err := inbox.Handler(w.db.App, app.EventsConsumer, consumer.Consume)(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	for company, wantCalls := range map[string][]int{a: {0, 2, 5}, b: {1, 3, 4}} {
		rows, err := w.db.Super.Query(context.Background(),
			`select extract(epoch from call_time - $2)::int, record_time from audit_records where company_id = $1 order by sequence`, company, t0)
		if err != nil {
			t.Fatal(err)
		}
		var calls []int
		recordTimes := map[time.Time]bool{}
		for rows.Next() {
			var call int
			var recorded time.Time
			if err := rows.Scan(&call, &recorded); err != nil {
				t.Fatal(err)
			}
			calls = append(calls, call)
			recordTimes[recorded] = true
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(calls, wantCalls) {
			t.Errorf("chain of %s holds calls %v, want %v (each once, in delivery order)", company, calls, wantCalls)
		}
		if len(recordTimes) != 1 {
			t.Errorf("chain of %s was appended to %d times in one delivery batch, want once", company, len(recordTimes))
		}
		if v := w.verify(t, company); !v.Valid || v.Checked != 3 {
			t.Errorf("verify %s = %+v, want valid with 3 checked", company, v)
		}
	}
}
