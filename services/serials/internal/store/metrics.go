package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

// FleetStatusCounts counts every tenant's units by status, for the
// operational gauges; it reveals counts only.
func (s *Store) FleetStatusCounts(ctx context.Context) (map[domain.UnitStatus]int64, error) {
	rows, err := s.db.Pool().Query(ctx, `select status, units from unit_status_counts()`)
	if err != nil {
		return nil, postgres.Wrap("fleet status counts", err)
	}
	out := map[domain.UnitStatus]int64{}
	var status string
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&status, &n}, func() error {
		out[domain.UnitStatus(status)] = n
		return nil
	})
	if err != nil {
		return nil, postgres.Wrap("fleet status counts", err)
	}
	return out, nil
}
