package gateway_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/proto"

	"github.com/ariesone/ariesone/gateway/internal/fhir"
	"github.com/ariesone/ariesone/gateway/internal/fhir/coverage"
	"github.com/ariesone/ariesone/gateway/internal/fhir/devicerequest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/server"
)

// Ids the fake clinical, serials and orders services below give meaning to.
const (
	coverageID  = "0190a6a2-0000-7000-8000-0000000000e1"
	payerID     = "0190a6a2-0000-7000-8000-0000000000e2"
	unitID      = "0190a6a2-0000-7000-8000-0000000000a9"
	itemID      = "0190a6a2-0000-7000-8000-0000000000a8"
	warehouseID = "0190a6a2-0000-7000-8000-0000000000a7"
	lineOneID   = "0190a6a2-0000-7000-8000-0000000000f1"
	lineTwoID   = "0190a6a2-0000-7000-8000-0000000000f2"
	deliveryID  = "0190a6a2-0000-7000-8000-0000000000b9"
	// An order with no proof of delivery yet.
	draftOrderID = "0190a6a2-0000-7000-8000-0000000000d5"
	draftLineID  = "0190a6a2-0000-7000-8000-0000000000f5"
	memberID     = "ABC123456789"
)

// fakeRecords stands in for clinical's CoverageService, serials' UnitService
// and ItemService, and the read side of orders' OrderService, behind the
// real interceptor chain (authentication, the proto's permission rules,
// validation), remembering the last listing of each.
type fakeRecords struct {
	clinicalv1.UnimplementedCoverageServiceServer
	serialsv1.UnimplementedUnitServiceServer
	serialsv1.UnimplementedItemServiceServer
	ordersv1.UnimplementedOrderServiceServer

	mu        sync.Mutex
	coverages *clinicalv1.ListCoveragesRequest
	units     *serialsv1.ListUnitsRequest
	orders    []*ordersv1.ListOrdersRequest
}

// coverage masks the member id as the service does for callers without
// patients.phi.
func (f *fakeRecords) coverage(ctx context.Context) *clinicalv1.Coverage {
	member := memberID
	if p, _ := identity.FromContext(ctx); !auth.Permits(p.Roles, "patients.phi") {
		member = "****6789"
	}
	return &clinicalv1.Coverage{
		Id: coverageID, PatientId: patientID, PayerId: payerID, MemberId: member, Rank: 1,
		Relationship:  clinicalv1.Relationship_RELATIONSHIP_SELF,
		EffectiveDate: &date.Date{Year: 2026, Month: 1, Day: 1}, Etag: `"4"`,
	}
}

func (f *fakeRecords) GetCoverage(ctx context.Context, req *clinicalv1.GetCoverageRequest) (*clinicalv1.Coverage, error) {
	if req.GetPatientId() != patientID || req.GetId() != coverageID {
		return nil, errs.NotFound("coverage", req.GetId())
	}
	return f.coverage(ctx), nil
}

func (f *fakeRecords) ListCoverages(ctx context.Context, req *clinicalv1.ListCoveragesRequest) (*clinicalv1.ListCoveragesResponse, error) {
	f.mu.Lock()
	f.coverages = proto.CloneOf(req)
	f.mu.Unlock()
	if req.GetPatientId() != patientID {
		return nil, errs.NotFound("patient", req.GetPatientId()) // as clinical answers
	}
	return &clinicalv1.ListCoveragesResponse{Coverages: []*clinicalv1.Coverage{f.coverage(ctx)}}, nil
}

func unit() *serialsv1.Unit {
	return &serialsv1.Unit{Id: unitID, ItemId: itemID, SerialNumber: "23161234567", WarehouseId: warehouseID,
		Status: serialsv1.UnitStatus_UNIT_STATUS_RENTED, CurrentPatientId: patientID, Etag: `"9"`}
}

func (f *fakeRecords) GetUnit(_ context.Context, req *serialsv1.GetUnitRequest) (*serialsv1.Unit, error) {
	if req.GetId() != unitID {
		return nil, errs.NotFound("unit", req.GetId())
	}
	return unit(), nil
}

func (f *fakeRecords) ListUnits(_ context.Context, req *serialsv1.ListUnitsRequest) (*serialsv1.ListUnitsResponse, error) {
	f.mu.Lock()
	f.units = proto.CloneOf(req)
	f.mu.Unlock()
	return &serialsv1.ListUnitsResponse{Units: []*serialsv1.Unit{unit(), unit()}}, nil
}

func (f *fakeRecords) GetItem(_ context.Context, req *serialsv1.GetItemRequest) (*serialsv1.Item, error) {
	if req.GetId() != itemID {
		return nil, errs.NotFound("item", req.GetId())
	}
	return &serialsv1.Item{Id: itemID, Code: "CPAP-AS11", Name: "AirSense 11", Hcpcs: "E0601"}, nil
}

func deliveredOrder() *ordersv1.Order {
	return &ordersv1.Order{
		Id: orderID, PatientId: patientID, PrescriberId: prescriberID, Status: ordersv1.OrderStatus_ORDER_STATUS_DELIVERED,
		OrderDate: &date.Date{Year: 2026, Month: 2, Day: 10},
		Coverages: []*ordersv1.OrderCoverage{{Rank: 1, CoverageId: coverageID, PayerId: payerID}},
		Lines: []*ordersv1.OrderLine{
			{Id: lineOneID, Hcpcs: "E0601", Modifiers: []string{"RR"}, Quantity: 1, Type: ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL, Serialized: true, UnitId: unitID},
			{Id: lineTwoID, Hcpcs: "A7030", Quantity: 2, Type: ordersv1.LineType_LINE_TYPE_RECURRING_SALE},
		},
		Etag: orderETag,
	}
}

func draftOrder() *ordersv1.Order {
	return &ordersv1.Order{Id: draftOrderID, PatientId: patientID, Status: ordersv1.OrderStatus_ORDER_STATUS_DRAFT,
		Lines: []*ordersv1.OrderLine{{Id: draftLineID, Hcpcs: "E0470", Quantity: 1}}}
}

func (f *fakeRecords) GetOrder(_ context.Context, req *ordersv1.GetOrderRequest) (*ordersv1.Order, error) {
	switch req.GetId() {
	case orderID:
		return deliveredOrder(), nil
	case draftOrderID:
		return draftOrder(), nil
	}
	return nil, errs.NotFound("order", req.GetId())
}

// ListOrders pages one order at a time: the delivered order, then the
// draft.
func (f *fakeRecords) ListOrders(_ context.Context, req *ordersv1.ListOrdersRequest) (*ordersv1.ListOrdersResponse, error) {
	f.mu.Lock()
	f.orders = append(f.orders, proto.CloneOf(req))
	f.mu.Unlock()
	if req.GetPageSize() == 1 && req.GetPageToken() == "" {
		return &ordersv1.ListOrdersResponse{Orders: []*ordersv1.Order{deliveredOrder()}, NextPageToken: nextToken}, nil
	}
	if req.GetPageSize() == 1 {
		return &ordersv1.ListOrdersResponse{Orders: []*ordersv1.Order{draftOrder()}}, nil
	}
	return &ordersv1.ListOrdersResponse{Orders: []*ordersv1.Order{deliveredOrder(), draftOrder()}}, nil
}

func (f *fakeRecords) ListDeliveries(_ context.Context, req *ordersv1.ListDeliveriesRequest) (*ordersv1.ListDeliveriesResponse, error) {
	if req.GetOrderId() != orderID {
		return &ordersv1.ListDeliveriesResponse{}, nil
	}
	return &ordersv1.ListDeliveriesResponse{Deliveries: []*ordersv1.Delivery{{
		Id: deliveryID, OrderId: orderID, ReceiverName: "Ann Lee", SignatureDate: &date.Date{Year: 2026, Month: 2, Day: 12},
		Lines: []*ordersv1.DeliveredLine{{LineId: lineOneID, Quantity: 1, SerialNumber: "23161234567"}, {LineId: lineTwoID, Quantity: 2}},
	}}}, nil
}

func (f *fakeRecords) lastCoverages() *clinicalv1.ListCoveragesRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.coverages
}

func (f *fakeRecords) lastUnits() *serialsv1.ListUnitsRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.units
}

func (f *fakeRecords) orderListings() []*ordersv1.ListOrdersRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*ordersv1.ListOrdersRequest(nil), f.orders...)
}

// serveRecords runs fakeRecords behind the platform's interceptor chain on
// its own listener, with its own signing keys, and returns the environment
// pointing the gateway's clinical, serials and orders backends at it (the
// harness takes no further fake services) and the keys tokens for it are
// minted with. The gateway does not verify tokens; the services do.
func serveRecords(t *testing.T, f *fakeRecords) (map[string]string, *authtest.KeySet) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	keys := authtest.NewKeySet(t)
	verifier, err := auth.NewVerifier(ctx, auth.VerifierConfig{
		JWKSURL: keys.URL(), Issuer: authtest.Issuer, Audience: authtest.Audience,
		UnknownKIDRefreshFloor: 10 * time.Millisecond, Leeway: time.Second,
	})
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	srv, err := server.New(server.Config{
		Name: "records", Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		Verifier: verifier, Audit: &audit.MemorySink{},
	})
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	clinicalv1.RegisterCoverageServiceServer(srv.GRPC(), f)
	serialsv1.RegisterUnitServiceServer(srv.GRPC(), f)
	serialsv1.RegisterItemServiceServer(srv.GRPC(), f)
	ordersv1.RegisterOrderServiceServer(srv.GRPC(), f)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, lis) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	addr := lis.Addr().String()
	return map[string]string{"CLINICAL_ADDR": addr, "SERIALS_ADDR": addr, "ORDERS_ADDR": addr}, keys
}

// TestFHIRRecords drives Coverage, Device, DeviceRequest and SupplyDelivery
// through the whole gateway against fake services.
func TestFHIRRecords(t *testing.T) {
	records := &fakeRecords{}
	env, keys := serveRecords(t, records)
	h := newHarness(t, harnessOptions{env: env})
	token := func(roles ...string) string { return keys.Mint(authtest.Claims(uuid.NewString(), companyID, roles...)) }
	intake, billing, admin := token(auth.RoleIntake), token(auth.RoleBilling), token(auth.RoleAdmin)
	get := func(tok, path string) response {
		return h.do(request{method: "GET", path: fhir.Path + path, token: tok})
	}
	ok := func(t *testing.T, r response) map[string]any {
		t.Helper()
		if r.status != http.StatusOK {
			t.Fatalf("status = %d\n%s", r.status, r.body)
		}
		return r.fhirBody(t)
	}
	entries := func(t *testing.T, bundle map[string]any) []map[string]any {
		t.Helper()
		var out []map[string]any
		es, _ := bundle["entry"].([]any)
		for _, e := range es {
			out = append(out, e.(map[string]any)["resource"].(map[string]any))
		}
		return out
	}
	covID := coverage.ID(patientID, coverageID)
	lineOne, lineTwo := devicerequest.ID(orderID, lineOneID), devicerequest.ID(orderID, lineTwoID)

	t.Run("metadata lists the new types", func(t *testing.T) {
		resp := h.do(request{method: "GET", path: fhir.Path + "/metadata"})
		for _, typ := range []string{`"type":"Coverage"`, `"type":"Device"`, `"type":"DeviceRequest"`, `"type":"SupplyDelivery"`} {
			if !strings.Contains(string(resp.body), typ) {
				t.Errorf("metadata lacks %s", typ)
			}
		}
	})

	t.Run("Coverage read: member id masked as the service answers", func(t *testing.T) {
		body := ok(t, get(token(auth.RoleAuditor), "/Coverage/"+covID))
		if body["id"] != covID || body["subscriberId"] != "****6789" || body["order"] != 1.0 {
			t.Errorf("body = %v", body)
		}
		body = ok(t, get(billing, "/Coverage/"+covID))
		if body["subscriberId"] != memberID {
			t.Errorf("with patients.phi subscriberId = %v", body["subscriberId"])
		}
		if b := body["beneficiary"].(map[string]any); b["reference"] != "Patient/"+patientID {
			t.Errorf("beneficiary = %v", b)
		}
		get(intake, "/Coverage/"+coverageID).outcome(t, http.StatusNotFound, restful.IssueNotFound)
		get(intake, "/Coverage/"+coverage.ID(patientID, missingID)).outcome(t, http.StatusNotFound, restful.IssueNotFound)
		get(token(auth.RolePartner), "/Coverage/"+covID).outcome(t, http.StatusForbidden, restful.IssueForbidden)
	})

	t.Run("Coverage search by patient or beneficiary", func(t *testing.T) {
		for _, q := range []string{"patient=" + patientID, "beneficiary=Patient/" + patientID} {
			body := ok(t, get(intake, "/Coverage?"+q))
			if es := entries(t, body); len(es) != 1 || es[0]["id"] != covID {
				t.Errorf("%s: entries = %v", q, es)
			}
			if got := records.lastCoverages(); got.GetPatientId() != patientID || !got.GetShowDeleted() || got.GetPageSize() != restful.DefaultCount {
				t.Errorf("%s: ListCoverages got %v", q, got)
			}
		}
		for _, q := range []string{"", "?patient=" + patientID + "&beneficiary=" + patientID, "?patient=Group/1", "?patient=" + patientID + "&patient=" + patientID} {
			get(intake, "/Coverage"+q).outcome(t, http.StatusBadRequest, restful.IssueInvalid)
		}
		diag := get(intake, "/Coverage?subscriber="+patientID).outcome(t, http.StatusBadRequest, restful.IssueNotSupported)
		if !strings.Contains(diag, "supported: _count, _page_token, patient, beneficiary") {
			t.Errorf("diagnostics %q", diag)
		}
	})

	t.Run("Coverage search naming a patient the caller cannot see is empty", func(t *testing.T) {
		body := ok(t, get(intake, "/Coverage?patient="+missingID))
		if body["type"] != "searchset" || body["entry"] != nil {
			t.Errorf("body = %v", body)
		}
	})

	t.Run("Device read and search by patient", func(t *testing.T) {
		body := ok(t, get(admin, "/Device/"+unitID))
		typ := body["type"].(map[string]any)["coding"].([]any)[0].(map[string]any)
		if typ["code"] != "E0601" || typ["system"] != r4.SystemHCPCS || body["serialNumber"] != "23161234567" {
			t.Errorf("body = %v", body)
		}
		if p := body["patient"].(map[string]any); p["reference"] != "Patient/"+patientID {
			t.Errorf("patient = %v", p)
		}
		get(admin, "/Device/"+missingID).outcome(t, http.StatusNotFound, restful.IssueNotFound)
		get(intake, "/Device/"+unitID).outcome(t, http.StatusForbidden, restful.IssueForbidden)

		body = ok(t, get(admin, "/Device?patient=Patient/"+patientID+"&_count=2"))
		if es := entries(t, body); len(es) != 2 {
			t.Errorf("entries = %v", es)
		}
		if got := records.lastUnits(); got.GetPatientId() != patientID || got.GetPageSize() != 2 {
			t.Errorf("ListUnits got %v", got)
		}
		get(admin, "/Device?status=active").outcome(t, http.StatusBadRequest, restful.IssueNotSupported)
	})

	t.Run("DeviceRequest read", func(t *testing.T) {
		body := ok(t, get(intake, "/DeviceRequest/"+lineOne))
		if body["status"] != "active" || body["intent"] != "order" || body["authoredOn"] != "2026-02-10" {
			t.Errorf("body = %v", body)
		}
		if r := body["requester"].(map[string]any); r["reference"] != "Practitioner/"+prescriberID {
			t.Errorf("requester = %v", r)
		}
		if ins := body["insurance"].([]any); ins[0].(map[string]any)["reference"] != "Coverage/"+covID {
			t.Errorf("insurance = %v", ins)
		}
		if body := ok(t, get(intake, "/DeviceRequest/"+lineTwo)); body["status"] != "completed" {
			t.Errorf("a delivered sale line is %v", body["status"])
		}
		get(intake, "/DeviceRequest/"+devicerequest.ID(orderID, missingID)).outcome(t, http.StatusNotFound, restful.IssueNotFound)
		get(intake, "/DeviceRequest/"+devicerequest.ID(missingID, lineOneID)).outcome(t, http.StatusNotFound, restful.IssueNotFound)
		get(intake, "/DeviceRequest/"+orderID).outcome(t, http.StatusNotFound, restful.IssueNotFound)
	})

	t.Run("DeviceRequest search by patient and status", func(t *testing.T) {
		body := ok(t, get(intake, "/DeviceRequest?patient="+patientID))
		if es := entries(t, body); len(es) != 3 {
			t.Errorf("%d entries, want the 3 lines of 2 orders", len(es))
		}
		l := records.orderListings()
		if got := l[len(l)-1]; got.GetPatientId() != patientID || got.GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_UNSPECIFIED {
			t.Errorf("ListOrders got %v", got)
		}

		body = ok(t, get(intake, "/DeviceRequest?patient="+patientID+"&status=active"))
		if es := entries(t, body); len(es) != 1 || es[0]["id"] != lineOne {
			t.Errorf("active entries = %v", es)
		}
		ok(t, get(intake, "/DeviceRequest?status="+url.QueryEscape("http://hl7.org/fhir/request-status|draft")))
		l = records.orderListings()
		if got := l[len(l)-1]; got.GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_DRAFT || got.GetPatientId() != "" {
			t.Errorf("ListOrders got %v", got)
		}
		for _, q := range []string{"status=open", "status=http://other|active", "patient=Practitioner/1"} {
			get(intake, "/DeviceRequest?"+q).outcome(t, http.StatusBadRequest, restful.IssueInvalid)
		}
		get(intake, "/DeviceRequest?status:not=draft").outcome(t, http.StatusBadRequest, restful.IssueNotSupported)
	})

	t.Run("DeviceRequest pages count lines, ending inside an order", func(t *testing.T) {
		var ids []string
		path := fhir.Path + "/DeviceRequest?patient=" + patientID + "&_count=1"
		for range 5 {
			resp := h.do(request{method: "GET", path: path, token: intake})
			body := ok(t, resp)
			es := entries(t, body)
			if len(es) != 1 {
				t.Fatalf("page of %d entries, want 1: %s", len(es), resp.body)
			}
			ids = append(ids, es[0]["id"].(string))
			next := links(t, body)["next"]
			if next == "" {
				break
			}
			path = pathOf(t, next)
		}
		want := []string{lineOne, lineTwo, devicerequest.ID(draftOrderID, draftLineID)}
		if strings.Join(ids, ",") != strings.Join(want, ",") {
			t.Errorf("paged ids = %v, want %v", ids, want)
		}
		get(intake, "/DeviceRequest?_page_token=garbage").outcome(t, http.StatusBadRequest, restful.IssueInvalid)
	})

	t.Run("SupplyDelivery read and search by patient", func(t *testing.T) {
		body := ok(t, get(intake, "/SupplyDelivery/"+lineOne))
		if body["status"] != "completed" || body["occurrenceDateTime"] != "2026-02-12" || body["basedOn"] != nil {
			t.Errorf("body = %v", body)
		}
		item := body["suppliedItem"].(map[string]any)["itemReference"].(map[string]any)
		if item["reference"] != "Device/"+unitID {
			t.Errorf("suppliedItem = %v", item)
		}
		get(intake, "/SupplyDelivery/"+devicerequest.ID(draftOrderID, draftLineID)).outcome(t, http.StatusNotFound, restful.IssueNotFound)
		get(intake, "/SupplyDelivery/"+devicerequest.ID(missingID, lineOneID)).outcome(t, http.StatusNotFound, restful.IssueNotFound)

		body = ok(t, get(intake, "/SupplyDelivery?patient=Patient/"+patientID))
		es := entries(t, body)
		if len(es) != 2 || es[0]["id"] != lineOne || es[1]["id"] != lineTwo {
			t.Errorf("entries = %v", es)
		}
		get(intake, "/SupplyDelivery").outcome(t, http.StatusBadRequest, restful.IssueInvalid)
		get(intake, "/SupplyDelivery?status=completed").outcome(t, http.StatusBadRequest, restful.IssueNotSupported)
	})
}
