package app

import (
	"context"
	"strconv"

	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// StockRepository reads stock levels and counts units.
type StockRepository interface {
	ListStock(ctx context.Context, q StockQuery) ([]*StockLevel, error)
	CountUnits(ctx context.Context, warehouseID string) ([]UnitCount, error)
}

// Stock are the stock queries.
type Stock struct{ s *serials }

// ListStock pages through stock levels.
type ListStock struct {
	PageSize            int32
	PageToken           string
	WarehouseID, ItemID string
	LowOnly             bool
}

// StockPage is one page of stock levels.
type StockPage = usecase.Page[*StockLevel]

// List returns one page, ordered by warehouse and item.
func (h Stock) List(ctx context.Context, q ListStock) (StockPage, error) {
	caller, err := usecase.Caller(ctx)
	if err != nil {
		return StockPage{}, err
	}
	if err := usecase.InvalidFields(
		usecase.FieldCheck{Field: "warehouseId", Err: optionalID(q.WarehouseID)},
		usecase.FieldCheck{Field: "itemId", Err: optionalID(q.ItemID)}); err != nil {
		return StockPage{}, err
	}
	query := StockQuery{WarehouseID: q.WarehouseID, ItemID: q.ItemID, LowOnly: q.LowOnly}
	scope := []string{"ListStock", caller.CompanyID, q.WarehouseID, q.ItemID, strconv.FormatBool(q.LowOnly)}
	found, next, err := usecase.CompositeKeysetPage(h.s.Pages, q.PageSize, q.PageToken, scope, 2,
		func(keys []string) bool {
			return usecase.CheckID("", keys[0]) == nil && usecase.CheckID("", keys[1]) == nil
		},
		func(after []string, limit int) ([]*StockLevel, error) {
			query.After, query.Limit = after, limit
			return h.s.Store.ListStock(ctx, query)
		},
		func(l *StockLevel) []string { return []string{l.WarehouseID, l.ItemID} })
	return StockPage{Items: found, NextPageToken: next}, err
}

// ItemSummary is the fleet's figures for one item.
type ItemSummary struct {
	ItemID string
	Counts map[domain.UnitStatus]int32
	// Active counts the units in service: neither sold, lost nor junked.
	Active int32
	// Utilisation is rented / active; 0 when none is active.
	Utilisation float64
}

// Summarize counts the company's units by item and status, of one
// warehouse or ("") all, with each item's utilisation.
func (h Stock) Summarize(ctx context.Context, warehouseID string) ([]ItemSummary, error) {
	if _, err := usecase.Caller(ctx); err != nil {
		return nil, err
	}
	if err := usecase.InvalidFields(usecase.FieldCheck{Field: "warehouseId", Err: optionalID(warehouseID)}); err != nil {
		return nil, err
	}
	counts, err := h.s.Store.CountUnits(ctx, warehouseID)
	if err != nil {
		return nil, err
	}
	return Summarize(counts), nil
}

// Summarize folds counts (ordered by item) into one summary per item.
func Summarize(counts []UnitCount) []ItemSummary {
	var out []ItemSummary
	for _, c := range counts {
		if len(out) == 0 || out[len(out)-1].ItemID != c.ItemID {
			out = append(out, ItemSummary{ItemID: c.ItemID, Counts: map[domain.UnitStatus]int32{}})
		}
		s := &out[len(out)-1]
		s.Counts[c.Status] += c.Count
		switch c.Status {
		case domain.StatusSold, domain.StatusLost, domain.StatusJunked:
		default:
			s.Active += c.Count
		}
	}
	for i := range out {
		if out[i].Active > 0 {
			out[i].Utilisation = float64(out[i].Counts[domain.StatusRented]) / float64(out[i].Active)
		}
	}
	return out
}
