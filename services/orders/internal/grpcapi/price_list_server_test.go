package grpcapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/platform/page/pagetest"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
	"github.com/ariesone/ariesone/services/orders/internal/orderstest"
)

func createList(t *testing.T, e *orderstest.Env, ctx context.Context, name, payer string) *ordersv1.PriceList {
	t.Helper()
	l, err := e.PriceLists.CreatePriceList(ctx, &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{Name: name, PayerId: payer}})
	if err != nil {
		t.Fatalf("CreatePriceList(%s): %v", name, err)
	}
	return l
}

func usd(cents int64) *commonv1.Money {
	return &commonv1.Money{AmountCents: cents, CurrencyCode: "USD"}
}

func day(y, m, d int32) *date.Date { return &date.Date{Year: y, Month: m, Day: d} }

// cpapPrice is a CPAP's price from from to to (nil: no end).
func cpapPrice(item string, from, to *date.Date) *ordersv1.Price {
	return &ordersv1.Price{ItemId: item, Hcpcs: "E0601", PurchaseBillable: usd(120000), PurchaseAllowable: usd(98612),
		RentalBillable: usd(12000), RentalAllowable: usd(9861), EffectiveFrom: from, EffectiveTo: to}
}

func createPrice(t *testing.T, e *orderstest.Env, ctx context.Context, listID string, p *ordersv1.Price) *ordersv1.Price {
	t.Helper()
	got, err := e.PriceLists.CreatePrice(ctx, &ordersv1.CreatePriceRequest{PriceListId: listID, Price: p})
	if err != nil {
		t.Fatalf("CreatePrice: %v", err)
	}
	return got
}

func TestCreateAndGetPriceLists(t *testing.T) {
	t.Parallel()
	e := orderstest.New(t)
	a := e.NewTenant()
	def := createList(t, e, a.Billing, "  Standard  ", "")
	medicare := createList(t, e, a.Billing, "Medicare DME", a.Medicare)
	if _, err := uuid.Parse(def.GetId()); err != nil {
		t.Fatalf("id %q: %v", def.GetId(), err)
	}
	want := &ordersv1.PriceList{Id: def.GetId(), Name: "Standard", DefaultList: true}
	if diff := cmp.Diff(want, def, protocmp.Transform(), protocmp.IgnoreFields(&ordersv1.PriceList{}, "create_time")); diff != "" {
		t.Errorf("CreatePriceList (-want +got):\n%s", diff)
	}
	if medicare.GetDefaultList() || medicare.GetPayerId() != a.Medicare || def.GetCreateTime() == nil {
		t.Errorf("payer's list = %v", medicare)
	}
	for name, ctx := range map[string]context.Context{"billing": a.Billing, "auditor": a.Auditor} {
		got, err := e.PriceLists.GetPriceList(ctx, &ordersv1.GetPriceListRequest{Id: medicare.GetId()})
		if err != nil {
			t.Fatalf("GetPriceList as %s: %v", name, err)
		}
		if diff := cmp.Diff(medicare, got, protocmp.Transform()); diff != "" {
			t.Errorf("GetPriceList as %s (-create +get):\n%s", name, diff)
		}
	}

	if diff := cmp.Diff([]string{app.EventPriceListCreated, app.EventPriceListCreated}, e.Events.Types()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	ev := e.Events.Events()[1]
	if p, ok := ev.Payload.(*ordersv1.PriceListCreated); !ok || p.GetPriceListId() != medicare.GetId() || p.GetPayerId() != a.Medicare ||
		p.GetCompanyId() != a.CompanyID || p.GetActorId() == "" || p.GetOccurTime() == nil || ev.ResourceID != medicare.GetId() {
		t.Errorf("PriceListCreated = %v", ev)
	}

	// The get is audited naming the list.
	audited := false
	for _, r := range e.Observed.Audit.Records() {
		if strings.HasSuffix(r.Method, "/GetPriceList") && r.Resources["id"] == medicare.GetId() && r.Code == "OK" && r.CompanyID == a.CompanyID {
			audited = true
		}
	}
	if !audited {
		t.Error("no audit record names the list read")
	}

	_, err := e.PriceLists.GetPriceList(a.Intake, &ordersv1.GetPriceListRequest{Id: def.GetId()})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.PriceLists.CreatePriceList(a.Auditor, &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{Name: "X", PayerId: a.Medicaid}})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = e.PriceLists.GetPriceList(a.Billing, &ordersv1.GetPriceListRequest{Id: uuid.NewString()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
}

// TestOneDefaultListAndOnePerPayer: a second default list, or a second
// list of a payer, is ALREADY_EXISTS naming the list there is; another
// company keeps lists of its own.
func TestOneDefaultListAndOnePerPayer(t *testing.T) {
	t.Parallel()
	e := orderstest.New(t)
	a, b := e.NewTenant(), e.NewTenant()
	def := createList(t, e, a.Billing, "Standard", "")
	medicare := createList(t, e, a.Billing, "Medicare DME", a.Medicare)

	_, err := e.PriceLists.CreatePriceList(a.Billing, &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{Name: "Standard 2027"}})
	if info := grpcerrtest.WantReason(t, err, codes.AlreadyExists, "ALREADY_EXISTS"); info.GetMetadata()["key"] != def.GetId() {
		t.Errorf("a second default list names %v, want %s", info.GetMetadata(), def.GetId())
	}
	_, err = e.PriceLists.CreatePriceList(a.Billing, &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{Name: "Medicare 2027", PayerId: a.Medicare}})
	if info := grpcerrtest.WantReason(t, err, codes.AlreadyExists, "ALREADY_EXISTS"); info.GetMetadata()["key"] != medicare.GetId() {
		t.Errorf("a payer's second list names %v, want %s", info.GetMetadata(), medicare.GetId())
	}
	createList(t, e, b.Billing, "Standard", "")

	// Another company's list is not found, as a missing one is.
	_, err = e.PriceLists.GetPriceList(b.Billing, &ordersv1.GetPriceListRequest{Id: def.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	// Another company's payer is unknown.
	_, err = e.PriceLists.CreatePriceList(b.Billing, &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{Name: "Medicare", PayerId: a.Medicare}})
	grpcerrtest.WantInvalid(t, err, "priceList.payerId")
	if got := len(e.Events.Types()); got != 3 {
		t.Errorf("%d events, want the three lists created", got)
	}
}

func TestCreatePriceListRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := orderstest.New(t)
	a := e.NewTenant()
	tests := []struct {
		name   string
		req    *ordersv1.CreatePriceListRequest
		fields []string
	}{
		{"no list", &ordersv1.CreatePriceListRequest{}, []string{"priceList"}},
		{"no name", &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{}}, []string{"priceList.name"}},
		{"a name of spaces", &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{Name: "   "}}, []string{"priceList.name"}},
		{"a name of 101 characters", &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{Name: strings.Repeat("x", 101)}},
			[]string{"priceList.name"}},
		{"a tab in the name", &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{Name: "Medicare\tDME"}}, []string{"priceList.name"}},
		{"a payer id that is no UUID", &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{Name: "M", PayerId: "medicare"}},
			[]string{"priceList.payerId"}},
		{"an unknown payer", &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{Name: "M", PayerId: uuid.NewString()}},
			[]string{"priceList.payerId"}},
		{"a bad name and an unknown payer", &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{Name: " ", PayerId: uuid.NewString()}},
			[]string{"priceList.name", "priceList.payerId"}},
		{"a request id that is no UUID", &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{Name: "Standard"}, RequestId: "again"},
			[]string{"requestId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.PriceLists.CreatePriceList(a.Billing, tt.req)
			grpcerrtest.WantInvalid(t, err, tt.fields...)
		})
	}
	if got := e.Events.Types(); len(got) != 0 {
		t.Errorf("events %v; a refused create records none", got)
	}
	list, err := e.PriceLists.ListPriceLists(a.Billing, &ordersv1.ListPriceListsRequest{})
	if err != nil || len(list.GetPriceLists()) != 0 {
		t.Errorf("ListPriceLists = %v, %v; a refused create stores nothing", list, err)
	}
}

func TestCreatePriceListAndPriceAreIdempotent(t *testing.T) {
	t.Parallel()
	e := orderstest.New(t)
	a := e.NewTenant()
	req := &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{Name: "Standard"}, RequestId: uuid.NewString()}
	first, err := e.PriceLists.CreatePriceList(a.Billing, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.PriceLists.CreatePriceList(a.Billing, req)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if diff := cmp.Diff(first, again, protocmp.Transform()); diff != "" {
		t.Errorf("retry returned another list (-first +retry):\n%s", diff)
	}
	_, err = e.PriceLists.CreatePriceList(a.Billing, &ordersv1.CreatePriceListRequest{PriceList: &ordersv1.PriceList{Name: "Other"}, RequestId: req.GetRequestId()})
	grpcerrtest.WantInvalid(t, err, "requestId")

	priceReq := &ordersv1.CreatePriceRequest{PriceListId: first.GetId(), Price: cpapPrice(a.CPAP, day(2026, 1, 1), nil), RequestId: uuid.NewString()}
	price, err := e.PriceLists.CreatePrice(a.Billing, priceReq)
	if err != nil {
		t.Fatal(err)
	}
	// The retry would overlap the price if it were a new one; it is not.
	priceAgain, err := e.PriceLists.CreatePrice(a.Billing, priceReq)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if diff := cmp.Diff(price, priceAgain, protocmp.Transform()); diff != "" {
		t.Errorf("retry returned another price (-first +retry):\n%s", diff)
	}
	other := &ordersv1.CreatePriceRequest{PriceListId: first.GetId(), Price: cpapPrice(a.Mask, day(2026, 1, 1), nil), RequestId: priceReq.GetRequestId()}
	_, err = e.PriceLists.CreatePrice(a.Billing, other)
	grpcerrtest.WantInvalid(t, err, "requestId")

	if diff := cmp.Diff([]string{app.EventPriceListCreated, app.EventPriceChanged}, e.Events.Types()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestCreatePrice(t *testing.T) {
	t.Parallel()
	e := orderstest.New(t)
	a := e.NewTenant()
	l := createList(t, e, a.Billing, "Standard", "")
	in := cpapPrice(a.CPAP, day(2026, 1, 1), day(2026, 12, 31))
	in.Hcpcs = "e0601"
	in.PurchaseAllowable = nil
	in.Id, in.Etag = "ignored", "ignored"
	got := createPrice(t, e, a.Billing, l.GetId(), in)
	want := &ordersv1.Price{Id: got.GetId(), PriceListId: l.GetId(), ItemId: a.CPAP, Hcpcs: "E0601",
		PurchaseBillable: usd(120000), PurchaseAllowable: usd(0), RentalBillable: usd(12000), RentalAllowable: usd(9861),
		EffectiveFrom: day(2026, 1, 1), EffectiveTo: day(2026, 12, 31), Etag: `"1"`}
	if diff := cmp.Diff(want, got, protocmp.Transform(), protocmp.IgnoreFields(&ordersv1.Price{}, "create_time")); diff != "" {
		t.Errorf("CreatePrice (-want +got):\n%s", diff)
	}
	listed, err := e.PriceLists.ListPrices(a.Auditor, &ordersv1.ListPricesRequest{PriceListId: l.GetId()})
	if err != nil || len(listed.GetPrices()) != 1 {
		t.Fatalf("ListPrices = %v, %v", listed, err)
	}
	if diff := cmp.Diff(got, listed.GetPrices()[0], protocmp.Transform()); diff != "" {
		t.Errorf("ListPrices (-create +list):\n%s", diff)
	}
	ev := e.Events.Events()[1]
	if p, ok := ev.Payload.(*ordersv1.PriceChanged); ev.Type != app.EventPriceChanged || !ok || p.GetPriceId() != got.GetId() ||
		p.GetPriceListId() != l.GetId() || p.GetItemId() != a.CPAP || p.GetHcpcs() != "E0601" || p.GetCompanyId() != a.CompanyID ||
		!cmp.Equal(p.GetEffectiveTo(), day(2026, 12, 31), protocmp.Transform()) || p.GetActorId() == "" {
		t.Errorf("PriceChanged = %v", ev)
	}

	// The next period follows on; one sharing a day is refused naming both.
	next := createPrice(t, e, a.Billing, l.GetId(), cpapPrice(a.CPAP, day(2027, 1, 1), nil))
	_, err = e.PriceLists.CreatePrice(a.Billing, &ordersv1.CreatePriceRequest{PriceListId: l.GetId(), Price: cpapPrice(a.CPAP, day(2026, 12, 31), day(2026, 12, 31))})
	info := grpcerrtest.WantReason(t, err, codes.FailedPrecondition, domain.ReasonPricePeriodOverlap)
	if id := info.GetMetadata()["overlapping_price_id"]; id != got.GetId() || info.GetMetadata()["price_id"] == "" {
		t.Errorf("overlap names %v, want the 2026 price %s", info.GetMetadata(), got.GetId())
	}
	_, err = e.PriceLists.CreatePrice(a.Billing, &ordersv1.CreatePriceRequest{PriceListId: l.GetId(), Price: cpapPrice(a.CPAP, day(2030, 1, 1), nil)})
	info = grpcerrtest.WantReason(t, err, codes.FailedPrecondition, domain.ReasonPricePeriodOverlap)
	if id := info.GetMetadata()["overlapping_price_id"]; id != next.GetId() {
		t.Errorf("overlap names %v, want the open 2027 price %s", info.GetMetadata(), next.GetId())
	}
	// Another code of the item, or the item on another list, is no overlap.
	other := cpapPrice(a.CPAP, day(2026, 1, 1), nil)
	other.Hcpcs = "E0562"
	createPrice(t, e, a.Billing, l.GetId(), other)
	medicare := createList(t, e, a.Billing, "Medicare", a.Medicare)
	createPrice(t, e, a.Billing, medicare.GetId(), cpapPrice(a.CPAP, day(2026, 1, 1), nil))
}

func TestCreatePriceRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := orderstest.New(t)
	a, b := e.NewTenant(), e.NewTenant()
	l := createList(t, e, a.Billing, "Standard", "")
	tests := []struct {
		name   string
		edit   func(*ordersv1.CreatePriceRequest)
		fields []string
	}{
		{"a purchase over a million dollars", func(r *ordersv1.CreatePriceRequest) { r.Price.PurchaseBillable.AmountCents = 100_000_001 },
			[]string{"price.purchaseBillable.amountCents"}},
		{"a negative rental allowable", func(r *ordersv1.CreatePriceRequest) { r.Price.RentalAllowable.AmountCents = -1 },
			[]string{"price.rentalAllowable.amountCents"}},
		{"euros", func(r *ordersv1.CreatePriceRequest) { r.Price.RentalBillable.CurrencyCode = "EUR" },
			[]string{"price.rentalBillable.currencyCode"}},
		{"a currency in lower case", func(r *ordersv1.CreatePriceRequest) { r.Price.RentalBillable.CurrencyCode = "usd" },
			[]string{"price.rentalBillable.currencyCode"}},
		// An amount left out is $0; one sent names its currency.
		{"an amount without its currency", func(r *ordersv1.CreatePriceRequest) { r.Price.RentalBillable.CurrencyCode = "" },
			[]string{"price.rentalBillable.currencyCode"}},
		{"a CPT code", func(r *ordersv1.CreatePriceRequest) { r.Price.Hcpcs = "94660" }, []string{"price.hcpcs"}},
		{"no code", func(r *ordersv1.CreatePriceRequest) { r.Price.Hcpcs = "" }, []string{"price.hcpcs"}},
		{"an unknown item", func(r *ordersv1.CreatePriceRequest) { r.Price.ItemId = uuid.NewString() }, []string{"price.itemId"}},
		{"another company's item", func(r *ordersv1.CreatePriceRequest) { r.Price.ItemId = b.CPAP }, []string{"price.itemId"}},
		{"an item id that is no UUID", func(r *ordersv1.CreatePriceRequest) { r.Price.ItemId = "cpap" }, []string{"price.itemId"}},
		{"no start", func(r *ordersv1.CreatePriceRequest) { r.Price.EffectiveFrom = nil }, []string{"price.effectiveFrom"}},
		{"February 30", func(r *ordersv1.CreatePriceRequest) { r.Price.EffectiveFrom = day(2026, 2, 30) }, []string{"price.effectiveFrom"}},
		{"an end before the start", func(r *ordersv1.CreatePriceRequest) { r.Price.EffectiveTo = day(2025, 12, 31) },
			[]string{"price.effectiveTo"}},
		{"an unknown item, an end before the start and a negative amount", func(r *ordersv1.CreatePriceRequest) {
			r.Price.ItemId, r.Price.EffectiveTo = uuid.NewString(), day(2025, 1, 1)
			r.Price.PurchaseAllowable.AmountCents = -100
		}, []string{"price.effectiveTo", "price.purchaseAllowable.amountCents", "price.itemId"}},
		{"no price", func(r *ordersv1.CreatePriceRequest) { r.Price = nil }, []string{"price"}},
		{"a list id that is no UUID", func(r *ordersv1.CreatePriceRequest) { r.PriceListId = "standard" }, []string{"priceListId"}},
		{"a request id that is no UUID", func(r *ordersv1.CreatePriceRequest) { r.RequestId = "1" }, []string{"requestId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &ordersv1.CreatePriceRequest{PriceListId: l.GetId(), Price: cpapPrice(a.CPAP, day(2026, 1, 1), nil)}
			tt.edit(req)
			_, err := e.PriceLists.CreatePrice(a.Billing, req)
			grpcerrtest.WantInvalid(t, err, tt.fields...)
		})
	}
	listed, err := e.PriceLists.ListPrices(a.Billing, &ordersv1.ListPricesRequest{PriceListId: l.GetId()})
	if err != nil || len(listed.GetPrices()) != 0 {
		t.Errorf("ListPrices = %v, %v; refused creates store nothing", listed, err)
	}
	if diff := cmp.Diff([]string{app.EventPriceListCreated}, e.Events.Types()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	// A list of another company, or none, is not found, whatever the price.
	for name, req := range map[string]*ordersv1.CreatePriceRequest{
		"another company's list": {PriceListId: l.GetId(), Price: cpapPrice(b.CPAP, day(2026, 1, 1), nil)},
		"a missing list":         {PriceListId: uuid.NewString(), Price: cpapPrice(a.CPAP, day(2026, 1, 1), nil)},
	} {
		ctx := a.Billing
		if name == "another company's list" {
			ctx = b.Billing
		}
		_, err := e.PriceLists.CreatePrice(ctx, req)
		grpcerrtest.WantCode(t, err, codes.NotFound)
	}
}

func TestEndPrice(t *testing.T) {
	t.Parallel()
	e := orderstest.New(t)
	a, b := e.NewTenant(), e.NewTenant()
	l := createList(t, e, a.Billing, "Standard", "")
	open := createPrice(t, e, a.Billing, l.GetId(), cpapPrice(a.CPAP, day(2026, 1, 1), nil))
	end := func(ctx context.Context, p *ordersv1.Price, to *date.Date, etag string) (*ordersv1.Price, error) {
		return e.PriceLists.EndPrice(ctx, &ordersv1.EndPriceRequest{PriceListId: p.GetPriceListId(), Id: p.GetId(), EffectiveTo: to, Etag: etag})
	}

	ended, err := end(a.Billing, open, day(2026, 12, 31), open.GetEtag())
	if err != nil {
		t.Fatal(err)
	}
	want := proto.Clone(open).(*ordersv1.Price)
	want.EffectiveTo, want.Etag = day(2026, 12, 31), `"2"`
	if diff := cmp.Diff(want, ended, protocmp.Transform()); diff != "" {
		t.Errorf("EndPrice (-want +got):\n%s", diff)
	}
	ev := e.Events.Events()
	if last, ok := ev[len(ev)-1].Payload.(*ordersv1.PriceChanged); !ok || last.GetPriceId() != open.GetId() ||
		!cmp.Equal(last.GetEffectiveTo(), day(2026, 12, 31), protocmp.Transform()) {
		t.Errorf("PriceChanged = %v", ev[len(ev)-1])
	}

	next := createPrice(t, e, a.Billing, l.GetId(), cpapPrice(a.CPAP, day(2027, 1, 1), nil))
	events := len(e.Events.Types())
	_, err = end(a.Billing, open, day(2026, 6, 30), open.GetEtag())
	grpcerrtest.WantCode(t, err, codes.Aborted)
	_, err = end(a.Billing, ended, day(2025, 12, 31), ended.GetEtag())
	grpcerrtest.WantInvalid(t, err, "effectiveTo")
	_, err = end(a.Billing, ended, day(2026, 2, 30), ended.GetEtag())
	grpcerrtest.WantInvalid(t, err, "effectiveTo")
	_, err = end(a.Billing, ended, nil, ended.GetEtag())
	grpcerrtest.WantInvalid(t, err, "effectiveTo")
	_, err = end(a.Billing, ended, day(2026, 6, 30), "2")
	grpcerrtest.WantInvalid(t, err, "etag")
	// Moved later, into the next period: refused naming it.
	_, err = end(a.Billing, ended, day(2027, 1, 1), ended.GetEtag())
	if info := grpcerrtest.WantReason(t, err, codes.FailedPrecondition, domain.ReasonPricePeriodOverlap); info.GetMetadata()["overlapping_price_id"] != next.GetId() {
		t.Errorf("overlap names %v, want %s", info.GetMetadata(), next.GetId())
	}
	// Another company's price, or one named under another list, is not found.
	_, err = end(b.Billing, ended, day(2026, 6, 30), "")
	grpcerrtest.WantCode(t, err, codes.NotFound)
	medicare := createList(t, e, a.Billing, "Medicare", a.Medicare)
	_, err = e.PriceLists.EndPrice(a.Billing, &ordersv1.EndPriceRequest{PriceListId: medicare.GetId(), Id: ended.GetId(), EffectiveTo: day(2026, 6, 30)})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = end(a.Auditor, ended, day(2026, 6, 30), "")
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	if got := len(e.Events.Types()); got != events+1 {
		t.Errorf("%d events after the refused ends, want %d (the Medicare list's only)", got, events+1)
	}

	// Moved earlier, and later again up to the next period: both fine.
	earlier, err := end(a.Billing, ended, day(2026, 6, 30), ended.GetEtag())
	if err != nil {
		t.Fatal(err)
	}
	later, err := end(a.Billing, earlier, day(2026, 12, 31), "")
	if err != nil || later.GetEtag() != `"4"` {
		t.Fatalf("moved later = %v, %v", later, err)
	}
}

func TestListPriceListsDefaultFirstThenByName(t *testing.T) {
	t.Parallel()
	e := orderstest.New(t)
	a := e.NewTenant()
	payers := []string{a.Medicare, a.Medicaid, uuid.NewString(), uuid.NewString()}
	for _, p := range payers[2:] {
		e.Peers.AddPayer(a.CompanyID, p)
	}
	createList(t, e, a.Billing, "medicare DME", payers[0])
	createList(t, e, a.Billing, "Zeta Standard", "")
	createList(t, e, a.Billing, "Georgia Medicaid", payers[1])
	createList(t, e, a.Billing, "aetna", payers[2])
	createList(t, e, a.Billing, "Blue Cross", payers[3])
	createList(t, e, e.NewTenant().Billing, "Another company's", "")

	pages := pagetest.CheckListing(t, func(token string) (*ordersv1.ListPriceListsResponse, error) {
		return e.PriceLists.ListPriceLists(a.Auditor, &ordersv1.ListPriceListsRequest{PageSize: 2, PageToken: token})
	})
	var got []string
	for _, p := range pages {
		for _, l := range p.GetPriceLists() {
			got = append(got, l.GetName())
		}
	}
	want := []string{"Zeta Standard", "aetna", "Blue Cross", "Georgia Medicaid", "medicare DME"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lists (-want +got):\n%s", diff)
	}
	_, err := e.PriceLists.ListPriceLists(a.Billing, &ordersv1.ListPriceListsRequest{PageSize: 1001})
	grpcerrtest.WantInvalid(t, err, "pageSize")
}

func TestListPrices(t *testing.T) {
	t.Parallel()
	e := orderstest.New(t)
	a, b := e.NewTenant(), e.NewTenant()
	l := createList(t, e, a.Billing, "Standard", "")
	medicare := createList(t, e, a.Billing, "Medicare", a.Medicare)
	c2026 := createPrice(t, e, a.Billing, l.GetId(), cpapPrice(a.CPAP, day(2026, 1, 1), day(2026, 12, 31)))
	c2027 := createPrice(t, e, a.Billing, l.GetId(), cpapPrice(a.CPAP, day(2027, 1, 1), nil))
	mask := cpapPrice(a.Mask, day(2026, 7, 1), nil)
	mask.Hcpcs = "A7034"
	m2026 := createPrice(t, e, a.Billing, l.GetId(), mask)
	createPrice(t, e, a.Billing, medicare.GetId(), cpapPrice(a.CPAP, day(2026, 1, 1), nil))

	ids := func(r *ordersv1.ListPricesResponse) []string {
		var out []string
		for _, p := range r.GetPrices() {
			out = append(out, p.GetId())
		}
		return out
	}
	// By item, code and start; item ids are random, so the items' order is
	// the order of their ids.
	byItem := []string{c2026.GetId(), c2027.GetId(), m2026.GetId()}
	if a.Mask < a.CPAP {
		byItem = []string{m2026.GetId(), c2026.GetId(), c2027.GetId()}
	}
	tests := []struct {
		name string
		req  *ordersv1.ListPricesRequest
		want []string
	}{
		{"all", &ordersv1.ListPricesRequest{}, byItem},
		{"one item", &ordersv1.ListPricesRequest{ItemId: a.CPAP}, []string{c2026.GetId(), c2027.GetId()}},
		{"in force on the last day of 2026", &ordersv1.ListPricesRequest{InForceOn: day(2026, 12, 31)}, filter(byItem, c2026.GetId(), m2026.GetId())},
		{"in force on the first day of 2027", &ordersv1.ListPricesRequest{InForceOn: day(2027, 1, 1)}, filter(byItem, c2027.GetId(), m2026.GetId())},
		{"one item in force", &ordersv1.ListPricesRequest{ItemId: a.CPAP, InForceOn: day(2026, 6, 30)}, []string{c2026.GetId()}},
		{"before any", &ordersv1.ListPricesRequest{InForceOn: day(2025, 12, 31)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.PriceListId = l.GetId()
			got, err := e.PriceLists.ListPrices(a.Auditor, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("ListPrices (-want +got):\n%s", diff)
			}
		})
	}

	var paged []string
	pages := pagetest.CheckListing(t, func(token string) (*ordersv1.ListPricesResponse, error) {
		return e.PriceLists.ListPrices(a.Billing, &ordersv1.ListPricesRequest{PriceListId: l.GetId(), PageSize: 1, PageToken: token})
	})
	for _, p := range pages {
		paged = append(paged, ids(p)...)
	}
	if diff := cmp.Diff(byItem, paged); diff != "" {
		t.Errorf("paged (-want +got):\n%s", diff)
	}
	// A token is bound to its list and filters.
	first, err := e.PriceLists.ListPrices(a.Billing, &ordersv1.ListPricesRequest{PriceListId: l.GetId(), PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.PriceLists.ListPrices(a.Billing, &ordersv1.ListPricesRequest{PriceListId: l.GetId(), ItemId: a.CPAP, PageSize: 1, PageToken: first.GetNextPageToken()})
	grpcerrtest.WantInvalid(t, err, "pageToken")
	_, err = e.PriceLists.ListPrices(a.Billing, &ordersv1.ListPricesRequest{PriceListId: medicare.GetId(), PageSize: 1, PageToken: first.GetNextPageToken()})
	grpcerrtest.WantInvalid(t, err, "pageToken")

	// Another company's list, or a missing one, is not found.
	_, err = e.PriceLists.ListPrices(b.Billing, &ordersv1.ListPricesRequest{PriceListId: l.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.PriceLists.ListPrices(a.Billing, &ordersv1.ListPricesRequest{PriceListId: uuid.NewString()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = e.PriceLists.ListPrices(a.Billing, &ordersv1.ListPricesRequest{PriceListId: l.GetId(), ItemId: "cpap"})
	grpcerrtest.WantInvalid(t, err, "itemId")
	_, err = e.PriceLists.ListPrices(a.Billing, &ordersv1.ListPricesRequest{PriceListId: l.GetId(), InForceOn: day(2026, 2, 30)})
	grpcerrtest.WantInvalid(t, err, "inForceOn")

	// The listing is audited naming its list.
	audited := false
	for _, r := range e.Observed.Audit.Records() {
		if strings.HasSuffix(r.Method, "/ListPrices") && r.Resources["price_list_id"] == l.GetId() && r.Code == "OK" {
			audited = true
		}
	}
	if !audited {
		t.Error("no audit record names the list whose prices were listed")
	}
}

// filter keeps of ids, in order, those in keep.
func filter(ids []string, keep ...string) []string {
	var out []string
	for _, id := range ids {
		for _, k := range keep {
			if id == k {
				out = append(out, id)
			}
		}
	}
	return out
}
