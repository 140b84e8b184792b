package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"

	"github.com/ariesone/ariesone/platform/cache"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/platform/usformat"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// SerialCacheName names ValidateSerial's cache in metrics and Redis keys.
const SerialCacheName = "serials"

// NewSerialCache builds ValidateSerial's two-level cache of the units a
// serial number names, keyed "<company>:<serial>"; cfg brings Redis, the
// logger and the registry (its name and codec are set here).
func NewSerialCache(cfg cache.Config[[]SerialMatch]) (*cache.Cache[[]SerialMatch], error) {
	cfg.Name = SerialCacheName
	cfg.Codec = cache.Codec[[]SerialMatch]{
		Marshal: func(v []SerialMatch) ([]byte, error) { return json.Marshal(v) },
		Unmarshal: func(b []byte) ([]SerialMatch, error) {
			var v []SerialMatch
			return v, json.Unmarshal(b, &v)
		},
	}
	return cache.New(cfg)
}

func serialKey(companyID, serial string) string { return companyID + ":" + serial }

// forgetSerial drops a serial's cached lookup once a change to it has
// committed here; the change's event drops it on every other replica.
func (s *serials) forgetSerial(ctx context.Context, companyID, serial string) {
	if err := s.Serials.Invalidate(ctx, serialKey(companyID, serial)); err != nil {
		slog.WarnContext(ctx, "serial cache: invalidation failed; entries expire on their own", slog.Any("error", err))
	}
}

// forgetCompany drops every cached lookup of a company (after a recall, a
// shipment, an item change).
func (s *serials) forgetCompany(ctx context.Context, companyID string) {
	if err := s.Serials.InvalidatePrefix(ctx, companyID+":"); err != nil {
		slog.WarnContext(ctx, "serial cache: invalidation failed; entries expire on their own", slog.Any("error", err))
	}
}

// ValidateSerial asks whether a serial may be used as intended.
type ValidateSerial struct {
	SerialNumber  string
	ItemID, HCPCS string
	Operation     domain.Operation
	WarehouseID   string
}

// Validation is ValidateSerial's verdict: the unit the serial names (nil
// when none) and every reason it may not be used.
type Validation struct {
	Serial  string
	Unit    *domain.Unit
	Reasons []domain.ValidationReason
}

// Validate answers the documented flow, cache → database → rules: the units
// the serial names come from the cache (or the database, kept in the
// cache when there are any), then the domain's rules judge the one of the
// item or HCPCS asked about on today.
func (h Units) Validate(ctx context.Context, q ValidateSerial) (Validation, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return Validation{}, err
	}
	var v errs.Violations
	serial, err := domain.NormalizeSerial(q.SerialNumber)
	v.Merge("serialNumber", err)
	v.Merge("itemId", optionalID(q.ItemID))
	v.Merge("warehouseId", optionalID(q.WarehouseID))
	hcpcs := ""
	if q.HCPCS != "" {
		var ok bool
		if hcpcs, ok = usformat.NormalizeHCPCS(q.HCPCS); !ok {
			v.Add("hcpcs", "must be an HCPCS Level II code: a letter A-V and four digits")
		}
	}
	if q.Operation == domain.TxReceive || !isKind(q.Operation) {
		v.Add("operation", "must be a unit transaction other than RECEIVE")
	}
	if err := v.Err(); err != nil {
		return Validation{}, err
	}
	load := func(ctx context.Context) ([]SerialMatch, bool, error) {
		m, err := h.s.Store.FindSerial(ctx, serial)
		return m, len(m) > 0, err
	}
	var matches []SerialMatch
	if len(caller.Locations) > 0 {
		// The cache is the company's, filled by unrestricted lookups: a
		// caller limited to some warehouses reads through row-level
		// security instead, so it neither sees another warehouse's unit
		// from the cache nor leaves its narrower answer there for others.
		matches, _, err = load(ctx)
	} else {
		matches, err = h.s.Serials.Get(ctx, serialKey(caller.CompanyID, serial), load)
	}
	if err != nil {
		return Validation{}, err
	}
	u := pick(matches, q.ItemID, hcpcs)
	out := Validation{Serial: serial, Reasons: domain.Validate(u, q.ItemID, q.WarehouseID, q.Operation, h.s.today())}
	if u != nil {
		unit := *u
		out.Unit = &unit
	}
	return out, nil
}

// pick chooses the unit a lookup is about: the one of itemID, else of
// hcpcs, else the first. A serial known only under other items is still
// picked (so the verdict says WRONG_ITEM rather than UNKNOWN_SERIAL),
// unless the caller narrowed by HCPCS and no unit carries it.
func pick(matches []SerialMatch, itemID, hcpcs string) *domain.Unit {
	for i := range matches {
		if itemID != "" && matches[i].Unit.ItemID == itemID {
			return &matches[i].Unit
		}
	}
	if hcpcs != "" {
		for i := range matches {
			if matches[i].HCPCS == hcpcs {
				return &matches[i].Unit
			}
		}
		return nil
	}
	if len(matches) > 0 {
		return &matches[0].Unit
	}
	return nil
}

func isKind(k domain.TransactionKind) bool { return slices.Contains(domain.TransactionKinds, k) }
