package domain

import (
	"encoding/binary"
	"slices"
)

// canonicalTag starts every canonical encoding. It names the format, so
// that a later format can never produce bytes that read as this one.
const canonicalTag = "ariesone.audit.record.v1"

// Canonical returns the record's content as the bytes its hash covers. Every
// field that describes the call or places it in the chain is included; the
// two hashes are not (PreviousHash is hashed in front of these bytes, Hash
// is the result).
//
// The encoding is unambiguous, so two different records never encode alike:
//
//	tag         string  "ariesone.audit.record.v1"
//	id          string
//	company_id  string
//	sequence    int64
//	service     string
//	method      string
//	actor_id    string
//	actor_kind  string
//	resources   uint32 count, then per entry in ascending key order:
//	            string key, string value
//	code        string
//	client_addr string
//	request_id  string
//	call_time   int64   microseconds since the Unix epoch, UTC
//	duration_us int64   microseconds
//	record_time int64   microseconds since the Unix epoch, UTC
//
// where string is a uint32 byte length followed by the bytes, and every
// integer is big-endian. Lengths make field boundaries explicit ("ab"+"c"
// and "a"+"bc" differ); the sorted resources make the encoding independent
// of map order.
func (r *AuditRecord) Canonical() []byte {
	b := make([]byte, 0, 256)
	b = appendString(b, canonicalTag)
	b = appendString(b, r.ID)
	b = appendString(b, r.CompanyID)
	b = appendInt(b, r.Sequence)
	b = appendString(b, r.Service)
	b = appendString(b, r.Method)
	b = appendString(b, r.ActorID)
	b = appendString(b, r.ActorKind)
	keys := make([]string, 0, len(r.Resources))
	for k := range r.Resources {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = binary.BigEndian.AppendUint32(b, uint32(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, r.Resources[k])
	}
	b = appendString(b, r.Code)
	b = appendString(b, r.ClientAddr)
	b = appendString(b, r.RequestID)
	b = appendInt(b, r.CallTime.UnixMicro())
	b = appendInt(b, r.Duration.Microseconds())
	b = appendInt(b, r.RecordTime.UnixMicro())
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func appendInt(b []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(v))
}
