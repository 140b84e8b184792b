package domain_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

var auditCallTime = time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)

func auditCall(i int) domain.AuditCall {
	return domain.AuditCall{
		Service:    "company",
		Method:     "/ariesone.company.v1.LocationService/GetLocation",
		ActorID:    fmt.Sprintf("user-%d", i),
		ActorKind:  "user",
		Resources:  map[string]string{"id": fmt.Sprintf("loc-%d", i), "company_id": "c"},
		Code:       "OK",
		ClientAddr: "10.0.0.7:52144",
		RequestID:  fmt.Sprintf("req-%d", i),
		CallTime:   auditCallTime.Add(time.Duration(i) * time.Second),
		Duration:   1500*time.Microsecond + 999*time.Nanosecond,
	}
}

// chain appends n calls to a fresh chain.
func auditChain(n int) ([]*domain.AuditRecord, domain.ChainHead) {
	head := domain.NewChainHead("0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f")
	var out []*domain.AuditRecord
	for i := range n {
		var r *domain.AuditRecord
		r, head = head.Append(fmt.Sprintf("event-%d", i+1), auditCall(i), auditCallTime.Add(time.Minute))
		out = append(out, r)
	}
	return out, head
}

func verifyChain(records []*domain.AuditRecord, head domain.ChainHead) domain.ChainVerdict {
	v := domain.NewChainVerifier()
	for _, r := range records {
		if !v.Check(r) {
			break
		}
	}
	return v.Finish(head)
}

func TestAppendLinksRecords(t *testing.T) {
	records, head := auditChain(3)
	for i, r := range records {
		if r.Sequence != int64(i+1) {
			t.Errorf("record %d: sequence %d", i, r.Sequence)
		}
		want := domain.GenesisHash
		if i > 0 {
			want = records[i-1].Hash
		}
		if !bytes.Equal(r.PreviousHash, want) {
			t.Errorf("record %d: previous hash %x, want %x", i, r.PreviousHash, want)
		}
		if len(r.Hash) != domain.HashLen || bytes.Equal(r.Hash, r.PreviousHash) {
			t.Errorf("record %d: hash %x", i, r.Hash)
		}
		if r.CallTime.Nanosecond()%1000 != 0 || r.Duration%time.Microsecond != 0 {
			t.Errorf("record %d: times not truncated to microseconds: %v %v", i, r.CallTime, r.Duration)
		}
	}
	if head.LastSequence != 3 || !bytes.Equal(head.LastHash, records[2].Hash) {
		t.Errorf("head = %+v", head)
	}
	if len(domain.GenesisHash) != 32 || !bytes.Equal(domain.GenesisHash, make([]byte, 32)) {
		t.Errorf("genesis hash = %x", domain.GenesisHash)
	}
}

func TestCanonicalIsUnambiguous(t *testing.T) {
	base := func() *domain.AuditRecord {
		r, _ := domain.NewChainHead("c").Append("e", auditCall(0), auditCallTime)
		return r
	}
	tests := []struct {
		name string
		edit func(*domain.AuditRecord)
	}{
		{"boundary moved between method and actor", func(r *domain.AuditRecord) { r.Method += r.ActorID[:1]; r.ActorID = r.ActorID[1:] }},
		{"resource key and value swapped", func(r *domain.AuditRecord) { r.Resources = map[string]string{"loc-0": "id", "company_id": "c"} }},
		{"resource moved into another key", func(r *domain.AuditRecord) { r.Resources = map[string]string{"idloc-0": "", "company_id": "c"} }},
		{"resource added", func(r *domain.AuditRecord) { r.Resources["patient_id"] = "" }},
		{"sequence", func(r *domain.AuditRecord) { r.Sequence++ }},
		{"tenant", func(r *domain.AuditRecord) { r.CompanyID = "d" }},
		{"record time", func(r *domain.AuditRecord) { r.RecordTime = r.RecordTime.Add(time.Microsecond) }},
		{"duration", func(r *domain.AuditRecord) { r.Duration += time.Microsecond }},
	}
	want := base().Canonical()
	for _, tt := range tests {
		r := base()
		tt.edit(r)
		if bytes.Equal(r.Canonical(), want) {
			t.Errorf("%s: canonical encoding unchanged", tt.name)
		}
	}
	// Map order does not matter.
	a, b := base(), base()
	b.Resources = map[string]string{"company_id": "c", "id": "loc-0"}
	if !bytes.Equal(a.Canonical(), b.Canonical()) {
		t.Error("canonical encoding depends on map order")
	}
}

func TestVerifyChain(t *testing.T) {
	tests := []struct {
		name string
		// edit breaks the records or head of a 5-record chain.
		edit func(records []*domain.AuditRecord, head *domain.ChainHead) []*domain.AuditRecord
		want domain.ChainVerdict
	}{
		{name: "intact", edit: func(r []*domain.AuditRecord, _ *domain.ChainHead) []*domain.AuditRecord { return r },
			want: domain.ChainVerdict{Valid: true, Checked: 5}},
		{name: "content edited", edit: func(r []*domain.AuditRecord, _ *domain.ChainHead) []*domain.AuditRecord {
			r[2].Code = "PERMISSION_DENIED"
			return r
		}, want: domain.ChainVerdict{Checked: 3, BrokenSequence: 3, BrokenID: "event-3", Problem: domain.ProblemHashMismatch}},
		{name: "content edited and rehashed", edit: func(r []*domain.AuditRecord, _ *domain.ChainHead) []*domain.AuditRecord {
			r[2].ActorID = "someone-else"
			r[2].Hash = r[2].ComputeHash()
			return r
		}, want: domain.ChainVerdict{Checked: 4, BrokenSequence: 4, BrokenID: "event-4", Problem: domain.ProblemPreviousHashMismatch}},
		{name: "previous hash edited", edit: func(r []*domain.AuditRecord, _ *domain.ChainHead) []*domain.AuditRecord {
			r[1].PreviousHash = bytes.Repeat([]byte{1}, 32)
			return r
		}, want: domain.ChainVerdict{Checked: 2, BrokenSequence: 2, BrokenID: "event-2", Problem: domain.ProblemPreviousHashMismatch}},
		{name: "middle record removed", edit: func(r []*domain.AuditRecord, _ *domain.ChainHead) []*domain.AuditRecord {
			return append(r[:2:2], r[3:]...)
		}, want: domain.ChainVerdict{Checked: 3, BrokenSequence: 3, Problem: domain.ProblemMissingRecord}},
		{name: "first record removed", edit: func(r []*domain.AuditRecord, _ *domain.ChainHead) []*domain.AuditRecord { return r[1:] },
			want: domain.ChainVerdict{Checked: 1, BrokenSequence: 1, Problem: domain.ProblemMissingRecord}},
		{name: "last record removed", edit: func(r []*domain.AuditRecord, _ *domain.ChainHead) []*domain.AuditRecord { return r[:4] },
			want: domain.ChainVerdict{Checked: 4, BrokenSequence: 5, Problem: domain.ProblemMissingRecordsAtEnd}},
		{name: "every record removed", edit: func(_ []*domain.AuditRecord, _ *domain.ChainHead) []*domain.AuditRecord { return nil },
			want: domain.ChainVerdict{BrokenSequence: 1, Problem: domain.ProblemMissingRecordsAtEnd}},
		{name: "last record replaced consistently", edit: func(r []*domain.AuditRecord, _ *domain.ChainHead) []*domain.AuditRecord {
			r[4].Method = "/forged"
			r[4].Hash = r[4].ComputeHash()
			return r
		}, want: domain.ChainVerdict{Checked: 5, BrokenSequence: 5, BrokenID: "event-5", Problem: domain.ProblemHashMismatch}},
		{name: "record beyond the head", edit: func(r []*domain.AuditRecord, h *domain.ChainHead) []*domain.AuditRecord {
			*h = domain.ChainHead{CompanyID: h.CompanyID, LastSequence: 4, LastHash: r[3].Hash}
			return r
		}, want: domain.ChainVerdict{Checked: 5, BrokenSequence: 5, Problem: domain.ProblemPreviousHashMismatch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records, head := auditChain(5)
			records = tt.edit(records, &head)
			if diff := cmp.Diff(tt.want, verifyChain(records, head)); diff != "" {
				t.Errorf("verdict (-want +got):\n%s", diff)
			}
		})
	}
	if got := verifyChain(nil, domain.NewChainHead("c")); !got.Valid || got.Checked != 0 {
		t.Errorf("empty chain: %+v", got)
	}
}

// FuzzEditDetected edits one byte of one field of one record of a chain and
// checks that verification reports that record: with "hash mismatch" for
// its content, and as out of place for its sequence number.
func FuzzEditDetected(f *testing.F) {
	f.Add(uint8(0), uint8(0), uint16(0), byte(1))
	f.Add(uint8(2), uint8(5), uint16(3), byte(0xff))
	f.Add(uint8(4), uint8(13), uint16(7), byte('x'))
	f.Add(uint8(1), uint8(2), uint16(0), byte(0x80))
	f.Add(uint8(3), uint8(14), uint16(2), byte(4))
	f.Fuzz(func(t *testing.T, recordIdx, field uint8, pos uint16, xor byte) {
		if xor == 0 {
			xor = 1
		}
		records, head := auditChain(5)
		r := records[int(recordIdx)%len(records)]
		seq, f := r.Sequence, int(field)%editableAuditFields
		editAuditRecordByte(r, f, int(pos), xor)
		got := verifyChain(records, head)
		if got.Valid || got.BrokenSequence != seq {
			t.Fatalf("edit of field %d of record %d: verdict %+v", f, seq, got)
		}
		if f != auditSequenceField && got.Problem != domain.ProblemHashMismatch {
			t.Fatalf("edit of field %d of record %d: problem %q, want %q", f, seq, got.Problem, domain.ProblemHashMismatch)
		}
	})
}

// editableAuditFields counts the fields editAuditRecordByte edits; the sequence is one
// of them.
const (
	editableAuditFields = 15
	auditSequenceField  = 2
)

// editAuditRecordByte flips bits of one byte of one content field of r (a string's
// byte, or a byte of an integer's big-endian form). The field's value always
// changes.
func editAuditRecordByte(r *domain.AuditRecord, field, pos int, xor byte) {
	flip := func(s string) string {
		if s == "" {
			return string([]byte{xor})
		}
		b := []byte(s)
		b[pos%len(b)] ^= xor
		return string(b)
	}
	flipInt := func(v int64) int64 { return v ^ int64(xor)<<(8*(pos%8)) }
	switch field {
	case 0:
		r.ID = flip(r.ID)
	case 1:
		r.CompanyID = flip(r.CompanyID)
	case auditSequenceField:
		r.Sequence = flipInt(r.Sequence)
	case 3:
		r.Service = flip(r.Service)
	case 4:
		r.Method = flip(r.Method)
	case 5:
		r.ActorID = flip(r.ActorID)
	case 6:
		r.ActorKind = flip(r.ActorKind)
	case 7:
		r.Resources["id"] = flip(r.Resources["id"])
	case 8:
		v := r.Resources["company_id"]
		delete(r.Resources, "company_id")
		r.Resources[flip("company_id")] = v
	case 9:
		r.Code = flip(r.Code)
	case 10:
		r.ClientAddr = flip(r.ClientAddr)
	case 11:
		r.RequestID = flip(r.RequestID)
	case 12:
		r.CallTime = time.UnixMicro(flipInt(r.CallTime.UnixMicro())).UTC()
	case 13:
		// A Duration holds about 2^53 microseconds: edit the bytes it can
		// represent.
		us := r.Duration.Microseconds() ^ int64(xor)<<(8*(pos%6))
		r.Duration = time.Duration(us) * time.Microsecond
	case 14:
		r.RecordTime = time.UnixMicro(flipInt(r.RecordTime.UnixMicro())).UTC()
	}
}
