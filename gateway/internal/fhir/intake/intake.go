// Package intake takes DME orders in as FHIR. A referral source posts a
// DeviceRequest (alone, or in a transaction Bundle with the Patient,
// Practitioner and Coverage it references) and AriesOne drafts an order
// from it. Nothing but the order
// (and, when the patient has no signed written order for the item from that
// prescriber, a draft written order) is ever written: patients, prescribers
// and coverages are matched to the supplier's records by identifier, and
// what cannot be matched is refused with an OperationOutcome whose issue
// names the element (FHIRPath in issue.expression), before anything is
// written.
//
// The rules, each refused with 422 naming the element when broken:
//
//   - identifier: at least one with system and value, the requester's own
//     number for the order. The first (or the one If-None-Exist names) is
//     the idempotency key of every write the intake makes, so a retry —
//     plain or conditional — drafts nothing new and answers 200 with the
//     order drafted the first time; the same identifier with a different
//     request is refused by the services (409).
//   - intent order or original-order; status absent, draft or active.
//   - codeCodeableConcept: one HCPCS code (SystemHCPCS). The supplier's
//     active item billed under it is the line's item; when several are,
//     a second coding in SystemItemCode names the item by its code.
//   - subject: the patient, as Patient/<id>, a Bundle entry's fullUrl, or a
//     logical reference by MBI or account number. The order is filled by
//     the patient's branch.
//   - requester: the prescriber, as Practitioner/<id>, an entry, or a
//     logical reference by NPI (SystemNPI).
//   - authoredOn: the order date (the date part of a dateTime).
//   - reasonCode: the ICD-10-CM diagnoses (SystemICD10CM), 1 to 12; the
//     line points at the first four.
//   - parameter: quantity (default 1), HCPCS modifiers, and line-type
//     (SystemLineType) saying how the line is billed; without line-type an
//     NU or UE modifier makes it a purchase, and anything else is refused,
//     since a rental's payment category decides its claims.
//   - insurance: references to Coverage entries or Coverage/<id> of the
//     patient; the order itself copies the patient's coverages in force.
//   - extension SystemWarehouseExtension (valueReference Location/<id>):
//     the warehouse the unit comes from; without it the company's only
//     warehouse, and with several it is required.
//   - modifierExtension and implicitRules are refused: the intake cannot
//     know what they change.
package intake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/ariesone/ariesone/gateway/internal/fhir/devicerequest"
	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/server"
)

// Clients are the services' APIs the intake reads and writes through.
type Clients struct {
	Patients    clinicalv1.PatientServiceClient
	Prescribers clinicalv1.PrescriberServiceClient
	Coverages   clinicalv1.CoverageServiceClient
	Written     clinicalv1.WrittenOrderServiceClient
	Items       serialsv1.ItemServiceClient
	Locations   companyv1.LocationServiceClient
	Orders      ordersv1.OrderServiceClient
}

// Intake drafts orders from DeviceRequests through the services' APIs.
type Intake struct {
	c Clients
}

// New returns the intake over c.
func New(c Clients) *Intake { return &Intake{c: c} }

var (
	hcpcsPattern = regexp.MustCompile(`^[A-V][0-9]{4}$`)
	icd10Pattern = regexp.MustCompile(`^[A-Z][0-9][A-Z0-9](\.?[A-Z0-9]{1,4})?$`)
	modPattern   = regexp.MustCompile(`^[A-Z0-9]{2}$`)
)

// orderRequest is what a DeviceRequest asks for, read without asking the
// services: the references are resolved afterwards.
type orderRequest struct {
	dr        devicerequest.DeviceRequest
	key       string
	line      *ordersv1.OrderLine
	itemCode  string
	orderDate *date.Date
	diagnoses []string
	warehouse string
}

// readOrderRequest reads a posted DeviceRequest, reporting every broken
// rule at once.
func readOrderRequest(s restful.Request) (orderRequest, error) {
	var r orderRequest
	if err := restful.DecodeResource(s.Resource, "DeviceRequest", s.Path, &r.dr); err != nil {
		return r, err
	}
	var p restful.Problems
	if r.key = intakeKey(&p, s.Path, r.dr.Identifier, s.IfNoneExist); p.Err() != nil {
		return r, p.Err()
	}
	if r.dr.Intent != "order" && r.dr.Intent != "original-order" {
		p.Add(s.Path+".intent", "intent must be order or original-order: the intake drafts orders")
	}
	if st := r.dr.Status; st != "" && st != "draft" && st != "active" {
		p.Add(s.Path+".status", "status must be draft or active (or absent) for a new order, not "+strconv.Quote(st))
	}
	r.line = &ordersv1.OrderLine{Quantity: 1}
	r.itemCode = readCode(&p, s.Path, r.dr.CodeCodeableConcept, r.line)
	readParameters(&p, s.Path, r.dr.Parameter, r.line)
	r.orderDate = authoredOn(&p, s.Path, r.dr.AuthoredOn)
	r.diagnoses = reasonCodes(&p, s.Path, r.dr.ReasonCode)
	for i := range min(len(r.diagnoses), 4) {
		r.line.DiagnosisPointers = append(r.line.DiagnosisPointers, int32(i+1))
	}
	r.warehouse = warehouseExtension(&p, s.Path, r.dr.Extension)
	return r, p.Err()
}

// Create drafts the order s asks for: one line per DeviceRequest, in their
// order. The DeviceRequests of one submission must name the same patient,
// prescriber and date, since they become one order.
func (in *Intake) Create(ctx context.Context, s restful.Submission) (restful.Created, error) {
	reqs, err := readOrderRequests(s.Requests)
	if err != nil {
		return restful.Created{}, err
	}
	first, path := reqs[0], s.Requests[0].Path
	patient, err := in.patient(ctx, path+".subject", first.dr.Subject, s.Entries)
	if err != nil {
		return restful.Created{}, err
	}
	prescriberID, err := in.prescriber(ctx, path+".requester", first.dr.Requester, s.Entries)
	if err != nil {
		return restful.Created{}, err
	}
	order := &ordersv1.Order{PatientId: patient.GetId(), BranchId: patient.GetBranchId(), OrderDate: first.orderDate}
	var items []*clinicalv1.WrittenOrderItem
	keys := make([]string, len(reqs))
	for k, r := range reqs {
		at := s.Requests[k].Path
		for i, ref := range r.dr.Insurance {
			if err := in.insurance(ctx, fmt.Sprintf("%s.insurance[%d]", at, i), &ref, patient.GetId(), s.Entries); err != nil {
				return restful.Created{}, err
			}
		}
		if err := in.item(ctx, at+".codeCodeableConcept", r.line, r.itemCode); err != nil {
			return restful.Created{}, err
		}
		r.line.DiagnosisPointers = nil
		for _, d := range r.diagnoses {
			pos := slices.Index(order.Diagnoses, d)
			if pos < 0 {
				order.Diagnoses, pos = append(order.Diagnoses, d), len(order.Diagnoses)
			}
			if len(r.line.DiagnosisPointers) < 4 {
				r.line.DiagnosisPointers = append(r.line.DiagnosisPointers, int32(pos+1))
			}
		}
		order.Lines = append(order.Lines, r.line)
		items = append(items, &clinicalv1.WrittenOrderItem{Hcpcs: r.line.GetHcpcs(), Description: description(r.dr.CodeCodeableConcept), Quantity: r.line.GetQuantity()})
		keys[k] = r.key
		if order.WarehouseId == "" {
			order.WarehouseId = r.warehouse
		}
	}
	if len(order.Diagnoses) > 12 {
		return restful.Created{}, restful.Unmatched(path+".reasonCode", "the DeviceRequests name more than 12 diagnoses in all; an order holds at most 12")
	}
	if order.WarehouseId == "" {
		if order.WarehouseId, err = in.onlyWarehouse(ctx, path); err != nil {
			return restful.Created{}, err
		}
	}
	slices.Sort(keys)
	key := strings.Join(keys, "\n")
	if order.WrittenOrderId, err = in.writtenOrder(ctx, key, patient.GetId(), prescriberID, items, order.GetOrderDate(), order.GetDiagnoses()); err != nil {
		return restful.Created{}, err
	}
	var md metadata.MD
	o, err := in.c.Orders.CreateOrder(ctx, &ordersv1.CreateOrderRequest{RequestId: requestID("order", key), Order: order},
		restful.Header(ctx), grpc.Header(&md))
	if err != nil {
		return restful.Created{}, err
	}
	if len(o.GetLines()) != len(reqs) {
		return restful.Created{}, status.Errorf(codes.Internal, "order %s was drafted with %d lines, want %d", o.GetId(), len(o.GetLines()), len(reqs))
	}
	out := restful.Created{Replayed: slices.Contains(md.Get(server.HeaderReplayed), "true")}
	for _, l := range o.GetLines() {
		out.Resources = append(out.Resources, devicerequest.FromProto(o, l))
	}
	return out, nil
}

// readOrderRequests reads every DeviceRequest of a submission and checks
// they can be one order: the same subject, requester, date and warehouse.
func readOrderRequests(rs []restful.Request) ([]orderRequest, error) {
	if len(rs) == 0 || len(rs) > maxLines {
		return nil, restful.Invalid(fmt.Sprintf("an order takes 1 to %d DeviceRequests", maxLines))
	}
	var p restful.Problems
	out := make([]orderRequest, len(rs))
	for i, rq := range rs {
		r, err := readOrderRequest(rq)
		var more *restful.Problems
		switch {
		case errors.As(err, &more):
			for _, is := range more.Issues {
				p.AddStatus(more.Status, is.Code, is.Expression[0], is.Diagnostics)
			}
			continue
		case err != nil:
			return nil, err
		}
		out[i] = r
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	first := out[0]
	for i, r := range out[1:] {
		at, as := rs[i+1].Path, " as "+rs[0].Path+": the DeviceRequests of a transaction are the lines of one order"
		if !sameReference(r.dr.Subject, first.dr.Subject) {
			p.Add(at+".subject", "must name the same patient"+as)
		}
		if !sameReference(r.dr.Requester, first.dr.Requester) {
			p.Add(at+".requester", "must name the same prescriber"+as)
		}
		if !proto.Equal(r.orderDate, first.orderDate) {
			p.Add(at+".authoredOn", "must be the same day"+as)
		}
		if r.warehouse != "" && first.warehouse != "" && r.warehouse != first.warehouse {
			p.Add(at+".extension", "must name the same warehouse"+as)
		}
	}
	return out, p.Err()
}

// maxLines is the most lines orders takes on one order.
const maxLines = 20

// sameReference reports whether two references name the same thing the
// same way.
func sameReference(a, b *r4.Reference) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Reference != "" || b.Reference != "" {
		return a.Reference == b.Reference
	}
	return a.Identifier != nil && b.Identifier != nil && *a.Identifier == *b.Identifier
}

// intakeKey is the identifier that keys the submission's writes, as
// "system|value": the one If-None-Exist names, which must be one of the
// resource's, or else its first.
func intakeKey(p *restful.Problems, path string, ids []r4.Identifier, ifNoneExist string) string {
	var first string
	for i, id := range ids {
		if id.System == "" || id.Value == "" {
			p.Add(fmt.Sprintf("%s.identifier[%d]", path, i), "an identifier needs a system and a value: the requester's number for the order")
			return ""
		}
		if first == "" {
			first = id.System + "|" + id.Value
		}
	}
	if first == "" {
		p.Add(path+".identifier", "the requester's identifier of the order (system and value) is required: it makes a retry safe")
		return ""
	}
	if ifNoneExist == "" {
		return first
	}
	name, value, _ := strings.Cut(ifNoneExist, "=")
	if name != "identifier" || strings.Contains(value, "&") {
		p.AddStatus(http.StatusBadRequest, restful.IssueNotSupported, path, "conditional create matches on one identifier only: identifier=<system>|<value>")
		return ""
	}
	for _, id := range ids {
		if id.System+"|"+id.Value == value {
			return value
		}
	}
	p.Add(path+".identifier", "If-None-Exist names "+value+", which is not an identifier of the DeviceRequest")
	return ""
}

// requestID is the idempotency key of one kind of write for key: a UUID
// derived from both, so every retry of a submission sends the same keys.
// The services keep keys per company.
func requestID(kind, key string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("ariesone fhir intake\x00"+kind+"\x00"+key)).String()
}

// readCode reads the line's HCPCS code and, optionally, the item code choosing
// among several items billed under it.
func readCode(p *restful.Problems, path string, cc *r4.CodeableConcept, line *ordersv1.OrderLine) string {
	path += ".codeCodeableConcept"
	if cc == nil {
		p.Add(path, "the device asked for is required, as an HCPCS code ("+r4.SystemHCPCS+")")
		return ""
	}
	var item string
	for i, c := range cc.Coding {
		switch c.System {
		case r4.SystemHCPCS:
			code := strings.ToUpper(c.Code)
			if !hcpcsPattern.MatchString(code) {
				p.Add(fmt.Sprintf("%s.coding[%d].code", path, i), "an HCPCS Level II code is a letter A-V and four digits, such as E0601")
				continue
			}
			if line.Hcpcs != "" {
				p.Add(fmt.Sprintf("%s.coding[%d]", path, i), "one HCPCS code per DeviceRequest: each is an order line")
				continue
			}
			line.Hcpcs = code
		case r4.SystemItemCode:
			item = c.Code
		}
	}
	if line.Hcpcs == "" && p.Err() == nil {
		p.Add(path+".coding", "no HCPCS coding ("+r4.SystemHCPCS+") says what device is asked for")
	}
	return item
}

// readParameters reads quantity, modifiers and line type.
func readParameters(p *restful.Problems, path string, params []devicerequest.Parameter, line *ordersv1.OrderLine) {
	for i, prm := range params {
		at := fmt.Sprintf("%s.parameter[%d]", path, i)
		code := ""
		if prm.Code != nil {
			for _, c := range prm.Code.Coding {
				if c.System == r4.SystemRequestParam {
					code = c.Code
				}
			}
		}
		value := ""
		if v := prm.ValueCodeableConcept; v != nil && len(v.Coding) > 0 {
			value = strings.ToUpper(v.Coding[0].Code)
		}
		switch code {
		case devicerequest.ParamQuantity:
			if prm.ValueQuantity == nil || prm.ValueQuantity.Value < 1 || prm.ValueQuantity.Value > 9999 {
				p.Add(at+".valueQuantity", "quantity must be a whole number from 1 to 9999")
				continue
			}
			line.Quantity = int32(prm.ValueQuantity.Value)
		case devicerequest.ParamModifier:
			if !modPattern.MatchString(value) {
				p.Add(at+".valueCodeableConcept", "an HCPCS modifier is two letters or digits, such as RR")
				continue
			}
			line.Modifiers = append(line.Modifiers, value)
		case devicerequest.ParamLineType:
			t, ok := devicerequest.LineTypes[strings.ToLower(value)]
			if !ok {
				p.Add(at+".valueCodeableConcept", "line-type must be one of "+strings.Join(sortedKeys(devicerequest.LineTypes), ", ")+" ("+r4.SystemLineType+")")
				continue
			}
			line.Type = t
		default:
			// Another system's detail of the device (a pressure setting, a
			// size): kept by the requester, not an order field.
		}
	}
	if len(line.Modifiers) > 4 {
		p.Add(path+".parameter", "at most 4 HCPCS modifiers")
	}
	if line.Type == ordersv1.LineType_LINE_TYPE_UNSPECIFIED {
		if slices.Contains(line.Modifiers, "NU") || slices.Contains(line.Modifiers, "UE") {
			line.Type = ordersv1.LineType_LINE_TYPE_ONE_TIME_SALE
		} else {
			p.Add(path+".parameter", "say how the line is billed: a "+devicerequest.ParamLineType+" parameter ("+r4.SystemLineType+
				"), or an NU or UE modifier for a purchase; a rental's payment category decides its claims, so it is never guessed")
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// authoredOn reads the order date: a date, or the date part of a dateTime.
func authoredOn(p *restful.Problems, path, v string) *date.Date {
	if v == "" {
		p.Add(path+".authoredOn", "authoredOn, the date of the order, is required")
		return nil
	}
	day := v
	if len(day) > 10 {
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			p.Add(path+".authoredOn", "authoredOn must be a date (YYYY-MM-DD) or a dateTime with a time zone")
			return nil
		}
		day = v[:10]
	}
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		p.Add(path+".authoredOn", "authoredOn must be a date (YYYY-MM-DD) or a dateTime with a time zone")
		return nil
	}
	return &date.Date{Year: int32(t.Year()), Month: int32(t.Month()), Day: int32(t.Day())}
}

// reasonCodes reads the ICD-10-CM diagnoses.
func reasonCodes(p *restful.Problems, path string, reasons []r4.CodeableConcept) []string {
	var out []string
	for i, r := range reasons {
		for j, c := range r.Coding {
			if c.System != r4.SystemICD10CM {
				continue
			}
			code := strings.ToUpper(c.Code)
			if !icd10Pattern.MatchString(code) {
				p.Add(fmt.Sprintf("%s.reasonCode[%d].coding[%d].code", path, i, j), "not an ICD-10-CM code: a letter, a digit, a letter or digit, then up to four more after an optional dot")
				continue
			}
			if !slices.Contains(out, code) {
				out = append(out, code)
			}
		}
	}
	switch {
	case len(out) == 0 && p.Err() == nil:
		p.Add(path+".reasonCode", "at least one ICD-10-CM diagnosis ("+r4.SystemICD10CM+") is required")
	case len(out) > 12:
		p.Add(path+".reasonCode", "at most 12 diagnoses")
	}
	return out
}

// warehouseExtension reads the warehouse extension; "" when absent.
func warehouseExtension(p *restful.Problems, path string, exts []r4.Extension) string {
	for i, e := range exts {
		if e.URL != r4.SystemWarehouseExtension {
			continue
		}
		id, ok := localID(e.ValueReference, "Location")
		if !ok {
			p.Add(fmt.Sprintf("%s.extension[%d].valueReference", path, i), "the warehouse must be Location/<id>")
			return ""
		}
		return id
	}
	return ""
}

// localID reads a reference "Type/<uuid>".
func localID(r *r4.Reference, typ string) (string, bool) {
	if r == nil {
		return "", false
	}
	t, id, ok := strings.Cut(r.Reference, "/")
	if !ok || t != typ || uuid.Validate(id) != nil {
		return "", false
	}
	return id, true
}

// description is what a drafted written order says of the item: the
// code's display or text, else the code itself.
func description(cc *r4.CodeableConcept) string {
	if cc == nil {
		return ""
	}
	for _, c := range cc.Coding {
		if c.System == r4.SystemHCPCS && c.Display != "" {
			return truncate(c.Display, 200)
		}
	}
	if cc.Text != "" {
		return truncate(cc.Text, 200)
	}
	for _, c := range cc.Coding {
		if c.System == r4.SystemHCPCS {
			return "HCPCS " + strings.ToUpper(c.Code)
		}
	}
	return ""
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
