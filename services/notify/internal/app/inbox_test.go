package app_test

import (
	"context"
	"testing"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/inbox"
	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// The consumer as production runs it: a batch of several tenants' events,
// calls without a tenant among them, applied in one unit of work of the
// inbox.
func TestConsumeThroughTheInbox(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	handle := inbox.Handler(w.db.App, app.EventsConsumer, w.consumer.Consume)
	a, b := newUUID(t), newUUID(t)
	batch := []bus.Delivery{
		auditEvent(t, a, "alice", getLocation, nil, t0),
		auditEvent(t, "", "", "/ariesone.company.v1.AuthService/Login", nil, t0),
		eventOf(t, "company.location.created.v1", b, &companyv1.LocationCreated{CompanyId: b, LocationId: newUUID(t)}, t0),
		auditEvent(t, a, "alice", getLocation, nil, t0),
		eventOf(t, "company.user.created.v1", a, &companyv1.UserCreated{CompanyId: a, UserId: newUUID(t)}, t0),
	}
	counts := func() [4]int {
		return [4]int{
			w.count(t, `select count(*) from audit_records where company_id = $1`, a),
			w.count(t, `select count(*) from audit_records where company_id = $1`, domain.NoTenant),
			w.count(t, `select count(*) from events`),
			w.count(t, `select count(*) from recipients`),
		}
	}
	if err := handle(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	want := [4]int{2, 1, 2, 1}
	if got := counts(); got != want {
		t.Errorf("after the batch: %v, want %v", got, want)
	}
	// Redelivered: every effect once.
	if err := handle(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if got := counts(); got != want {
		t.Errorf("after redelivery: %v, want %v", got, want)
	}
	// A batch with a poison message applies nothing of its batch.
	bad := auditEvent(t, b, "bob", getLocation, nil, t0)
	bad.Payload = []byte{0xff}
	if err := handle(context.Background(), []bus.Delivery{auditEvent(t, a, "alice", getLocation, nil, t0), bad}); err == nil {
		t.Fatal("a batch with an undecodable audit record was applied")
	}
	if got := counts(); got != want {
		t.Errorf("after the failed batch: %v, want %v", got, want)
	}
	if v := w.verify(t, a); !v.Valid || v.Checked != 2 {
		t.Errorf("chain of a = %+v", v)
	}
}
