// Package apptest builds the events notify's tests feed to its consumer,
// and applies them the way production does: through the platform inbox, in
// its unit of work, one delivery per batch.
package apptest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	auditv1 "github.com/ariesone/ariesone/gen/go/ariesone/audit/v1"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/inbox"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/notify/internal/app"
)

// NewID returns a UUIDv7, like the ids the mesh's services make.
func NewID(t testing.TB) string {
	t.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	return id.String()
}

// Event wraps payload in the envelope of an event of typ for company
// (empty: no tenant) that occurred at at.
func Event(t testing.TB, typ, company string, payload proto.Message, at time.Time) bus.Delivery {
	t.Helper()
	b, err := proto.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return bus.Delivery{Message: bus.Message{
		ID:          NewID(t),
		Type:        typ,
		PayloadType: string(proto.MessageName(payload)),
		CompanyID:   company,
		Source:      "company",
		OccurTime:   at,
		Payload:     b,
	}}
}

// AuditEvent is the audit record event of one call of method by actor for
// company (empty: no tenant), naming resources.
func AuditEvent(t testing.TB, company, actor, method string, resources map[string]string, at time.Time) bus.Delivery {
	t.Helper()
	return Event(t, "company.audit.recorded.v1", company, &auditv1.AuditRecorded{
		RequestId:  NewID(t),
		ActorId:    actor,
		ActorKind:  "user",
		CompanyId:  company,
		Method:     method,
		Resources:  resources,
		Code:       "OK",
		ClientAddr: "10.1.2.3:40000",
		CallTime:   timestamppb.New(at),
		Duration:   durationpb.New(1234567 * time.Nanosecond),
		Service:    "company",
	}, at)
}

// Apply applies each delivery as production does: through the inbox of
// app.EventsConsumer on db, which must be the database the consumer's
// repositories use (they join its unit of work).
func Apply(db *postgres.DB, consumer *app.EventConsumer, ds ...bus.Delivery) error {
	handle := inbox.Handler(db, app.EventsConsumer, consumer.Consume)
	for _, d := range ds {
		if err := handle(context.Background(), []bus.Delivery{d}); err != nil {
			return err
		}
	}
	return nil
}

// AuditBatchEvent is a batch event (v2) of service carrying records, under
// envelope tenant company (empty: a batch of any tenants). A record without
// a record id gets a fresh one.
func AuditBatchEvent(t testing.TB, company string, records ...*auditv1.AuditRecorded) bus.Delivery {
	t.Helper()
	for _, r := range records {
		if r.GetRecordId() == "" {
			r.RecordId = NewID(t)
		}
	}
	at := time.Now()
	return Event(t, "company.audit.recorded.v2", company, &auditv1.AuditRecordBatch{Records: records}, at)
}

// AuditRecord is one call of method by actor for company, as a batch holds
// it.
func AuditRecord(t testing.TB, company, actor, method string, at time.Time) *auditv1.AuditRecorded {
	t.Helper()
	return &auditv1.AuditRecorded{
		RecordId:   NewID(t),
		RequestId:  NewID(t),
		ActorId:    actor,
		ActorKind:  "user",
		CompanyId:  company,
		Method:     method,
		Code:       "OK",
		ClientAddr: "10.1.2.3:40000",
		CallTime:   timestamppb.New(at),
		Duration:   durationpb.New(time.Millisecond),
		Service:    "company",
	}
}
