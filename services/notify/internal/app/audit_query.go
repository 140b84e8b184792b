package app

import (
	"context"
	"strconv"
	"time"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// AuditRepository reads the hash-chained audit trail (the event consumer
// appends to it: AuditTrail).
type AuditRepository interface {
	ListAuditRecords(ctx context.Context, q domain.AuditQuery, after *domain.AuditPosition, limit int) ([]*domain.AuditRecord, error)
	AuditChainRecords(ctx context.Context, afterSequence int64, limit int) ([]*domain.AuditRecord, error)
	AuditChainHead(ctx context.Context, companyID string) (domain.ChainHead, error)
}

// AuditRecords are the audit trail's queries.
type AuditRecords struct{ n *notifier }

// ListAuditRecords pages through the caller's trail, newest first.
type ListAuditRecords struct {
	PageSize  int32
	PageToken string
	Filter    domain.AuditQuery
}

// AuditRecordPage is one page of the trail.
type AuditRecordPage = usecase.Page[*domain.AuditRecord]

// List returns one page. The page token is bound to the caller's tenant
// and the filters: reusing it with other filters is an invalid pageToken.
func (h AuditRecords) List(ctx context.Context, q ListAuditRecords) (AuditRecordPage, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return AuditRecordPage{}, err
	}
	f := q.Filter
	if !f.Start.IsZero() && !f.End.IsZero() && !f.Start.Before(f.End) {
		return AuditRecordPage{}, errs.Invalid(errs.FieldViolation{Field: "endTime", Description: "must be after startTime"})
	}
	scope := []string{"ListAuditRecords", p.CompanyID, f.ActorID, f.ResourceID, f.Method, scopeTime(f.Start), scopeTime(f.End)}
	records, next, err := usecase.CompositeKeysetPage(h.n.Pages, q.PageSize, q.PageToken, scope, 2, validAuditKey,
		func(after []string, limit int) ([]*domain.AuditRecord, error) {
			var pos *domain.AuditPosition
			if after != nil {
				t, _ := time.Parse(time.RFC3339Nano, after[0])
				seq, _ := strconv.ParseInt(after[1], 10, 64)
				pos = &domain.AuditPosition{CallTime: t, Sequence: seq}
			}
			return h.n.Store.ListAuditRecords(ctx, f, pos, limit)
		},
		func(r *domain.AuditRecord) []string {
			return []string{r.CallTime.UTC().Format(time.RFC3339Nano), strconv.FormatInt(r.Sequence, 10)}
		})
	return AuditRecordPage{Items: records, NextPageToken: next}, err
}

// scopeTime spells a filter bound for a page token's scope.
func scopeTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// validAuditKey accepts a ListAuditRecords cursor: the call time and the
// chain sequence (from 1) of the previous page's last record. The listing
// is newest first by call time across the tenant's chain, so it is a
// keyset page like any other; only VerifyChain walks by sequence alone,
// and it is a walk, not a page with a token.
func validAuditKey(keys []string) bool {
	_, err := time.Parse(time.RFC3339Nano, keys[0])
	seq, serr := strconv.ParseInt(keys[1], 10, 64)
	return err == nil && serr == nil && seq >= 1
}

// verifyPageSize is how many records VerifyChain reads at a time: the
// chain is streamed, never held in memory whole.
const verifyPageSize = 500

// VerifyChain recomputes the caller's hash chain: it walks the chain from
// the first record in sequence order, a page at a time (an internal walk,
// not a keyset page with a token), and reports the first link that does
// not hold. The head is read after the records, and records appended
// meanwhile are walked too: a record and its head commit together, so
// every record up to the head just read is visible to the next read, and
// what is still missing then is missing for good.
func (h AuditRecords) VerifyChain(ctx context.Context) (domain.ChainVerdict, error) {
	p, err := usecase.Caller(ctx)
	if err != nil {
		return domain.ChainVerdict{}, err
	}
	v := domain.NewChainVerifier()
	var headRead *domain.ChainHead
	for {
		records, err := h.n.Store.AuditChainRecords(ctx, v.LastSequence(), verifyPageSize)
		if err != nil {
			return domain.ChainVerdict{}, err
		}
		for _, r := range records {
			if !v.Check(r) {
				return v.Finish(domain.ChainHead{}), nil
			}
		}
		switch {
		case len(records) == verifyPageSize:
			headRead = nil
			continue
		case len(records) == 0 && headRead != nil:
			return v.Finish(*headRead), nil
		}
		head, err := h.n.Store.AuditChainHead(ctx, p.CompanyID)
		if err != nil {
			return domain.ChainVerdict{}, err
		}
		if head.LastSequence <= v.LastSequence() {
			return v.Finish(head), nil
		}
		headRead = &head
	}
}
