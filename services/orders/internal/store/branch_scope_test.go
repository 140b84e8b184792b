package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usecase/usecasetest"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/orderstest"
)

// TestOrdersAreBranchScoped: a transaction of a user limited to one branch
// (migration 00005) finds only that branch's orders, and only their lines,
// and cannot write an order into another branch; an unrestricted user of
// the company sees both.
func TestOrdersAreBranchScoped(t *testing.T) {
	t.Parallel()
	db, s := orderstest.NewStore(t)
	company, atl, bos := uuid.NewString(), uuid.NewString(), uuid.NewString()
	insert := func(branch string) string {
		t.Helper()
		id := uuid.NewString()
		if _, err := db.Super.Exec(context.Background(), `
			insert into orders.orders (id, company_id, patient_id, branch_id, warehouse_id, written_order_id, prescriber_id,
				order_date, diagnoses, status)
			values ($1, $2, gen_random_uuid(), $3, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), current_date, '{G4733}', 'draft')`,
			id, company, branch); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Super.Exec(context.Background(), `
			insert into orders.order_lines (id, company_id, order_id, position, item_id, serialized, hcpcs, quantity, type, diagnosis_pointers,
				billable_cents, allowable_cents)
			values (gen_random_uuid(), $2, $1, 1, gen_random_uuid(), false, 'A7030', 1, 'one_time_sale', '{1}', 5000, 4000)`,
			id, company); err != nil {
			t.Fatal(err)
		}
		return id
	}
	here, there := insert(atl), insert(bos)
	scoped := usecasetest.AsScoped(company, uuid.NewString(), []string{atl}, "intake")
	all := usecasetest.As(company, uuid.NewString(), "intake")

	if o, err := s.GetOrder(scoped, here); err != nil || len(o.Lines) != 1 {
		t.Errorf("GetOrder of the user's branch = %v, %v", o, err)
	}
	if _, err := s.GetOrder(scoped, there); !errs.Is(err, errs.KindNotFound) {
		t.Errorf("GetOrder of another branch = %v, want NOT_FOUND", err)
	}
	for _, c := range []struct {
		name string
		ctx  context.Context
		want []string
	}{{"scoped", scoped, []string{here}}, {"unrestricted", all, []string{here, there}}} {
		list, err := s.ListOrders(c.ctx, app.OrderQuery{Limit: 10})
		var ids []string
		for _, o := range list {
			ids = append(ids, o.ID)
		}
		slices.Sort(ids)
		slices.Sort(c.want)
		if err != nil || !slices.Equal(ids, c.want) {
			t.Errorf("%s ListOrders = %v, %v; want %v", c.name, ids, err, c.want)
		}
	}
	var lines int
	err := db.App.WithReadOnlyTx(scoped, func(tx pgx.Tx) error {
		return tx.QueryRow(scoped, `select count(*) from order_lines where order_id = $1`, there).Scan(&lines)
	})
	if err != nil || lines != 0 {
		t.Errorf("another branch's order lines seen by the scoped user: %d, %v", lines, err)
	}
	err = db.App.WithTx(scoped, func(tx pgx.Tx) error {
		_, err := tx.Exec(scoped, `update orders set branch_id = $1 where id = $2`, bos, here)
		return err
	})
	if !errs.Is(err, errs.KindNotFound) {
		t.Errorf("moving an order to another branch = %v, want NOT_FOUND", err)
	}
}
