package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	auditv1 "github.com/ariesone/ariesone/gen/go/ariesone/audit/v1"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// auditRecordedName is the payload type of every audit record event.
var auditRecordedName = string(proto.MessageName(&auditv1.AuditRecorded{}))

// appendAuditRecord appends the call an audit record event carries to its
// tenant's chain. Nothing is written when the payload is not an
// AuditRecorded, does not decode, or names another tenant than its
// envelope: the delivery fails and is dead-lettered for an operator,
// rather than a record landing in the wrong chain.
func (c *EventConsumer) appendAuditRecord(ctx context.Context, e domain.Event) error {
	if e.PayloadType != auditRecordedName {
		return fmt.Errorf("audit record event %s: payload type %q, want %s", e.ID, e.PayloadType, auditRecordedName)
	}
	var rec auditv1.AuditRecorded
	if err := proto.Unmarshal(e.Payload, &rec); err != nil {
		return fmt.Errorf("audit record event %s: decoding payload: %w", e.ID, err)
	}
	if rec.GetCompanyId() != "" && rec.GetCompanyId() != e.CompanyID {
		return fmt.Errorf("audit record event %s: payload tenant %q differs from the envelope's %q", e.ID, rec.GetCompanyId(), e.CompanyID)
	}
	chain := e.CompanyID
	if chain == "" {
		chain = domain.NoTenant
	}
	call := auditCall(&rec, e.Source)
	now := c.now()
	return c.Tenants.InTenant(ctx, chain, func(ctx context.Context) error {
		_, err := c.Audit.AppendAuditRecord(ctx, chain, e.ID, func(h domain.ChainHead) (*domain.AuditRecord, domain.ChainHead) {
			return h.Append(e.ID, call, now)
		})
		return err
	})
}

// auditCall converts the payload. Text is made storable: Postgres text and
// jsonb cannot hold a NUL character, and a caller must not be able to keep
// its call out of the trail by putting one in an id, so NUL becomes U+FFFD
// before the record is hashed and stored.
func auditCall(rec *auditv1.AuditRecorded, source string) domain.AuditCall {
	service := rec.GetService()
	if service == "" {
		service = source
	}
	resources := make(map[string]string, len(rec.GetResources()))
	for k, v := range rec.GetResources() {
		resources[storable(k)] = storable(v)
	}
	var callTime time.Time
	if rec.GetCallTime() != nil {
		callTime = rec.GetCallTime().AsTime()
	}
	return domain.AuditCall{
		Service:    storable(service),
		Method:     storable(rec.GetMethod()),
		ActorID:    storable(rec.GetActorId()),
		ActorKind:  storable(rec.GetActorKind()),
		Resources:  resources,
		Code:       storable(rec.GetCode()),
		ClientAddr: storable(rec.GetClientAddr()),
		RequestID:  storable(rec.GetRequestId()),
		CallTime:   callTime,
		Duration:   rec.GetDuration().AsDuration(),
	}
}

func storable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
