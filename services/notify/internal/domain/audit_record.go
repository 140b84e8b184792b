package domain

import (
	"crypto/sha256"
	"time"
)

// NoTenant is the tenant under which the trail chains the records of calls
// that had no authenticated tenant (refused before authentication finished,
// or public methods such as Login). They form one chain of their own, so
// probing from outside a tenant is as tamper-evident as any tenant's trail.
const NoTenant = "00000000-0000-0000-0000-000000000000"

// HashLen is the length of a chain hash (SHA-256).
const HashLen = sha256.Size

// GenesisHash is the previous hash of a chain's first record: 32 zero bytes.
var GenesisHash = make([]byte, HashLen)

// AuditCall is what a service's audit interceptor saw of one RPC: the
// content of an audit record before the trail gives it a place in a chain.
type AuditCall struct {
	// Service that handled the call, for example "company".
	Service string
	// Method is the full gRPC method.
	Method string
	// ActorID is the caller's subject; empty when authentication did not
	// finish.
	ActorID string
	// ActorKind is "user", "api_key", "service" or empty.
	ActorKind string
	// Resources maps the id fields of the request and response to their
	// values.
	Resources map[string]string
	// Code is the canonical status code name of the outcome.
	Code string
	// ClientAddr is the caller's address.
	ClientAddr string
	// RequestID correlates the record with the service's logs.
	RequestID string
	// CallTime is when the call started, at microsecond precision (the
	// database's), so that what is hashed is what is stored.
	CallTime time.Time
	// Duration is how long the call took, at microsecond precision.
	Duration time.Duration
}

// AuditRecord is one record of a tenant's trail: a call, the event that
// carried it, and its link in the tenant's hash chain.
type AuditRecord struct {
	AuditCall
	// ID is the id of the event that carried the record.
	ID string
	// CompanyID is the chain's tenant (NoTenant for calls without one).
	CompanyID string
	// Sequence is the record's position in the chain, from 1 without gaps.
	Sequence int64
	// RecordTime is when notify appended the record, at microsecond
	// precision.
	RecordTime time.Time
	// PreviousHash is the Hash of the record before (GenesisHash for the
	// first).
	PreviousHash []byte
	// Hash is SHA-256(PreviousHash || Canonical(record)).
	Hash []byte
}

// ChainHead is where a tenant's chain ends: the sequence and hash of its
// last record. The trail keeps it apart from the records, so that removing
// the last records is detectable too.
type ChainHead struct {
	CompanyID    string
	LastSequence int64
	LastHash     []byte
}

// NewChainHead is the head of a chain without records.
func NewChainHead(companyID string) ChainHead {
	return ChainHead{CompanyID: companyID, LastHash: GenesisHash}
}

// Append links call as the next record of the chain headed by h and returns
// the record and the chain's new head. Times are truncated to microseconds
// first, so the hash covers exactly what the database keeps.
func (h ChainHead) Append(id string, call AuditCall, recordTime time.Time) (*AuditRecord, ChainHead) {
	call.CallTime = call.CallTime.UTC().Truncate(time.Microsecond)
	call.Duration = call.Duration.Truncate(time.Microsecond)
	r := &AuditRecord{
		AuditCall:    call,
		ID:           id,
		CompanyID:    h.CompanyID,
		Sequence:     h.LastSequence + 1,
		RecordTime:   recordTime.UTC().Truncate(time.Microsecond),
		PreviousHash: append([]byte(nil), h.LastHash...),
	}
	r.Hash = r.ComputeHash()
	return r, ChainHead{CompanyID: h.CompanyID, LastSequence: r.Sequence, LastHash: r.Hash}
}

// AuditEntry is a call to append under the record id its service gave it.
type AuditEntry struct {
	ID   string
	Call AuditCall
}

// AppendAll links entries, in order, as the next records of the chain
// headed by h and returns them and the chain's new head.
func (h ChainHead) AppendAll(entries []AuditEntry, recordTime time.Time) ([]*AuditRecord, ChainHead) {
	records := make([]*AuditRecord, len(entries))
	for i, e := range entries {
		records[i], h = h.Append(e.ID, e.Call, recordTime)
	}
	return records, h
}

// ComputeHash returns SHA-256(PreviousHash || Canonical(r)): the hash the
// record must carry for its link to hold.
func (r *AuditRecord) ComputeHash() []byte {
	h := sha256.New()
	h.Write(r.PreviousHash)
	h.Write(r.Canonical())
	return h.Sum(nil)
}
