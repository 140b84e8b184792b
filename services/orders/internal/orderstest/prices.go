package orderstest

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/postgres"
)

// SeedPrices writes, behind the service's back, company's default price
// list with a price in force from 2020 for each item: purchase
// billable/allowable cents and rental monthly billable/allowable cents.
// It returns the list's id.
func (e *Env) SeedPrices(t testing.TB, company string, prices ...SeedPrice) string {
	t.Helper()
	ctx := context.Background()
	list := uuid.NewString()
	if _, err := e.DB.Super.Exec(ctx, `insert into orders.price_lists (id, company_id, name) values ($1, $2, 'Default')`,
		list, company); err != nil {
		t.Fatalf("seed price list: %v", err)
	}
	for _, p := range prices {
		if _, err := e.DB.Super.Exec(ctx, `
			insert into orders.prices (id, company_id, price_list_id, item_id, hcpcs, purchase_billable_cents,
				purchase_allowable_cents, rental_billable_cents, rental_allowable_cents, effective_from)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			uuid.NewString(), company, list, p.ItemID, p.HCPCS, p.Purchase[0], p.Purchase[1], p.Rental[0], p.Rental[1],
			postgres.Date(civil.Date{Year: 2020, Month: 1, Day: 1})); err != nil {
			t.Fatalf("seed price: %v", err)
		}
	}
	return list
}

// SeedPrice is one price SeedPrices writes.
type SeedPrice struct {
	ItemID, HCPCS    string
	Purchase, Rental [2]int64
}
