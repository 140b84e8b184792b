package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
)

const makerRuleColumns = `company_id::text, manufacturer, serial_pattern, serial_check, version, update_time`

func scanMakerRule(row pgx.Row) (*domain.ManufacturerRule, error) {
	var r domain.ManufacturerRule
	var check string
	err := row.Scan(&r.CompanyID, &r.Manufacturer, &r.Format.Pattern, &check, &r.Version, &r.UpdateTime)
	r.Format.CheckDigit = domain.CheckDigitScheme(check)
	return &r, err
}

func getMakerRule(ctx context.Context, tx pgx.Tx, manufacturer, lock string) (*domain.ManufacturerRule, error) {
	r, err := scanMakerRule(tx.QueryRow(ctx, `select `+makerRuleColumns+` from manufacturer_serial_rules
		where manufacturer_key = $1`+lock, domain.ManufacturerKey(manufacturer)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.NotFound("manufacturer serial rule", manufacturer)
	}
	return r, err
}

// GetManufacturerRule returns the caller's rule for manufacturer
// (case-insensitive), or NOT_FOUND.
func (s *Store) GetManufacturerRule(ctx context.Context, manufacturer string) (*domain.ManufacturerRule, error) {
	return postgres.ReadOne(ctx, s.db, "get manufacturer serial rule", func(tx pgx.Tx) (*domain.ManufacturerRule, error) {
		return getMakerRule(ctx, tx, manufacturer, "")
	})
}

// ListManufacturerRules returns one page of the caller's rules by
// manufacturer key; after is the previous page's last key ("" first).
func (s *Store) ListManufacturerRules(ctx context.Context, after string, limit int) ([]*domain.ManufacturerRule, error) {
	return postgres.ReadMany(ctx, s.db, "list manufacturer serial rules", `select `+makerRuleColumns+`
		from manufacturer_serial_rules where manufacturer_key > $1 order by manufacturer_key limit $2`,
		scanMakerRule, after, limit)
}

// SetManufacturerRule creates or replaces r's manufacturer's rule under
// its row lock; check sees the current rule (nil when there is none) and
// may refuse (a stale etag). The stored rule is returned with its version.
func (s *Store) SetManufacturerRule(ctx context.Context, r *domain.ManufacturerRule, check func(current *domain.ManufacturerRule) error) (*domain.ManufacturerRule, error) {
	var out *domain.ManufacturerRule
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		current, err := getMakerRule(ctx, tx, r.Manufacturer, " for update")
		if errs.Is(err, errs.KindNotFound) {
			current, err = nil, nil
		}
		if err != nil {
			return err
		}
		if err := check(current); err != nil {
			return err
		}
		out, err = scanMakerRule(tx.QueryRow(ctx, `
			insert into manufacturer_serial_rules (company_id, manufacturer_key, manufacturer, serial_pattern, serial_check,
				version, update_time)
			values ($1, $2, $3, $4, $5, 1, $6)
			on conflict (company_id, manufacturer_key) do update set manufacturer = excluded.manufacturer,
				serial_pattern = excluded.serial_pattern, serial_check = excluded.serial_check,
				version = manufacturer_serial_rules.version + 1, update_time = excluded.update_time
			returning `+makerRuleColumns,
			r.CompanyID, domain.ManufacturerKey(r.Manufacturer), r.Manufacturer, r.Format.Pattern, string(r.Format.CheckDigit),
			r.UpdateTime))
		return err
	})
	return out, postgres.Wrap("set manufacturer serial rule", err)
}

// DeleteManufacturerRule removes manufacturer's rule under its row lock,
// once check accepts it; a missing rule is NOT_FOUND.
func (s *Store) DeleteManufacturerRule(ctx context.Context, manufacturer string, check func(current *domain.ManufacturerRule) error) (*domain.ManufacturerRule, error) {
	var out *domain.ManufacturerRule
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		current, err := getMakerRule(ctx, tx, manufacturer, " for update")
		if err != nil {
			return err
		}
		if err := check(current); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `delete from manufacturer_serial_rules where manufacturer_key = $1`, domain.ManufacturerKey(manufacturer))
		out = current
		return err
	})
	return out, postgres.Wrap("delete manufacturer serial rule", err)
}
