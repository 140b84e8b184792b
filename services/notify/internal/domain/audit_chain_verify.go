package domain

import "bytes"

// ChainProblem names what is wrong at the first broken link of a chain. The
// values are the API's wording (VerifyAuditChainResponse.problem).
type ChainProblem string

const (
	// ProblemHashMismatch: the record's hash is not the hash of its content,
	// so the content (or the hash) was changed after it was appended; at
	// the end of the chain, the last record differs from the one the head
	// recorded.
	ProblemHashMismatch ChainProblem = "hash mismatch"
	// ProblemPreviousHashMismatch: the record does not link to the record
	// before it, which was replaced, or the record was inserted out of
	// band.
	ProblemPreviousHashMismatch ChainProblem = "previous hash mismatch"
	// ProblemMissingRecord: a sequence number is absent; the record was
	// removed.
	ProblemMissingRecord ChainProblem = "missing record"
	// ProblemMissingRecordsAtEnd: the chain head is ahead of the last
	// record; the last records were removed.
	ProblemMissingRecordsAtEnd ChainProblem = "missing records at the end"
)

// ChainVerdict is the outcome of verifying a chain.
type ChainVerdict struct {
	// Valid is true when every link holds and no record is missing.
	Valid bool
	// Checked is how many records were examined.
	Checked int64
	// BrokenSequence is the sequence of the first broken link (0 when
	// valid).
	BrokenSequence int64
	// BrokenID is the id of the record there, when it exists.
	BrokenID string
	// Problem says what is wrong there.
	Problem ChainProblem
}

// ChainVerifier walks a chain's records in sequence order, one at a time,
// so a chain of any length is verified in constant memory; it stops at the
// first broken link. Feed records with Check, then call Finish with the
// chain head read after the last record.
type ChainVerifier struct {
	next    int64
	prev    []byte
	lastID  string
	verdict ChainVerdict
	broken  bool
}

// NewChainVerifier returns a verifier expecting sequence 1.
func NewChainVerifier() *ChainVerifier {
	return &ChainVerifier{next: 1, prev: GenesisHash}
}

// LastSequence is the sequence of the last record checked (0 before any).
func (v *ChainVerifier) LastSequence() int64 { return v.next - 1 }

// Broken reports whether a broken link was found; further records are
// ignored.
func (v *ChainVerifier) Broken() bool { return v.broken }

// Check examines the next record of the chain. It returns false once a
// broken link has been found.
func (v *ChainVerifier) Check(r *AuditRecord) bool {
	if v.broken {
		return false
	}
	v.verdict.Checked++
	switch {
	case r.Sequence > v.next:
		return v.fail(v.next, "", ProblemMissingRecord)
	case r.Sequence < v.next:
		// Records arrive in sequence order and sequences are unique, so
		// this record does not belong at this place in the chain.
		return v.fail(v.next, r.ID, ProblemPreviousHashMismatch)
	case !bytes.Equal(r.PreviousHash, v.prev):
		return v.fail(r.Sequence, r.ID, ProblemPreviousHashMismatch)
	case !bytes.Equal(r.Hash, r.ComputeHash()):
		return v.fail(r.Sequence, r.ID, ProblemHashMismatch)
	}
	v.next++
	v.prev = r.Hash
	v.lastID = r.ID
	return true
}

// Finish compares the records checked with the chain's head and returns
// the verdict. A chain that has no head yet (no record ever appended) has
// the zero head of NewChainHead.
func (v *ChainVerifier) Finish(head ChainHead) ChainVerdict {
	if v.broken {
		return v.verdict
	}
	last := v.LastSequence()
	switch {
	case head.LastSequence > last:
		v.fail(last+1, "", ProblemMissingRecordsAtEnd)
	case head.LastSequence < last:
		// Records past the head were never appended through the chain.
		v.fail(head.LastSequence+1, "", ProblemPreviousHashMismatch)
	case last > 0 && !bytes.Equal(head.LastHash, v.prev):
		v.fail(last, v.lastID, ProblemHashMismatch)
	default:
		v.verdict.Valid = true
	}
	return v.verdict
}

func (v *ChainVerifier) fail(seq int64, id string, p ChainProblem) bool {
	v.broken = true
	v.verdict.BrokenSequence = seq
	v.verdict.BrokenID = id
	v.verdict.Problem = p
	return false
}
