package app

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
)

// Events are usecase.Events of type "clinical.<resource>.<verb>.v1" whose
// payloads are messages of ariesone/clinical/v1/events.proto. A payload
// names resources by id and changed fields by name; it never carries a PHI
// value (no MBI, member id, name or birth date).

func timestamp(t time.Time) *timestamppb.Timestamp { return timestamppb.New(t) }

func fieldNames[F ~string](fields []F) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = string(f)
	}
	return out
}
