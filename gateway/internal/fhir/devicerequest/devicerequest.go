// Package devicerequest maps order lines to FHIR DeviceRequest, one per
// line, and serves read and search by patient and status over
// OrderService. The order intake (package intake) reads DeviceRequests
// back in the same shape.
package devicerequest

import (
	"context"
	"strings"

	"github.com/ariesone/ariesone/gateway/internal/fhir/coverage"
	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
)

// DeviceRequest is FHIR R4 DeviceRequest: one line of an order.
type DeviceRequest struct {
	r4.Base
	Extension           []r4.Extension       `json:"extension,omitempty"`
	Identifier          []r4.Identifier      `json:"identifier,omitempty"`
	GroupIdentifier     *r4.Identifier       `json:"groupIdentifier,omitempty"`
	Status              string               `json:"status,omitempty"`
	Intent              string               `json:"intent"`
	CodeCodeableConcept *r4.CodeableConcept  `json:"codeCodeableConcept,omitempty"`
	Parameter           []Parameter          `json:"parameter,omitempty"`
	Subject             *r4.Reference        `json:"subject,omitempty"`
	AuthoredOn          string               `json:"authoredOn,omitempty"`
	Requester           *r4.Reference        `json:"requester,omitempty"`
	ReasonCode          []r4.CodeableConcept `json:"reasonCode,omitempty"`
	Insurance           []r4.Reference       `json:"insurance,omitempty"`
}

// Parameter is a detail of the device asked for.
type Parameter struct {
	Code                 *r4.CodeableConcept `json:"code,omitempty"`
	ValueCodeableConcept *r4.CodeableConcept `json:"valueCodeableConcept,omitempty"`
	ValueQuantity        *r4.Quantity        `json:"valueQuantity,omitempty"`
}

// ID is the FHIR id of an order line: lines are addressed only
// within their order (GetOrder), so the id carries both (see compositeID).
// A line's SupplyDelivery has the same id.
func ID(orderID, lineID string) string {
	return r4.CompositeID(orderID, lineID)
}

// requestStatus is FHIR's request status of an order line, from its
// order's status:
//
//	DRAFT                     → draft
//	SUBMITTED, APPROVED       → active
//	DELIVERED, a sale line    → completed
//	DELIVERED, a rental line  → active until picked up (billing end date
//	                            set), then completed: the rental is still
//	                            being fulfilled
//	CLOSED                    → completed
//	CANCELLED                 → revoked
//	anything else             → unknown
func requestStatus(s ordersv1.OrderStatus, l *ordersv1.OrderLine) string {
	switch s {
	case ordersv1.OrderStatus_ORDER_STATUS_DRAFT:
		return "draft"
	case ordersv1.OrderStatus_ORDER_STATUS_SUBMITTED, ordersv1.OrderStatus_ORDER_STATUS_APPROVED:
		return "active"
	case ordersv1.OrderStatus_ORDER_STATUS_DELIVERED:
		if rental(l.GetType()) && l.GetBillingEndDate() == nil {
			return "active"
		}
		return "completed"
	case ordersv1.OrderStatus_ORDER_STATUS_CLOSED:
		return "completed"
	case ordersv1.OrderStatus_ORDER_STATUS_CANCELLED:
		return "revoked"
	}
	return "unknown"
}

func rental(t ordersv1.LineType) bool {
	switch t {
	case ordersv1.LineType_LINE_TYPE_MONTHLY_RENTAL, ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL,
		ordersv1.LineType_LINE_TYPE_RENT_TO_PURCHASE, ordersv1.LineType_LINE_TYPE_OXYGEN_RENTAL:
		return true
	}
	return false
}

// Parameter codes of DeviceRequest, in SystemRequestParam.
const (
	ParamModifier = "hcpcs-modifier"
	ParamQuantity = "quantity"
)

// FromProto maps line l of order o.
//
//   - code is the line's HCPCS code. Its modifiers (RR, NU, KX...) are
//     parameters (code hcpcs-modifier, value the modifier in SystemHCPCS),
//     one each in the line's order: R4 has no element for them, a
//     modifierExtension would make every reader that does not know it
//     reject the resource, and an extension inside the Coding is invisible
//     to most clients; parameter is R4's element for details of the device
//     asked for, and readers may skip it.
//   - quantity is a parameter too (code quantity): R4 DeviceRequest has no
//     quantity element (R5 adds one); so is how the line is billed (code
//     line-type, a code of SystemLineType), which the intake reads back.
//   - the order's warehouse is the extension SystemWarehouseExtension
//     (valueReference Location/<id>), as the intake takes it.
//   - identifier is the line id, groupIdentifier the order id (FHIR's
//     element for the requests made together).
//   - requester is the written order's prescriber (Practitioner/<id>);
//     insurance the coverages the order copied, by rank
//     (Coverage/<composite id>); reasonCode the ICD-10-CM diagnoses the
//     line points at, with FHIR's dot after the third character.
//
// Not mapped: prices, serial number and unit (the Device), the
// written order (not served), readiness override and cancel reasons.
func FromProto(o *ordersv1.Order, l *ordersv1.OrderLine) *DeviceRequest {
	out := &DeviceRequest{
		Base:       r4.Base{ResourceType: "DeviceRequest", ID: ID(o.GetId(), l.GetId()), Meta: r4.NewMeta(o.GetEtag(), o.GetUpdateTime(), o.GetCreateTime())},
		Status:     requestStatus(o.GetStatus(), l),
		Intent:     "order",
		Subject:    r4.Ref("Patient", o.GetPatientId()),
		AuthoredOn: r4.Date(o.GetOrderDate()),
		Requester:  r4.Ref("Practitioner", o.GetPrescriberId()),
	}
	if v := l.GetId(); v != "" {
		out.Identifier = []r4.Identifier{{System: r4.SystemOrderLineID, Value: v}}
	}
	if v := o.GetId(); v != "" {
		out.GroupIdentifier = &r4.Identifier{System: r4.SystemOrderID, Value: v}
	}
	if h := l.GetHcpcs(); h != "" {
		out.CodeCodeableConcept = &r4.CodeableConcept{Coding: []r4.Coding{{System: r4.SystemHCPCS, Code: strings.ToUpper(h)}}}
	}
	for _, m := range l.GetModifiers() {
		if m == "" {
			continue
		}
		out.Parameter = append(out.Parameter, Parameter{
			Code:                 &r4.CodeableConcept{Coding: []r4.Coding{{System: r4.SystemRequestParam, Code: ParamModifier, Display: "HCPCS modifier"}}},
			ValueCodeableConcept: &r4.CodeableConcept{Coding: []r4.Coding{{System: r4.SystemHCPCS, Code: strings.ToUpper(m)}}},
		})
	}
	if code := LineTypeCode(l.GetType()); code != "" {
		out.Parameter = append(out.Parameter, Parameter{
			Code:                 &r4.CodeableConcept{Coding: []r4.Coding{{System: r4.SystemRequestParam, Code: ParamLineType, Display: "Line type"}}},
			ValueCodeableConcept: &r4.CodeableConcept{Coding: []r4.Coding{{System: r4.SystemLineType, Code: code}}},
		})
	}
	if id := o.GetWarehouseId(); id != "" {
		out.Extension = []r4.Extension{{URL: r4.SystemWarehouseExtension, ValueReference: &r4.Reference{Reference: "Location/" + id}}}
	}
	if n := l.GetQuantity(); n > 0 {
		out.Parameter = append(out.Parameter, Parameter{
			Code:          &r4.CodeableConcept{Coding: []r4.Coding{{System: r4.SystemRequestParam, Code: ParamQuantity, Display: "Quantity"}}},
			ValueQuantity: &r4.Quantity{Value: int64(n)},
		})
	}
	diagnoses := o.GetDiagnoses()
	for _, p := range l.GetDiagnosisPointers() {
		if p >= 1 && int(p) <= len(diagnoses) {
			out.ReasonCode = append(out.ReasonCode, r4.CodeableConcept{Coding: []r4.Coding{{System: r4.SystemICD10CM, Code: icd10(diagnoses[p-1])}}})
		}
	}
	for _, c := range o.GetCoverages() {
		if id := coverage.ID(o.GetPatientId(), c.GetCoverageId()); id != "" {
			out.Insurance = append(out.Insurance, r4.Reference{Reference: "Coverage/" + id})
		}
	}
	return out
}

// icd10 writes an ICD-10-CM code as the code system does, with a dot after
// the category (the first three characters); orders returns it without.
func icd10(code string) string {
	code = strings.ToUpper(strings.ReplaceAll(code, ".", ""))
	if len(code) <= 3 {
		return code
	}
	return code[:3] + "." + code[3:]
}

// Request statuses a DeviceRequest search takes (FHIR's request-status).
const systemRequestStatus = "http://hl7.org/fhir/request-status"

var requestStatuses = map[string]bool{
	"draft": true, "active": true, "on-hold": true, "revoked": true,
	"completed": true, "entered-in-error": true, "unknown": true,
}

var deviceRequestParams = []restful.SearchParam{
	{Name: "patient", Type: "reference", Documentation: "The order's patient (id or Patient/id)."},
	{Name: "status", Type: "token", Documentation: "One request status (system " + systemRequestStatus + ", or none), mapped from the order's status as DeviceRequest.status documents; draft and revoked filter the orders in the service, the others the lines here."},
}

// orderStatusOf is the one order status a request status selects, when
// there is one; active and completed span several and are filtered per
// line.
func orderStatusOf(status string) ordersv1.OrderStatus {
	switch status {
	case "draft":
		return ordersv1.OrderStatus_ORDER_STATUS_DRAFT
	case "revoked":
		return ordersv1.OrderStatus_ORDER_STATUS_CANCELLED
	}
	return ordersv1.OrderStatus_ORDER_STATUS_UNSPECIFIED
}

// FindLine returns the line of o with id lineID, or nil.
func FindLine(o *ordersv1.Order, lineID string) *ordersv1.OrderLine {
	for _, l := range o.GetLines() {
		if l.GetId() == lineID {
			return l
		}
	}
	return nil
}

// ListOrders is the parent listing of the order-line resources.
func ListOrders(c ordersv1.OrderServiceClient, req *ordersv1.ListOrdersRequest) restful.ListParents[*ordersv1.Order] {
	return func(ctx context.Context, size int, token string) ([]*ordersv1.Order, string, error) {
		r := &ordersv1.ListOrdersRequest{PageSize: int32(size), PageToken: token,
			PatientId: req.GetPatientId(), Status: req.GetStatus()}
		resp, err := c.ListOrders(ctx, r, restful.Header(ctx))
		if err != nil {
			return nil, "", err
		}
		return resp.GetOrders(), resp.GetNextPageToken(), nil
	}
}

// Resource serves DeviceRequest from orders' OrderService: one
// per order line. _count counts lines; a page may end inside an order.
func Resource(c ordersv1.OrderServiceClient) restful.Resource {
	return restful.Resource{
		Type: "DeviceRequest",
		Read: func(ctx context.Context, id string) (r4.Object, error) {
			orderID, lineID, ok := r4.SplitID(id)
			if !ok {
				return nil, restful.NotFound("DeviceRequest/" + id + " not found")
			}
			o, err := c.GetOrder(ctx, &ordersv1.GetOrderRequest{Id: orderID}, restful.Header(ctx))
			if err != nil {
				return nil, err
			}
			l := FindLine(o, lineID)
			if l == nil {
				return nil, restful.NotFound("DeviceRequest/" + id + " not found")
			}
			return FromProto(o, l), nil
		},
		Search: &restful.Search{
			Params: deviceRequestParams,
			Run: func(ctx context.Context, q restful.Query) (restful.Page, error) {
				req := &ordersv1.ListOrdersRequest{}
				if v, ok := q.Get("patient"); ok {
					id, err := restful.PatientParam("patient", v)
					if err != nil {
						return restful.Page{}, err
					}
					req.PatientId = id
				}
				status, hasStatus := q.Get("status")
				if hasStatus {
					system, code := restful.SplitToken(status)
					if system != "" && system != systemRequestStatus {
						return restful.Page{}, restful.Invalid("status system " + system + " is not searchable; use " + systemRequestStatus)
					}
					if !requestStatuses[code] {
						return restful.Page{}, restful.Invalid("status must be a request status: draft, active, on-hold, revoked, completed, entered-in-error or unknown")
					}
					status = code
					req.Status = orderStatusOf(code)
				}
				return restful.ChildPage(ctx, q, ListOrders(c, req), func(_ context.Context, o *ordersv1.Order) ([]r4.Object, error) {
					var out []r4.Object
					for _, l := range o.GetLines() {
						dr := FromProto(o, l)
						if !hasStatus || dr.Status == status {
							out = append(out, dr)
						}
					}
					return out, nil
				})
			},
		},
	}
}

// LineTypes maps SystemLineType codes onto orders' line types.
var LineTypes = map[string]ordersv1.LineType{
	"one-time-sale":    ordersv1.LineType_LINE_TYPE_ONE_TIME_SALE,
	"recurring-sale":   ordersv1.LineType_LINE_TYPE_RECURRING_SALE,
	"monthly-rental":   ordersv1.LineType_LINE_TYPE_MONTHLY_RENTAL,
	"capped-rental":    ordersv1.LineType_LINE_TYPE_CAPPED_RENTAL,
	"rent-to-purchase": ordersv1.LineType_LINE_TYPE_RENT_TO_PURCHASE,
	"oxygen-rental":    ordersv1.LineType_LINE_TYPE_OXYGEN_RENTAL,
}

// LineTypeCode is the SystemLineType code of t; "" for none.
func LineTypeCode(t ordersv1.LineType) string {
	for code, lt := range LineTypes {
		if lt == t {
			return code
		}
	}
	return ""
}

// ParamLineType is the DeviceRequest parameter code of the line type.
const ParamLineType = "line-type"
