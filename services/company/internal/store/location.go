package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// locationColumns is the select list scanLocation reads.
const locationColumns = `id::text, company_id::text, code, name, type, address_line1, address_line2,
	address_city, address_state, address_postal_code, phone_e164, phone_extension, phone_kind,
	npi, time_zone, version, create_time, update_time, delete_time`

func scanLocation(row pgx.Row) (*domain.Location, error) {
	var l domain.Location
	var typ, kind string
	err := row.Scan(&l.ID, &l.CompanyID, &l.Code, &l.Name, &typ, &l.Address.Line1, &l.Address.Line2,
		&l.Address.City, &l.Address.State, &l.Address.PostalCode, &l.Phone.Number, &l.Phone.Extension, &kind,
		&l.NPI, &l.TimeZone, &l.Version, &l.CreateTime, &l.UpdateTime, &l.DeleteTime)
	if err != nil {
		return nil, err
	}
	l.Type = domain.LocationType(typ)
	l.Phone.Kind = contact.PhoneKind(kind)
	return &l, nil
}

// GetLocation returns location id of the caller's company, deleted or not.
// Another company's location is NOT_FOUND, exactly like a missing one.
func (s *Store) GetLocation(ctx context.Context, id string) (*domain.Location, error) {
	var l *domain.Location
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		var err error
		l, err = getLocation(ctx, tx, id, "")
		return err
	})
	return l, postgres.Wrap("get location", err)
}

func getLocation(ctx context.Context, tx pgx.Tx, id, lock string) (*domain.Location, error) {
	l, err := scanLocation(tx.QueryRow(ctx, `select `+locationColumns+` from locations where id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("location", id)
	}
	return l, err
}

// ListLocations returns up to limit of the caller's locations ordered by
// code, resuming after afterCode ("" for the first page): only locations of
// type typ unless it is "", and soft-deleted ones only when showDeleted.
func (s *Store) ListLocations(ctx context.Context, typ domain.LocationType, showDeleted bool, afterCode string, limit int) ([]*domain.Location, error) {
	var out []*domain.Location
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			select `+locationColumns+` from locations
			where ($1 = '' or type = $1)
			  and ($2 or delete_time is null)
			  and ($3 = '' or code > $3)
			order by code
			limit $4`, string(typ), showDeleted, afterCode, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Location, error) { return scanLocation(r) })
		return err
	})
	return out, postgres.Wrap("list locations", err)
}

// CreateLocation inserts l under the AIP-155 key requestID (with the
// request's hash). A repeated request returns the location created the
// first time, as it is now, with replayed true. A code already used by
// any location of the company, deleted ones included, is ALREADY_EXISTS.
func (s *Store) CreateLocation(ctx context.Context, l *domain.Location, requestID string, requestHash []byte) (out *domain.Location, replayed bool, err error) {
	err = s.db.WithTx(ctx, func(tx pgx.Tx) error {
		id, replay, err := postgres.CreateOnce(ctx, tx, methodCreateLocation, requestID, requestHash, func() (string, error) {
			return l.ID, insertLocation(ctx, tx, l)
		})
		if err != nil {
			return err
		}
		replayed = replay
		if !replay {
			out = l
			return nil
		}
		out, err = getLocation(ctx, tx, id, "")
		return err
	})
	if err != nil {
		return nil, false, postgres.Wrap("create location", err)
	}
	return out, replayed, nil
}

func insertLocation(ctx context.Context, tx pgx.Tx, l *domain.Location) error {
	_, err := tx.Exec(ctx, `
		insert into locations (id, company_id, code, name, type, address_line1, address_line2, address_city,
			address_state, address_postal_code, phone_e164, phone_extension, phone_kind, npi, time_zone,
			version, create_time, update_time, delete_time)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		l.ID, l.CompanyID, l.Code, l.Name, string(l.Type), l.Address.Line1, l.Address.Line2, l.Address.City,
		l.Address.State, l.Address.PostalCode, l.Phone.Number, l.Phone.Extension, string(l.Phone.Kind), l.NPI, l.TimeZone,
		l.Version, l.CreateTime, l.UpdateTime, l.DeleteTime)
	return classify(err, l.Code)
}

// UpdateLocation loads location id for update, lets fn change it (fields,
// delete, undelete), and saves it with its version advanced by one.
// Nothing is written when fn returns an error.
func (s *Store) UpdateLocation(ctx context.Context, id string, fn func(*domain.Location) error) (*domain.Location, error) {
	var l *domain.Location
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		if l, err = getLocation(ctx, tx, id, " for update"); err != nil {
			return err
		}
		if err := fn(l); err != nil {
			return err
		}
		l.Version++
		_, err = tx.Exec(ctx, `
			update locations set
				code = $2, name = $3, type = $4, address_line1 = $5, address_line2 = $6, address_city = $7,
				address_state = $8, address_postal_code = $9, phone_e164 = $10, phone_extension = $11,
				phone_kind = $12, npi = $13, time_zone = $14, version = $15, update_time = $16, delete_time = $17
			where id = $1`,
			l.ID, l.Code, l.Name, string(l.Type), l.Address.Line1, l.Address.Line2, l.Address.City,
			l.Address.State, l.Address.PostalCode, l.Phone.Number, l.Phone.Extension,
			string(l.Phone.Kind), l.NPI, l.TimeZone, l.Version, l.UpdateTime, l.DeleteTime)
		return classify(err, l.Code)
	})
	if err != nil {
		return nil, postgres.Wrap("update location", err)
	}
	return l, nil
}
