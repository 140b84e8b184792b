package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

var _ app.PriceListRepository = (*Store)(nil)

// Idempotency method keys of the price list creates.
const (
	methodCreatePriceList = "CreatePriceList"
	methodCreatePrice     = "CreatePrice"
)

// priceListColumns is the select list scanPriceList reads.
const priceListColumns = `id::text, company_id::text, name, coalesce(payer_id::text, ''), create_time`

func scanPriceList(row pgx.Row) (*domain.PriceList, error) {
	var l domain.PriceList
	err := row.Scan(&l.ID, &l.CompanyID, &l.Name, &l.PayerID, &l.CreateTime)
	return &l, err
}

func getPriceList(ctx context.Context, tx pgx.Tx, id string) (*domain.PriceList, error) {
	l, err := scanPriceList(tx.QueryRow(ctx, `select `+priceListColumns+` from price_lists where id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.NotFound("price list", id)
	}
	return l, err
}

// GetPriceList returns price list id of the caller's company. Another
// company's list is NOT_FOUND, exactly like a missing one.
func (s *Store) GetPriceList(ctx context.Context, id string) (*domain.PriceList, error) {
	return postgres.ReadOne(ctx, s.db, "get price list "+id, func(tx pgx.Tx) (*domain.PriceList, error) {
		return getPriceList(ctx, tx, id)
	})
}

// ListPriceLists returns up to q.Limit of the caller's price lists, the
// default first, then by name (case-insensitive) and id, after q.After.
// The cursor's name is lowered here, as the rows' are, so one reading of
// case serves both.
func (s *Store) ListPriceLists(ctx context.Context, q app.PriceListQuery) ([]*domain.PriceList, error) {
	return postgres.ReadMany(ctx, s.db, "list price lists", `
		select `+priceListColumns+` from price_lists
		where $1::boolean is null or (payer_id is not null, lower(name), id) > ($1::boolean, lower($2), $3::uuid)
		order by payer_id is not null, lower(name), id
		limit $4`,
		scanPriceList, postgres.AfterKey(q.After, 0), postgres.AfterKey(q.After, 1), postgres.AfterKey(q.After, 2), q.Limit)
}

// CreatePriceList inserts l under the AIP-155 key requestID. A repeated
// request returns the list created the first time, with replayed true.
// The company's default list, or the list of l's payer, when there is one
// already, is ALREADY_EXISTS naming it; concurrent creates of one wait
// for each other on the unique index, and the second sees the first.
func (s *Store) CreatePriceList(ctx context.Context, l *domain.PriceList, requestID string, fingerprint []byte) (*domain.PriceList, bool, error) {
	return postgres.CreateResource(ctx, s.db, methodCreatePriceList, requestID, fingerprint, l.ID, l,
		func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `
				insert into price_lists (id, company_id, name, payer_id, create_time)
				values ($1, $2, $3, nullif($4, '')::uuid, $5)
				on conflict do nothing`,
				l.ID, l.CompanyID, l.Name, l.PayerID, l.CreateTime)
			if err != nil || tag.RowsAffected() == 1 {
				return err
			}
			var existing string
			err = tx.QueryRow(ctx, `select id::text from price_lists where payer_id is not distinct from nullif($1, '')::uuid`,
				l.PayerID).Scan(&existing)
			if err != nil {
				return err
			}
			return errs.AlreadyExists("price list", existing)
		},
		func(tx pgx.Tx, id string) (*domain.PriceList, error) { return getPriceList(ctx, tx, id) })
}

// priceColumns is the select list scanPrice reads. Every amount is in the
// row's one currency (USD, the only one the schema takes).
const priceColumns = `id::text, company_id::text, price_list_id::text, item_id::text, hcpcs, currency,
	purchase_billable_cents, purchase_allowable_cents, rental_billable_cents, rental_allowable_cents,
	effective_from, effective_to, version, create_time, update_time`

func scanPrice(row pgx.Row) (*domain.Price, error) {
	var p domain.Price
	var currency string
	err := row.Scan(&p.ID, &p.CompanyID, &p.ListID, &p.ItemID, &p.HCPCS, &currency,
		&p.PurchaseBillable.Cents, &p.PurchaseAllowable.Cents, &p.RentalBillable.Cents, &p.RentalAllowable.Cents,
		(*postgres.Date)(&p.From), (*postgres.Date)(&p.To), &p.Version, &p.CreateTime, &p.UpdateTime)
	p.PurchaseBillable.Currency, p.PurchaseAllowable.Currency = currency, currency
	p.RentalBillable.Currency, p.RentalAllowable.Currency = currency, currency
	return &p, err
}

func getPrice(ctx context.Context, tx pgx.Tx, listID, id, lock string) (*domain.Price, error) {
	p, err := scanPrice(tx.QueryRow(ctx, `select `+priceColumns+` from prices where id = $1 and price_list_id = $2`+lock, id, listID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errs.NotFound("price", id)
	}
	return p, err
}

// ListPrices returns up to q.Limit prices of list q.ListID by item, code
// and start (the prices_in_force index), after q.After.
func (s *Store) ListPrices(ctx context.Context, q app.PriceQuery) ([]*domain.Price, error) {
	return postgres.ReadMany(ctx, s.db, "list prices", `
		select `+priceColumns+` from prices
		where price_list_id = $1
		  and ($2 = '' or item_id = nullif($2, '')::uuid)
		  and ($3::date is null or (effective_from <= $3::date and (effective_to is null or effective_to >= $3::date)))
		  and ($4::uuid is null or (item_id, hcpcs, effective_from) > ($4::uuid, $5, $6::date))
		order by item_id, hcpcs, effective_from
		limit $7`,
		scanPrice, q.ListID, q.ItemID, postgres.Date(q.InForceOn),
		postgres.AfterKey(q.After, 0), postgres.AfterKey(q.After, 1), postgres.AfterKey(q.After, 2), q.Limit)
}

// lockPriceList takes list id's row lock for the rest of the transaction,
// so the prices added to one list, and the ends moved on it, take turns;
// NOT_FOUND when the caller's company has no such list.
func lockPriceList(ctx context.Context, tx pgx.Tx, id string) error {
	var found bool
	err := tx.QueryRow(ctx, `select true from price_lists where id = $1 for update`, id).Scan(&found)
	if errors.Is(err, pgx.ErrNoRows) {
		return errs.NotFound("price list", id)
	}
	return err
}

// itemPrices reads the prices of list listID for item and hcpcs.
func itemPrices(ctx context.Context, tx pgx.Tx, listID, itemID, hcpcs string) ([]domain.Price, error) {
	return postgres.QueryAll(ctx, tx, `
		select `+priceColumns+` from prices
		where price_list_id = $1 and item_id = $2 and hcpcs = $3
		order by effective_from`,
		func(row pgx.Row) (domain.Price, error) {
			p, err := scanPrice(row)
			if err != nil {
				return domain.Price{}, err
			}
			return *p, nil
		}, listID, itemID, hcpcs)
}

// CreatePrice inserts p under the AIP-155 key requestID once admit accepts
// it beside the list's other prices of its item and code, read under the
// list's row lock. A repeated request returns the price created the first
// time, as it is now, with replayed true.
func (s *Store) CreatePrice(ctx context.Context, p *domain.Price, requestID string, fingerprint []byte,
	admit func(others []domain.Price) error) (*domain.Price, bool, error) {
	return postgres.CreateResource(ctx, s.db, methodCreatePrice, requestID, fingerprint, p.ID, p,
		func(tx pgx.Tx) error {
			if err := lockPriceList(ctx, tx, p.ListID); err != nil {
				return err
			}
			others, err := itemPrices(ctx, tx, p.ListID, p.ItemID, p.HCPCS)
			if err != nil {
				return err
			}
			if err := admit(others); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `
				insert into prices (id, company_id, price_list_id, item_id, hcpcs, purchase_billable_cents,
					purchase_allowable_cents, rental_billable_cents, rental_allowable_cents, effective_from,
					effective_to, version, create_time, update_time)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
				p.ID, p.CompanyID, p.ListID, p.ItemID, p.HCPCS, p.PurchaseBillable.Cents, p.PurchaseAllowable.Cents,
				p.RentalBillable.Cents, p.RentalAllowable.Cents, postgres.Date(p.From), postgres.Date(p.To),
				p.Version, p.CreateTime, p.UpdateTime)
			return err
		},
		func(tx pgx.Tx, id string) (*domain.Price, error) { return getPrice(ctx, tx, p.ListID, id, "") })
}

// lockedPrice is a price loaded for update with the other prices of its
// item and code on its list.
type lockedPrice struct {
	price  *domain.Price
	others []domain.Price
}

// UpdatePrice loads price id of list listID for update under the list's
// row lock, lets fn change it beside the list's prices of its item and
// code, and saves its end with its version advanced by one. Nothing is
// written when fn returns an error.
func (s *Store) UpdatePrice(ctx context.Context, listID, id string, fn func(p *domain.Price, others []domain.Price) error) (*domain.Price, error) {
	locked, err := postgres.UpdateResource(ctx, s.db, "update price",
		func(tx pgx.Tx) (*lockedPrice, error) {
			if err := lockPriceList(ctx, tx, listID); err != nil {
				return nil, err
			}
			p, err := getPrice(ctx, tx, listID, id, " for update")
			if err != nil {
				return nil, err
			}
			others, err := itemPrices(ctx, tx, listID, p.ItemID, p.HCPCS)
			return &lockedPrice{price: p, others: others}, err
		},
		func(l *lockedPrice) error { return fn(l.price, l.others) },
		func(l *lockedPrice) { l.price.Version++ },
		func(tx pgx.Tx, l *lockedPrice) error {
			p := l.price
			_, err := tx.Exec(ctx, `update prices set effective_to = $2, version = $3, update_time = $4 where id = $1`,
				p.ID, postgres.Date(p.To), p.Version, p.UpdateTime)
			return err
		})
	if err != nil {
		return nil, err
	}
	return locked.price, nil
}
