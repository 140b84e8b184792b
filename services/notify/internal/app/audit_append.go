package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	auditv1 "github.com/ariesone/ariesone/gen/go/ariesone/audit/v1"
	"github.com/ariesone/ariesone/platform/inbox"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// Payload types of audit events: a batch (v2) or a single record (v1,
// still read so that events published before batches are appended).
var (
	auditBatchName    = string(proto.MessageName(&auditv1.AuditRecordBatch{}))
	auditRecordedName = string(proto.MessageName(&auditv1.AuditRecorded{}))
)

// AuditTrail appends to the hash-chained audit records (the API reads them:
// AuditRepository).
type AuditTrail interface {
	// AppendAuditRecords appends to the chain of companyID, the unit of
	// work's tenant, the entries not yet in the trail (by id), linked by
	// link from the locked head: a redelivered batch appends nothing, a
	// partly new one only its new records.
	AppendAuditRecords(ctx context.Context, companyID string, entries []domain.AuditEntry,
		link func(domain.ChainHead, []domain.AuditEntry) ([]*domain.AuditRecord, domain.ChainHead)) (appended int, err error)
}

// chainBatch is the records of one batch bound for one tenant's chain.
type chainBatch struct {
	chain   string
	entries []domain.AuditEntry
}

// oldest returns the earliest call time of the batch.
func (b chainBatch) oldest() time.Time {
	var t time.Time
	for _, e := range b.entries {
		if t.IsZero() || e.Call.CallTime.Before(t) {
			t = e.Call.CallTime
		}
	}
	return t
}

// appendAuditRecords appends the calls an audit event carries to their
// tenants' chains. Applied by the inbox, the records of every audit event
// of a delivery batch are gathered (inbox.Batched) and appended once, when
// the batch ends: two round trips per tenant for the whole batch rather than
// per event, which is what lets notify drain a backlog of small batches.
// Applied directly, the event's records are appended at once. Nothing is
// written when the payload is not an audit payload, does not decode, holds a
// record without a valid id, or a record names another tenant than a
// tenant's envelope (an event without a tenant may carry records of any):
// the delivery fails and is dead-lettered for an operator, rather than a
// record landing in the wrong chain.
func (c *EventConsumer) appendAuditRecords(ctx context.Context, e domain.Event) error {
	records, err := auditRecords(e)
	if err != nil {
		return err
	}
	pending, ok := inbox.Batched(ctx, pendingAuditKey{}, func() (*byChain, func(context.Context) error) {
		p := newByChain()
		return p, func(ctx context.Context) error { return c.appendChains(ctx, p.chains()) }
	})
	if !ok {
		return c.appendChains(ctx, records.chains())
	}
	pending.merge(records)
	return nil
}

// pendingAuditKey names the records a delivery batch gathers.
type pendingAuditKey struct{}

// byChain groups audit entries by chain, each chain's in arrival order.
type byChain struct {
	groups map[string]*chainBatch
}

func newByChain() *byChain { return &byChain{groups: map[string]*chainBatch{}} }

// add appends e to chain's entries.
func (g *byChain) add(chain string, e domain.AuditEntry) {
	b, ok := g.groups[chain]
	if !ok {
		b = &chainBatch{chain: chain}
		g.groups[chain] = b
	}
	b.entries = append(b.entries, e)
}

// merge appends other's entries after g's, chain by chain.
func (g *byChain) merge(other *byChain) {
	for chain, b := range other.groups {
		for _, e := range b.entries {
			g.add(chain, e)
		}
	}
}

// chains returns the chains in a fixed order, by tenant id (see
// appendChains).
func (g *byChain) chains() []chainBatch {
	out := make([]chainBatch, 0, len(g.groups))
	for _, b := range g.groups {
		out = append(out, *b)
	}
	slices.SortFunc(out, func(a, b chainBatch) int { return strings.Compare(a.chain, b.chain) })
	return out
}

// appendChains appends each chain's entries: each tenant's records in one
// statement after one lock of its head, tenants in a fixed order (so two
// consumers appending batches of the same tenants cannot deadlock).
// Entries already in the trail, or repeated, are skipped.
func (c *EventConsumer) appendChains(ctx context.Context, batches []chainBatch) error {
	now := c.Now.Stamp()
	for _, b := range batches {
		var appended int
		err := c.Tenants.InTenant(ctx, b.chain, func(ctx context.Context) error {
			var err error
			appended, err = c.Audit.AppendAuditRecords(ctx, b.chain, b.entries,
				func(h domain.ChainHead, fresh []domain.AuditEntry) ([]*domain.AuditRecord, domain.ChainHead) {
					return h.AppendAll(fresh, now)
				})
			return err
		})
		if err != nil {
			return err
		}
		if c.Ingest != nil && appended > 0 {
			c.Ingest.Appended(appended, b.oldest(), now)
		}
	}
	return nil
}

// auditRecords decodes an audit event into its records, grouped by chain.
func auditRecords(e domain.Event) (*byChain, error) {
	var records []*auditv1.AuditRecorded
	switch e.PayloadType {
	case auditBatchName:
		var batch auditv1.AuditRecordBatch
		if err := proto.Unmarshal(e.Payload, &batch); err != nil {
			return nil, fmt.Errorf("audit event %s: decoding payload: %w", e.ID, err)
		}
		records = batch.GetRecords()
	case auditRecordedName:
		var rec auditv1.AuditRecorded
		if err := proto.Unmarshal(e.Payload, &rec); err != nil {
			return nil, fmt.Errorf("audit event %s: decoding payload: %w", e.ID, err)
		}
		rec.RecordId = e.ID // a single record is identified by its event
		records = []*auditv1.AuditRecorded{&rec}
	default:
		return nil, fmt.Errorf("audit event %s: payload type %q, want %s or %s", e.ID, e.PayloadType, auditBatchName, auditRecordedName)
	}
	grouped := newByChain()
	for i, rec := range records {
		id, err := uuid.Parse(rec.GetRecordId())
		if err != nil {
			return nil, fmt.Errorf("audit event %s: record %d: id %q is not a UUID", e.ID, i, rec.GetRecordId())
		}
		chain, err := recordChain(e, rec.GetCompanyId())
		if err != nil {
			return nil, fmt.Errorf("audit event %s: record %d: %w", e.ID, i, err)
		}
		grouped.add(chain, domain.AuditEntry{ID: id.String(), Call: auditCall(rec, e.Source)})
	}
	return grouped, nil
}

// recordChain returns the chain of a record of tenant: its own (canonical),
// or the nil UUID's for a call without one. A tenant's envelope admits only
// that tenant's records.
func recordChain(e domain.Event, tenant string) (string, error) {
	if e.CompanyID != "" && tenant != "" && tenant != e.CompanyID {
		return "", fmt.Errorf("payload tenant %q differs from the envelope's %q", tenant, e.CompanyID)
	}
	if tenant == "" {
		tenant = e.CompanyID
	}
	if tenant == "" {
		return domain.NoTenant, nil
	}
	id, err := uuid.Parse(tenant)
	if err != nil {
		return "", fmt.Errorf("tenant %q is not a UUID", tenant)
	}
	return id.String(), nil
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
