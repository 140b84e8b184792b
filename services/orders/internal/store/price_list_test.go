package store_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
	"github.com/ariesone/ariesone/services/orders/internal/orderstest"
	"github.com/ariesone/ariesone/services/orders/internal/store"
)

// company is a caller of a fresh company and the company's id.
func company() (context.Context, string) {
	id := uuid.NewString()
	return identity.NewContext(context.Background(), identity.Principal{Subject: uuid.NewString(), CompanyID: id}), id
}

var now = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

func day(y int, m time.Month, d int) civil.Date { return civil.Date{Year: y, Month: m, Day: d} }

// createList stores a list named name of payer ("" for the default).
func createList(t *testing.T, s *store.Store, ctx context.Context, companyID, name, payer string) *domain.PriceList {
	t.Helper()
	l, err := domain.NewPriceList(uuid.NewString(), companyID, domain.PriceListValues{Name: name, PayerID: payer}, now)
	if err != nil {
		t.Fatal(err)
	}
	got, replayed, err := s.CreatePriceList(ctx, l, "", nil)
	if err != nil || replayed {
		t.Fatalf("CreatePriceList(%s) = %v, replayed %v", name, err, replayed)
	}
	return got
}

// newPrice is a price of item and code on list l from from to to, billed
// cents for a purchase.
func newPrice(t *testing.T, l *domain.PriceList, item, code string, from, to civil.Date, cents int64) *domain.Price {
	t.Helper()
	p, err := domain.NewPrice(uuid.NewString(), l.CompanyID, l.ID, domain.PriceValues{ItemID: item, HCPCS: code, From: from, To: to,
		PurchaseBillable: domain.Money{Cents: cents}, PurchaseAllowable: domain.Money{Cents: cents * 8 / 10},
		RentalBillable: domain.Money{Cents: cents / 10}, RentalAllowable: domain.Money{Cents: cents / 12}}, now)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// admitBeside is the app's admission of a new price: no overlap.
func admitBeside(p *domain.Price) func([]domain.Price) error {
	return func(others []domain.Price) error { return domain.CheckPrice(*p, others) }
}

func createPrice(t *testing.T, s *store.Store, ctx context.Context, p *domain.Price) *domain.Price {
	t.Helper()
	got, _, err := s.CreatePrice(ctx, p, "", nil, admitBeside(p))
	if err != nil {
		t.Fatalf("CreatePrice: %v", err)
	}
	return got
}

// existing is the key an ALREADY_EXISTS error names.
func existing(t *testing.T, err error) string {
	t.Helper()
	errstest.Check(t, err, false, errs.KindAlreadyExists, "")
	var e *errs.Error
	errors.As(err, &e)
	return e.Metadata["key"]
}

func TestPriceListStoreOneDefaultAndOnePerPayer(t *testing.T) {
	t.Parallel()
	_, s := orderstest.NewStore(t)
	ctx, companyID := company()
	def := createList(t, s, ctx, companyID, "Standard", "")
	payer := uuid.NewString()
	medicare := createList(t, s, ctx, companyID, "Medicare DME", payer)

	got, err := s.GetPriceList(ctx, def.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(def, got); diff != "" {
		t.Errorf("GetPriceList (-stored +read):\n%s", diff)
	}

	again, _ := domain.NewPriceList(uuid.NewString(), companyID, domain.PriceListValues{Name: "Another default"}, now)
	_, _, err = s.CreatePriceList(ctx, again, "", nil)
	if got := existing(t, err); got != def.ID {
		t.Errorf("a second default list names %q, want the default %s", got, def.ID)
	}
	again, _ = domain.NewPriceList(uuid.NewString(), companyID, domain.PriceListValues{Name: "Medicare again", PayerID: payer}, now)
	_, _, err = s.CreatePriceList(ctx, again, "", nil)
	if got := existing(t, err); got != medicare.ID {
		t.Errorf("a payer's second list names %q, want %s", got, medicare.ID)
	}
	createList(t, s, ctx, companyID, "Georgia Medicaid", uuid.NewString())

	// Another company sees none of it and has a default of its own.
	other, otherID := company()
	_, err = s.GetPriceList(other, def.ID)
	errstest.Check(t, err, false, errs.KindNotFound, "")
	if lists, err := s.ListPriceLists(other, app.PriceListQuery{Limit: 10}); err != nil || len(lists) != 0 {
		t.Errorf("another company's ListPriceLists = %v, %v", lists, err)
	}
	createList(t, s, other, otherID, "Standard", "")
	createList(t, s, other, otherID, "Medicare DME", payer)
}

func TestCreatePriceListIsIdempotent(t *testing.T) {
	t.Parallel()
	_, s := orderstest.NewStore(t)
	ctx, companyID := company()
	key, fingerprint := uuid.NewString(), []byte("fingerprint")
	l, _ := domain.NewPriceList(uuid.NewString(), companyID, domain.PriceListValues{Name: "Standard"}, now)
	first, replayed, err := s.CreatePriceList(ctx, l, key, fingerprint)
	if err != nil || replayed {
		t.Fatalf("first = %v, replayed %v", err, replayed)
	}
	retry, _ := domain.NewPriceList(uuid.NewString(), companyID, domain.PriceListValues{Name: "Standard"}, now)
	got, replayed, err := s.CreatePriceList(ctx, retry, key, fingerprint)
	if err != nil || !replayed || !cmp.Equal(first, got) {
		t.Errorf("retry = %+v, replayed %v, %v; want the first list replayed", got, replayed, err)
	}
	_, _, err = s.CreatePriceList(ctx, retry, key, []byte("another request"))
	errstest.Check(t, err, false, errs.KindInvalid, "REQUEST_ID_REUSED")
}

func TestListPriceListsDefaultFirstThenByName(t *testing.T) {
	t.Parallel()
	_, s := orderstest.NewStore(t)
	ctx, companyID := company()
	for _, name := range []string{"zeta Standard", "medicaid", "Aetna", "Medicare", "blue Cross"} {
		payer := uuid.NewString()
		if name == "zeta Standard" {
			payer = ""
		}
		createList(t, s, ctx, companyID, name, payer)
	}
	want := []string{"zeta Standard", "Aetna", "blue Cross", "medicaid", "Medicare"}
	var got []string
	var after []string
	for range 10 {
		page, err := s.ListPriceLists(ctx, app.PriceListQuery{After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range page {
			got = append(got, l.Name)
		}
		if len(page) < 2 {
			break
		}
		last := page[len(page)-1]
		after = []string{strconv.FormatBool(!last.Default()), last.Name, last.ID}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lists by page (-want +got):\n%s", diff)
	}
}

// PriceFor picks the payer's list when it has one, else the default, and
// on that list the price in force on the day: from its first day to its
// last, not the day after.
func TestPriceForAtPeriodBoundaries(t *testing.T) {
	t.Parallel()
	_, s := orderstest.NewStore(t)
	ctx, companyID := company()
	cpap, mask := uuid.NewString(), uuid.NewString()
	medicare, commercial := uuid.NewString(), uuid.NewString()
	def := createList(t, s, ctx, companyID, "Standard", "")
	payerList := createList(t, s, ctx, companyID, "Medicare DME", medicare)
	p2026 := createPrice(t, s, ctx, newPrice(t, payerList, cpap, "E0601", day(2026, 1, 1), day(2026, 6, 30), 90000))
	p2026b := createPrice(t, s, ctx, newPrice(t, payerList, cpap, "E0601", day(2026, 8, 1), civil.Date{}, 95000))
	std := createPrice(t, s, ctx, newPrice(t, def, cpap, "E0601", day(2025, 1, 1), civil.Date{}, 120000))
	stdMask := createPrice(t, s, ctx, newPrice(t, def, mask, "A7034", day(2026, 1, 1), day(2026, 1, 31), 15000))

	tests := []struct {
		name          string
		payer, item   string
		code          string
		on            civil.Date
		wantList      string
		wantPrice     string // "" for none found
		wantBillCents int64
	}{
		{"the payer's list on its first day", medicare, cpap, "E0601", day(2026, 1, 1), payerList.ID, p2026.ID, 90000},
		{"the payer's list on its last day", medicare, cpap, "E0601", day(2026, 6, 30), payerList.ID, p2026.ID, 90000},
		{"the day after the end: a gap, not the default's", medicare, cpap, "E0601", day(2026, 7, 1), payerList.ID, "", 0},
		{"the day before the first: none", medicare, cpap, "E0601", day(2025, 12, 31), payerList.ID, "", 0},
		{"an open period runs on", medicare, cpap, "E0601", day(2031, 2, 28), payerList.ID, p2026b.ID, 95000},
		{"another code of the item: none", medicare, cpap, "E0562", day(2026, 3, 1), payerList.ID, "", 0},
		{"a payer without a list falls back to the default", commercial, cpap, "E0601", day(2026, 3, 1), def.ID, std.ID, 120000},
		{"no payer is the default", "", cpap, "E0601", day(2026, 3, 1), def.ID, std.ID, 120000},
		{"the default on its last day", commercial, mask, "A7034", day(2026, 1, 31), def.ID, stdMask.ID, 15000},
		{"the default the day after", commercial, mask, "A7034", day(2026, 2, 1), def.ID, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listID, p, found, err := s.PriceFor(ctx, tt.payer, tt.item, tt.code, tt.on)
			if err != nil {
				t.Fatal(err)
			}
			if listID != tt.wantList || found != (tt.wantPrice != "") || p.ID != tt.wantPrice || p.PurchaseBillable.Cents != tt.wantBillCents {
				t.Errorf("PriceFor = list %s, price %q (%d cents), found %v; want list %s, price %q (%d cents)",
					listID, p.ID, p.PurchaseBillable.Cents, found, tt.wantList, tt.wantPrice, tt.wantBillCents)
			}
			if found && (p.PurchaseBillable.Currency != "USD" || p.ListID != listID) {
				t.Errorf("PriceFor's price = %+v", p)
			}
		})
	}

	// A company without lists prices nothing, from no list.
	other, _ := company()
	listID, _, found, err := s.PriceFor(other, medicare, cpap, "E0601", day(2026, 3, 1))
	if err != nil || listID != "" || found {
		t.Errorf("PriceFor without lists = %q, %v, %v; want no list", listID, found, err)
	}
}

// TestConcurrentOverlappingCreatePrice: prices of one item added to one
// list at once take turns on the list's row lock, so of several
// overlapping periods exactly one is stored.
func TestConcurrentOverlappingCreatePrice(t *testing.T) {
	t.Parallel()
	db, s := orderstest.NewStore(t)
	ctx, companyID := company()
	l := createList(t, s, ctx, companyID, "Standard", "")
	item := uuid.NewString()
	// Open every connection of the pool first, so that the creates start
	// together rather than one by one as connections come up.
	var conns []*pgxpool.Conn
	for range db.AppPool.Config().MaxConns {
		c, err := db.AppPool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Release()
	}
	const n = 8
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		results = make([]error, n)
	)
	for i := range n {
		// Periods of different starts and ends, every one sharing March 2026.
		p := newPrice(t, l, item, "E0601", day(2026, 3, 1).AddDays(-i), day(2026, 3, 31).AddDays(i), 1000+int64(i))
		wg.Go(func() {
			<-start
			_, _, results[i] = s.CreatePrice(ctx, p, "", nil, func(others []domain.Price) error {
				// Hold the check open long enough for the others to
				// reach theirs: without the lock they would all read
				// an empty list and pass.
				time.Sleep(20 * time.Millisecond)
				return domain.CheckPrice(*p, others)
			})
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range results {
		switch {
		case err == nil:
			won++
		case errs.KindOf(err) == errs.KindFailedPrecondition:
			errstest.Check(t, err, false, errs.KindFailedPrecondition, domain.ReasonPricePeriodOverlap)
		default:
			t.Errorf("create %d: %v", i, err)
		}
	}
	stored, err := s.ListPrices(ctx, app.PriceQuery{ListID: l.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if won != 1 || len(stored) != 1 {
		t.Errorf("%d creates won, %d prices stored; want exactly one", won, len(stored))
	}
}

func TestCreatePriceNeedsTheCompanysList(t *testing.T) {
	t.Parallel()
	_, s := orderstest.NewStore(t)
	ctx, companyID := company()
	l := createList(t, s, ctx, companyID, "Standard", "")
	p := createPrice(t, s, ctx, newPrice(t, l, uuid.NewString(), "E0601", day(2026, 1, 1), civil.Date{}, 1000))

	other, otherID := company()
	stray := newPrice(t, l, uuid.NewString(), "E0601", day(2026, 1, 1), civil.Date{}, 1000)
	stray.CompanyID = otherID
	_, _, err := s.CreatePrice(other, stray, "", nil, admitBeside(stray))
	errstest.Check(t, err, false, errs.KindNotFound, "")
	if got, err := s.ListPrices(other, app.PriceQuery{ListID: l.ID, Limit: 10}); err != nil || len(got) != 0 {
		t.Errorf("another company's ListPrices = %v, %v", got, err)
	}
	_, err = s.UpdatePrice(other, l.ID, p.ID, func(*domain.Price, []domain.Price) error { return nil })
	errstest.Check(t, err, false, errs.KindNotFound, "")
	missing := newPrice(t, &domain.PriceList{ID: uuid.NewString(), CompanyID: companyID}, uuid.NewString(), "E0601", day(2026, 1, 1), civil.Date{}, 1)
	_, _, err = s.CreatePrice(ctx, missing, "", nil, admitBeside(missing))
	errstest.Check(t, err, false, errs.KindNotFound, "")
}

func TestCreatePriceIsIdempotent(t *testing.T) {
	t.Parallel()
	_, s := orderstest.NewStore(t)
	ctx, companyID := company()
	l := createList(t, s, ctx, companyID, "Standard", "")
	item, key := uuid.NewString(), uuid.NewString()
	p := newPrice(t, l, item, "E0601", day(2026, 1, 1), civil.Date{}, 1000)
	first, replayed, err := s.CreatePrice(ctx, p, key, []byte("f"), admitBeside(p))
	if err != nil || replayed {
		t.Fatalf("first = %v, replayed %v", err, replayed)
	}
	// The retry would overlap the first if it were a new price: it is not.
	retry := newPrice(t, l, item, "E0601", day(2026, 1, 1), civil.Date{}, 1000)
	got, replayed, err := s.CreatePrice(ctx, retry, key, []byte("f"), admitBeside(retry))
	if err != nil || !replayed || !cmp.Equal(first, got) {
		t.Errorf("retry = %+v, replayed %v, %v; want the first price replayed", got, replayed, err)
	}
}

func TestUpdatePriceEndsUnderTheListLock(t *testing.T) {
	t.Parallel()
	_, s := orderstest.NewStore(t)
	ctx, companyID := company()
	l := createList(t, s, ctx, companyID, "Standard", "")
	item := uuid.NewString()
	open := createPrice(t, s, ctx, newPrice(t, l, item, "E0601", day(2026, 1, 1), civil.Date{}, 1000))
	later := now.Add(time.Hour)

	var seen []string
	ended, err := s.UpdatePrice(ctx, l.ID, open.ID, func(p *domain.Price, others []domain.Price) error {
		for _, o := range others {
			seen = append(seen, o.ID)
		}
		return p.End(day(2026, 6, 30), others, later)
	})
	if err != nil {
		t.Fatal(err)
	}
	if ended.Version != 2 || ended.To != day(2026, 6, 30) || !ended.UpdateTime.Equal(later) {
		t.Errorf("ended = %+v", ended)
	}
	if diff := cmp.Diff([]string{open.ID}, seen); diff != "" {
		t.Errorf("fn saw others (-want +got):\n%s", diff)
	}
	read, err := s.ListPrices(ctx, app.PriceQuery{ListID: l.ID, Limit: 10})
	if err != nil || len(read) != 1 || !cmp.Equal(ended, read[0]) {
		t.Errorf("read back %+v, %v; want %+v", read, err, ended)
	}

	// A refused change writes nothing.
	next := createPrice(t, s, ctx, newPrice(t, l, item, "E0601", day(2026, 7, 1), civil.Date{}, 1100))
	_, err = s.UpdatePrice(ctx, l.ID, ended.ID, func(p *domain.Price, others []domain.Price) error {
		return p.End(day(2026, 7, 1), others, later)
	})
	errstest.Check(t, err, false, errs.KindFailedPrecondition, domain.ReasonPricePeriodOverlap)
	read, _ = s.ListPrices(ctx, app.PriceQuery{ListID: l.ID, Limit: 10})
	if len(read) != 2 || read[0].Version != 2 || read[0].To != day(2026, 6, 30) || read[1].ID != next.ID {
		t.Errorf("after a refused end: %+v", read)
	}
	// A price is found only on its own list.
	otherList := createList(t, s, ctx, companyID, "Medicare", uuid.NewString())
	_, err = s.UpdatePrice(ctx, otherList.ID, open.ID, func(*domain.Price, []domain.Price) error { return nil })
	errstest.Check(t, err, false, errs.KindNotFound, "")
}

func TestListPricesFiltersAndPages(t *testing.T) {
	t.Parallel()
	_, s := orderstest.NewStore(t)
	ctx, companyID := company()
	l := createList(t, s, ctx, companyID, "Standard", "")
	other := createList(t, s, ctx, companyID, "Medicare", uuid.NewString())
	itemA, itemB := "00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"
	a1 := createPrice(t, s, ctx, newPrice(t, l, itemA, "E0601", day(2025, 1, 1), day(2025, 12, 31), 1))
	a2 := createPrice(t, s, ctx, newPrice(t, l, itemA, "E0601", day(2026, 1, 1), civil.Date{}, 2))
	a3 := createPrice(t, s, ctx, newPrice(t, l, itemA, "A7030", day(2026, 1, 1), day(2026, 1, 31), 3))
	b1 := createPrice(t, s, ctx, newPrice(t, l, itemB, "E0562", day(2026, 2, 1), civil.Date{}, 4))
	createPrice(t, s, ctx, newPrice(t, other, itemA, "E0601", day(2026, 1, 1), civil.Date{}, 5))

	ids := func(ps []*domain.Price) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	tests := []struct {
		name string
		q    app.PriceQuery
		want []string
	}{
		{"all, by item, code and start", app.PriceQuery{}, []string{a3.ID, a1.ID, a2.ID, b1.ID}},
		{"one item", app.PriceQuery{ItemID: itemB}, []string{b1.ID}},
		{"in force on a day", app.PriceQuery{InForceOn: day(2026, 1, 31)}, []string{a3.ID, a2.ID}},
		{"in force on the day after", app.PriceQuery{InForceOn: day(2026, 2, 1)}, []string{a2.ID, b1.ID}},
		{"one item in force", app.PriceQuery{ItemID: itemA, InForceOn: day(2025, 6, 1)}, []string{a1.ID}},
		{"after a key", app.PriceQuery{After: []string{itemA, "E0601", "2025-01-01"}}, []string{a2.ID, b1.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.ListID, tt.q.Limit = l.ID, 10
			got, err := s.ListPrices(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("ListPrices (-want +got):\n%s", diff)
			}
		})
	}
}
