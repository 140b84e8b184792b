package app

import (
	"context"
	"log/slog"

	"google.golang.org/protobuf/proto"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/bus"
)

// CacheSubscription is what each replica hears to keep ValidateSerial's
// cache true: serials' own change events, on a private queue per
// replica, so every replica drops what a commit on any of them changed.
var CacheSubscription = bus.Subscription{Bindings: []string{"serials.#"}, Prefetch: 256, MaxBatch: 64}

// Forget drops the cached lookups a batch of serials' events made stale:
// the serial of a unit that changed, or the whole company after a recall,
// a shipment or an item change. Events it cannot read are skipped (they
// are the service's own; nothing about them is worth retrying).
func (h Units) Forget(ctx context.Context, batch []bus.Delivery) error {
	for _, d := range batch {
		var serial string
		switch d.Type {
		case EventUnitTransitioned:
			var e serialsv1.UnitTransitioned
			if proto.Unmarshal(d.Payload, &e) == nil {
				serial = e.SerialNumber
			}
		case EventUnitReceived:
			var e serialsv1.UnitReceived
			if proto.Unmarshal(d.Payload, &e) == nil {
				serial = e.SerialNumber
			}
		case EventMaintenanceRecorded:
			var e serialsv1.MaintenanceRecorded
			if proto.Unmarshal(d.Payload, &e) == nil {
				serial = e.SerialNumber
			}
		case EventUnitsRecalled, EventUnitsBatchReceived, EventItemUpdated:
			h.s.forgetCompany(ctx, d.CompanyID)
			continue
		default:
			continue
		}
		if serial == "" || d.CompanyID == "" {
			slog.WarnContext(ctx, "serial cache: an event without its serial or company", slog.String("type", d.Type), slog.String("id", d.ID))
			continue
		}
		h.s.forgetSerial(ctx, d.CompanyID, serial)
	}
	return nil
}
