package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// priceForSQL finds, in one statement, the list an order is priced from
// (the payer's, else the default: the payer's sorts first) and the price
// of the item and code in force on the day on that list, read from the
// prices_in_force index (newest start on or before the day).
const priceForSQL = `
select l.id::text, p.id::text, p.item_id::text, p.hcpcs,
       p.purchase_billable_cents, p.purchase_allowable_cents, p.rental_billable_cents, p.rental_allowable_cents,
       p.effective_from, p.effective_to
  from price_lists l
  left join lateral (
        select * from prices p
         where p.company_id = l.company_id and p.price_list_id = l.id
           and p.item_id = $2 and p.hcpcs = $3 and p.effective_from <= $4
         order by p.effective_from desc
         limit 1) p on p.effective_to is null or p.effective_to >= $4
 where l.company_id = current_setting('ariesone.company_id')::uuid
   and (l.payer_id is null or l.payer_id = nullif($1, '')::uuid)
 order by l.payer_id nulls last
 limit 1`

// PriceFor implements app.PriceListRepository.
func (s *Store) PriceFor(ctx context.Context, payerID, itemID, hcpcs string, day civil.Date) (string, domain.Price, bool, error) {
	type found struct {
		listID string
		price  domain.Price
		ok     bool
	}
	f, err := postgres.ReadOne(ctx, s.db, "price for", func(tx pgx.Tx) (found, error) {
		var f found
		var priceID, item, code *string
		var pb, pa, rb, ra *int64
		var from, to postgres.Date
		err := tx.QueryRow(ctx, priceForSQL, payerID, itemID, hcpcs, postgres.Date(day)).
			Scan(&f.listID, &priceID, &item, &code, &pb, &pa, &rb, &ra, &from, &to)
		if errors.Is(err, pgx.ErrNoRows) {
			return f, nil
		}
		if err != nil || priceID == nil {
			return f, err
		}
		usd := func(c *int64) domain.Money { return domain.Money{Cents: *c, Currency: "USD"} }
		f.ok = true
		f.price = domain.Price{ID: *priceID, ListID: f.listID, ItemID: *item, HCPCS: *code,
			PurchaseBillable: usd(pb), PurchaseAllowable: usd(pa), RentalBillable: usd(rb), RentalAllowable: usd(ra),
			From: civil.Date(from), To: civil.Date(to)}
		return f, nil
	})
	return f.listID, f.price, f.ok, err
}
