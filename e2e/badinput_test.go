package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestBadInputIsRefusedWithoutWrites sends the mistakes partners make —
// malformed JSON, fields that would be mass-assigned, wrong types, oversized
// bodies, absurd page sizes, ids that are not UUIDs — and checks each gets a
// 4xx in the documented body, that nothing was written, and that no request
// at all produces a 5xx.
func TestBadInputIsRefusedWithoutWrites(t *testing.T) {
	m := startMesh(t)
	m.bootstrap("initech", "owner@initech.test", ownerPassword)
	owner := login(t, m, "initech", "owner@initech.test", ownerPassword)
	token := owner.str("accessToken")
	whoami := m.call(http.MethodGet, "/api/v1/auth/whoami", token, nil).expect(t, http.StatusOK, "whoami")
	selfID := whoami.str("subject")

	countLocations := func() int {
		r := m.call(http.MethodGet, "/api/v1/locations?pageSize=1000&showDeleted=true", token, nil).expect(t, http.StatusOK, "list")
		items, _ := r.body["locations"].([]any)
		return len(items)
	}
	before := countLocations()

	valid := newLocation("BAD-01")
	withField := func(k string, v any) map[string]any {
		out := map[string]any{}
		for key, val := range valid {
			out[key] = val
		}
		out[k] = v
		return out
	}
	cases := []struct {
		name   string
		method string
		path   string
		body   any
		want   int
		field  string // a field violation that must be named, when non-empty
	}{
		{"malformed JSON", http.MethodPost, "/api/v1/locations", `{"code": "BAD-01",`, 400, ""},
		{"not an object", http.MethodPost, "/api/v1/locations", `[1,2,3]`, 400, ""},
		{"mass-assigned company id", http.MethodPost, "/api/v1/locations", withField("companyId", "00000000-0000-7000-8000-000000000001"), 400, ""},
		{"wrong type", http.MethodPost, "/api/v1/locations", withField("code", 12345), 400, ""},
		{"invalid enum", http.MethodPost, "/api/v1/locations", withField("type", "LOCATION_TYPE_CASTLE"), 400, ""},
		{"field rules", http.MethodPost, "/api/v1/locations", withField("code", "lower case"), 400, "location.code"},
		{"bad state", http.MethodPost, "/api/v1/locations", withField("address", map[string]any{
			"line1": "1 Main St", "city": "Springfield", "state": "XX", "postalCode": "30303"}), 400, "location.address.state"},
		{"oversized body", http.MethodPost, "/api/v1/locations", withField("name", strings.Repeat("x", 2<<20)), 413, ""},
		{"page size far over the maximum", http.MethodGet, "/api/v1/locations?pageSize=100000", nil, 400, "pageSize"},
		{"garbage page token", http.MethodGet, "/api/v1/locations?pageToken=%25%25not-a-token", nil, 400, "pageToken"},
		{"path id not a UUID", http.MethodGet, "/api/v1/locations/not-a-uuid", nil, 400, "id"},
		{"path id SQL-ish", http.MethodGet, "/api/v1/locations/1%27%20or%20%271%27%3D%271", nil, 400, "id"},
		{"roles on self-update", http.MethodPatch, "/api/v1/users/" + selfID, map[string]any{"roles": []string{"ROLE_OWNER"}, "givenName": "Me"}, 400, ""},
		{"company id on self-update", http.MethodPatch, "/api/v1/users/" + selfID, map[string]any{"companyId": "00000000-0000-7000-8000-000000000001"}, 400, ""},
		{"serial of spaces", http.MethodGet, "/api/v1/serials/%20%20:validate?operation=UNIT_TRANSACTION_KIND_RENT", nil, 400, "serialNumber"},
		{"transition without a kind", http.MethodPost, "/api/v1/units/" + selfID + ":transition", map[string]any{"kind": "UNIT_TRANSACTION_KIND_UNSPECIFIED"}, 400, "kind"},
		{"receive as a transition", http.MethodPost, "/api/v1/units/" + selfID + ":transition", map[string]any{"kind": "UNIT_TRANSACTION_KIND_RECEIVE"}, 400, "kind"},
		{"shipment over 10,000 units", http.MethodPost, "/api/v1/units:batchCreate", map[string]any{"warehouseId": selfID,
			"units": slices.Repeat([]any{map[string]any{"itemId": selfID, "serialNumber": "S1"}}, 10001)}, 400, "units"},
		{"a night longer than a day", http.MethodPost, "/api/v1/units/" + selfID + ":recordUsage", map[string]any{
			"readings": []any{map[string]any{"night": map[string]any{"year": 2026, "month": 1, "day": 2}, "minutes": 5000}}}, 400, "readings[0].minutes"},
		{"recall naming nothing", http.MethodPost, "/api/v1/units:recall", map[string]any{"scope": map[string]any{}, "recalled": true}, 400, "scope"},
		{"unknown route", http.MethodGet, "/api/v1/no-such-thing", nil, 404, ""},
		{"wrong method", http.MethodPut, "/api/v1/locations", valid, 405, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := m.call(tc.method, tc.path, token, tc.body).expect(t, tc.want, tc.name)
			if tc.field != "" {
				var fields []string
				errs, _ := r.body["errors"].([]any)
				for _, e := range errs {
					if em, ok := e.(map[string]any); ok {
						fields = append(fields, fmt.Sprint(em["field"]))
					}
				}
				if !slices.Contains(fields, tc.field) {
					t.Fatalf("%s: violations %v do not name %s; body %s", tc.name, fields, tc.field, r.raw)
				}
			}
		})
	}
	if after := countLocations(); after != before {
		t.Fatalf("bad requests wrote: %d locations before, %d after", before, after)
	}

	// Orders: each mistake in a draft, a price or a proof is a 400 naming
	// the field, and nothing is written.
	w := newOrderWorld(t, m, token, "IN")
	m.bootstrap("hooli", "owner@hooli.test", ownerPassword)
	hooli := login(t, m, "hooli", "owner@hooli.test", ownerPassword).str("accessToken")
	theirs := newOrderWorld(t, m, hooli, "HO")
	order := func(edit func(o map[string]any, lines []map[string]any)) map[string]any {
		o := w.cpapOrder()
		var ls []map[string]any
		for _, l := range o["lines"].([]any) {
			ls = append(ls, l.(map[string]any))
		}
		edit(o, ls)
		return o
	}
	price := func(k string, v any) map[string]any {
		p := map[string]any{"itemId": w.cpap, "hcpcs": "E0601", "effectiveFrom": date(2027, 1, 1),
			"purchaseBillable": map[string]any{"amountCents": 100, "currencyCode": "USD"}}
		p[k] = v
		return p
	}
	orderCases := []struct {
		name, path string
		body       any
		field      string
	}{
		{"unknown item", "/api/v1/orders", order(func(_ map[string]any, l []map[string]any) { l[1]["itemId"] = selfID }), "order.lines[1].itemId"},
		{"malformed HCPCS", "/api/v1/orders", order(func(_ map[string]any, l []map[string]any) { l[0]["hcpcs"] = "E06X1" }), "order.lines[0].hcpcs"},
		{"malformed modifier", "/api/v1/orders", order(func(_ map[string]any, l []map[string]any) { l[0]["modifiers"] = []any{"R!"} }), "order.lines[0].modifiers[0]"},
		{"pointer out of range", "/api/v1/orders", order(func(_ map[string]any, l []map[string]any) { l[1]["diagnosisPointers"] = []any{3} }), "order.lines[1].diagnosisPointers[0]"},
		{"quantity 0", "/api/v1/orders", order(func(_ map[string]any, l []map[string]any) { l[1]["quantity"] = 0 }), "order.lines[1].quantity"},
		{"quantity 10^9", "/api/v1/orders", order(func(_ map[string]any, l []map[string]any) { l[1]["quantity"] = 1_000_000_000 }), "order.lines[1].quantity"},
		{"another company's patient", "/api/v1/orders", order(func(o map[string]any, _ []map[string]any) { o["patientId"] = theirs.patient }), "order.patientId"},
		{"another company's written order", "/api/v1/orders", order(func(o map[string]any, _ []map[string]any) { o["writtenOrderId"] = theirs.writtenOrder }), "order.writtenOrderId"},
		{"negative amount", "/api/v1/price-lists/" + w.priceList + "/prices",
			price("rentalBillable", map[string]any{"amountCents": -1, "currencyCode": "USD"}), "price.rentalBillable.amountCents"},
		{"dates reversed", "/api/v1/price-lists/" + w.priceList + "/prices", price("effectiveTo", date(2026, 12, 31)), "price.effectiveTo"},
		{"price of an unknown item", "/api/v1/price-lists/" + w.priceList + "/prices", price("itemId", selfID), "price.itemId"},
		{"price list of another company's payer", "/api/v1/price-lists", map[string]any{"name": "Theirs", "payerId": theirs.payer}, "priceList.payerId"},
	}
	countOrders := func() int {
		r := m.call(http.MethodGet, "/api/v1/orders?pageSize=1000", token, nil).expect(t, http.StatusOK, "list orders")
		items, _ := r.body["orders"].([]any)
		return len(items)
	}
	countPrices := func() int {
		r := m.call(http.MethodGet, "/api/v1/price-lists/"+w.priceList+"/prices?pageSize=1000", token, nil).expect(t, http.StatusOK, "list prices")
		items, _ := r.body["prices"].([]any)
		return len(items)
	}
	ordersBefore, pricesBefore := countOrders(), countPrices()
	for _, tc := range orderCases {
		t.Run(tc.name, func(t *testing.T) {
			r := m.call(http.MethodPost, tc.path, token, tc.body).expect(t, http.StatusBadRequest, tc.name)
			var fields []string
			errs, _ := r.body["errors"].([]any)
			for _, e := range errs {
				if em, ok := e.(map[string]any); ok {
					fields = append(fields, fmt.Sprint(em["field"]))
				}
			}
			if !slices.Contains(fields, tc.field) {
				t.Fatalf("%s: violations %v do not name %s; body %s", tc.name, fields, tc.field, r.raw)
			}
		})
	}
	if countOrders() != ordersBefore || countPrices() != pricesBefore {
		t.Fatalf("bad orders or prices wrote: orders %d → %d, prices %d → %d", ordersBefore, countOrders(), pricesBefore, countPrices())
	}

	// A sweep of hostile inputs: whatever comes back, it is never a 5xx.
	bodies := []string{"", "null", "{}", `{"location":null}`, `{"code":null}`, "\x00\x01\x02", `{"code":"` + strings.Repeat("Z", 5000) + `"}`,
		`{"type":99}`, `{"address":"nope"}`, `{"phone":{"number":"+1 (000) 000-0000"}}`, `{"timeZone":"Mars/Olympus_Mons"}`}
	paths := []string{"/api/v1/locations", "/api/v1/users", "/api/v1/api-keys", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/token",
		"/api/v1/items", "/api/v1/units", "/api/v1/units:batchCreate", "/api/v1/units:recall", "/api/v1/units/" + selfID + ":transition",
		"/api/v1/units/" + selfID + "/maintenanceRecords", "/api/v1/units/" + selfID + ":recordUsage",
		"/api/v1/orders", "/api/v1/orders/" + selfID + ":submit", "/api/v1/orders/" + selfID + ":approve",
		"/api/v1/orders/" + selfID + "/deliveries", "/api/v1/orders/" + selfID + "/pickups", "/api/v1/price-lists",
		"/api/v1/price-lists/" + selfID + "/prices"}
	for _, p := range paths {
		for _, b := range bodies {
			r := m.call(http.MethodPost, p, token, b)
			if r.status >= 500 {
				t.Errorf("POST %s with %q: status %d: %s", p, truncate(b), r.status, r.raw)
			}
		}
	}
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
