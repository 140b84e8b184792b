package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/usformat"
)

// WrittenOrderStatus is where a written order stands.
type WrittenOrderStatus string

// Written order statuses. Draft, signed and revoked are stored; expired is
// only ever computed (EffectiveStatus), from the expiry date.
const (
	// WrittenOrderDraft: being written; may be edited, signed or revoked.
	WrittenOrderDraft WrittenOrderStatus = "draft"
	// WrittenOrderSigned: signed by the prescriber; supports claims until it
	// expires or is revoked.
	WrittenOrderSigned WrittenOrderStatus = "signed"
	// WrittenOrderRevoked: withdrawn; supports nothing.
	WrittenOrderRevoked WrittenOrderStatus = "revoked"
	// WrittenOrderExpired: signed, but the length of need has run out.
	WrittenOrderExpired WrittenOrderStatus = "expired"
)

// WrittenOrderAction is something done to a written order that its status
// must allow.
type WrittenOrderAction string

// Written order actions.
const (
	EditWrittenOrder   WrittenOrderAction = "edit"
	SignWrittenOrder   WrittenOrderAction = "sign"
	RevokeWrittenOrder WrittenOrderAction = "revoke"
)

// WrittenOrderTransitions is the written order state machine: for each
// stored status, the actions allowed and the status each leads to.
// Anything missing is refused. An expired order is stored as signed, so it
// may still be revoked.
var WrittenOrderTransitions = map[WrittenOrderStatus]map[WrittenOrderAction]WrittenOrderStatus{
	WrittenOrderDraft: {
		EditWrittenOrder:   WrittenOrderDraft,
		SignWrittenOrder:   WrittenOrderSigned,
		RevokeWrittenOrder: WrittenOrderRevoked,
	},
	WrittenOrderSigned: {
		RevokeWrittenOrder: WrittenOrderRevoked,
	},
}

// Reasons of written order errors.
const (
	// ReasonWrittenOrderTransition: the action is not allowed from the
	// order's status (editing a signed order, signing a revoked one).
	ReasonWrittenOrderTransition = "WRITTEN_ORDER_STATUS_TRANSITION_NOT_ALLOWED"
	// ReasonWrittenOrderIncomplete: the order lacks what a signature
	// needs; the error's precondition violations list all of it.
	ReasonWrittenOrderIncomplete = "WRITTEN_ORDER_INCOMPLETE"
)

// The precondition violation types of ReasonWrittenOrderIncomplete, each
// with the field it concerns as subject. DIAGNOSIS_MISSING and
// FACE_TO_FACE_MISSING mean what the readiness requirements of the same
// codes mean.
const (
	UnmetItemsMissing                 = "ITEMS_MISSING"
	UnmetDiagnosisMissing             = "DIAGNOSIS_MISSING"
	UnmetPrescriberMissing            = "PRESCRIBER_MISSING"
	UnmetLengthOfNeedMissing          = "LENGTH_OF_NEED_MISSING"
	UnmetSignatureDateMissing         = "SIGNATURE_DATE_MISSING"
	UnmetSignatureDateBeforeOrderDate = "SIGNATURE_DATE_BEFORE_ORDER_DATE"
	UnmetSignatureDateInFuture        = "SIGNATURE_DATE_IN_FUTURE"
	UnmetFaceToFaceMissing            = "FACE_TO_FACE_MISSING"
	UnmetFaceToFaceAfterOrderDate     = "FACE_TO_FACE_AFTER_ORDER_DATE"
	UnmetFaceToFaceTooLongBeforeOrder = "FACE_TO_FACE_TOO_LONG_BEFORE_ORDER"
)

// Written order limits.
const (
	// LifetimeLengthOfNeed is the length of need, in months, that CMS
	// forms use for "lifetime": an order with it never expires.
	LifetimeLengthOfNeed = 99
	// FaceToFaceLookbackMonths is how long before the order date a
	// face-to-face encounter may be, where one is required (42 CFR
	// 410.38(d)).
	FaceToFaceLookbackMonths = 6
	MaxWrittenOrderItems     = 20
	maxItemDescription       = 200
	maxItemQuantity          = 9999
	maxRevokeReason          = 200
)

// WrittenOrderItem is one item of a written order: what is ordered and how
// many.
type WrittenOrderItem struct {
	// HCPCS is the item's HCPCS Level II code, such as E0601.
	HCPCS       string
	Description string
	Quantity    int
}

// WrittenOrder is a Standard Written Order (42 CFR 410.38(d)): the
// prescriber's order for equipment for a patient, which must be on file,
// signed, before the supplier bills (and, for items on the face-to-face
// list, before delivery).
type WrittenOrder struct {
	ID           string
	CompanyID    string
	PatientID    string
	PrescriberID string
	Items        []WrittenOrderItem
	OrderDate    civil.Date
	// SignatureDate is the date the prescriber signed; zero while unsigned.
	SignatureDate civil.Date
	// FaceToFaceDate is the date of the prescriber's encounter with the
	// patient that supports the order, where one is required.
	FaceToFaceDate civil.Date
	// LengthOfNeedMonths is 1-99 (99 lifetime), or 0 while a draft has none.
	LengthOfNeedMonths int
	// Diagnoses are ICD-10-CM codes stored without the dot.
	Diagnoses []string
	// Status is the stored status: draft, signed or revoked.
	Status WrittenOrderStatus
	// RevokeReason says why the order was revoked; "" until it is.
	RevokeReason string
	// Version increases by one with every change; the etag is made from it.
	Version    int64
	CreateTime time.Time
	UpdateTime time.Time
}

// WrittenOrderField names a writable field of a written order by its API
// (proto) name. The patient is not one: an order is for one patient for
// good.
type WrittenOrderField string

// The writable fields of a written order.
const (
	WrittenOrderPrescriberID       WrittenOrderField = "prescriber_id"
	WrittenOrderItems              WrittenOrderField = "items"
	WrittenOrderOrderDate          WrittenOrderField = "order_date"
	WrittenOrderSignatureDate      WrittenOrderField = "signature_date"
	WrittenOrderFaceToFaceDate     WrittenOrderField = "face_to_face_date"
	WrittenOrderLengthOfNeedMonths WrittenOrderField = "length_of_need_months"
	WrittenOrderDiagnoses          WrittenOrderField = "diagnoses"
)

// WrittenOrderFields lists every writable field of a written order, in
// API order.
var WrittenOrderFields = []WrittenOrderField{
	WrittenOrderPrescriberID, WrittenOrderItems, WrittenOrderOrderDate, WrittenOrderSignatureDate,
	WrittenOrderFaceToFaceDate, WrittenOrderLengthOfNeedMonths, WrittenOrderDiagnoses,
}

// WrittenOrderValues are the values a client sends for a written order.
// PatientID is read only on create.
type WrittenOrderValues struct {
	PatientID          string
	PrescriberID       string
	Items              []WrittenOrderItem
	OrderDate          civil.Date
	SignatureDate      civil.Date
	FaceToFaceDate     civil.Date
	LengthOfNeedMonths int
	Diagnoses          []string
}

// NewWrittenOrder returns a draft written order of company built from
// values, created at now. A draft needs a patient, a prescriber and an
// order date; items, diagnoses and the length of need may come later, and
// Sign checks that they did. Whether the patient and prescriber exist in
// the company is the caller's question. Violations name fields relative to
// the order ("items[1].hcpcs", "diagnoses[0]").
func NewWrittenOrder(id, companyID string, values WrittenOrderValues, now time.Time) (*WrittenOrder, error) {
	o := &WrittenOrder{ID: id, CompanyID: companyID, Status: WrittenOrderDraft, Version: 1, CreateTime: now, UpdateTime: now}
	var v errs.Violations
	o.PatientID = normalizeID(&v, "patientId", values.PatientID, true, "patient")
	v.Merge("", o.apply(WrittenOrderFields, values))
	if err := v.Err(); err != nil {
		return nil, err
	}
	return o, nil
}

// Update writes the named fields of values into a draft order at now; all
// or nothing. A signed or revoked order cannot change: FAILED_PRECONDITION
// with ReasonWrittenOrderTransition naming its status.
func (o *WrittenOrder) Update(fields []WrittenOrderField, values WrittenOrderValues, now time.Time) error {
	if _, err := o.next(EditWrittenOrder); err != nil {
		return err
	}
	if err := o.apply(fields, values); err != nil {
		return err
	}
	o.UpdateTime = now
	return nil
}

// apply checks and writes the named fields, all or none. Relations
// between dates are Sign's to check: a draft may be written in any order.
func (o *WrittenOrder) apply(fields []WrittenOrderField, values WrittenOrderValues) error {
	var v errs.Violations
	next := *o
	for _, f := range fields {
		switch f {
		case WrittenOrderPrescriberID:
			next.PrescriberID = normalizeID(&v, "prescriberId", values.PrescriberID, true, "prescriber")
		case WrittenOrderItems:
			next.Items = normalizeItems(&v, values.Items)
		case WrittenOrderOrderDate:
			next.OrderDate = values.OrderDate
			checkDate(&v, "orderDate", next.OrderDate, true)
		case WrittenOrderSignatureDate:
			next.SignatureDate = values.SignatureDate
			checkDate(&v, "signatureDate", next.SignatureDate, false)
		case WrittenOrderFaceToFaceDate:
			next.FaceToFaceDate = values.FaceToFaceDate
			checkDate(&v, "faceToFaceDate", next.FaceToFaceDate, false)
		case WrittenOrderLengthOfNeedMonths:
			next.LengthOfNeedMonths = values.LengthOfNeedMonths
			if n := next.LengthOfNeedMonths; n < 0 || n > LifetimeLengthOfNeed {
				v.Addf("lengthOfNeedMonths", "must be 1-%d months (%d for lifetime), or 0 for not yet known", LifetimeLengthOfNeed, LifetimeLengthOfNeed)
			}
		case WrittenOrderDiagnoses:
			next.Diagnoses = parseDiagnoses(&v, "diagnoses", values.Diagnoses)
		default:
			v.Addf(string(f), "is not a writable field of a written order")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	*o = next
	return nil
}

// normalizeItems checks the items of an order: at most
// MaxWrittenOrderItems, each a HCPCS Level II code, a description of
// 1-200 characters and a quantity of 1-9999. The same code may appear
// twice: miscellaneous codes such as E1399 stand for different items.
func normalizeItems(v *errs.Violations, items []WrittenOrderItem) []WrittenOrderItem {
	if len(items) > MaxWrittenOrderItems {
		v.Addf("items", "must list at most %d items", MaxWrittenOrderItems)
		return nil
	}
	out := make([]WrittenOrderItem, len(items))
	for i, item := range items {
		field := fmt.Sprintf("items[%d]", i)
		code, ok := usformat.NormalizeHCPCS(item.HCPCS)
		if !ok {
			v.Add(field+".hcpcs", "must be a HCPCS Level II code: a letter A-V and 4 digits, such as E0601")
		}
		description := strings.TrimSpace(item.Description)
		v.CheckLine(field+".description", description, true, maxItemDescription)
		if item.Quantity < 1 || item.Quantity > maxItemQuantity {
			v.Addf(field+".quantity", "must be 1-%d", maxItemQuantity)
		}
		out[i] = WrittenOrderItem{HCPCS: code, Description: description, Quantity: item.Quantity}
	}
	return out
}

// next returns the status action leads to from the order's status, or the
// FAILED_PRECONDITION error that names the status when the table has no
// such move.
func (o *WrittenOrder) next(action WrittenOrderAction) (WrittenOrderStatus, error) {
	to, ok := WrittenOrderTransitions[o.Status][action]
	if !ok {
		e := errs.FailedPrecondition(ReasonWrittenOrderTransition,
			fmt.Sprintf("cannot %s a written order that is %s", action, o.Status))
		return "", e.With("status", string(o.Status))
	}
	return to, nil
}

// Sign records the prescriber's signature of a draft order on
// signatureDate (or, when that is zero, on the signature date the draft
// already holds), judged against today, at now.
//
// Everything a signature needs is checked at once, and every gap is
// reported in one FAILED_PRECONDITION error with reason
// ReasonWrittenOrderIncomplete and a precondition violation per gap (types
// Unmet*, subjects the fields): at least one item, one diagnosis, a
// prescriber, a length of need, a signature date on or after the order
// date and not after today, and, when an item needs one
// (FaceToFaceRequired), a face-to-face date on or before the order date
// and at most FaceToFaceLookbackMonths before it. A signatureDate that is
// not a calendar date is INVALID_ARGUMENT; an order that is not a draft is
// FAILED_PRECONDITION with ReasonWrittenOrderTransition.
func (o *WrittenOrder) Sign(signatureDate, today civil.Date, now time.Time) error {
	if !signatureDate.IsZero() && !signatureDate.IsValid() {
		var v errs.Violations
		checkDate(&v, "signatureDate", signatureDate, false)
		return v.Err()
	}
	to, err := o.next(SignWrittenOrder)
	if err != nil {
		return err
	}
	if signatureDate.IsZero() {
		signatureDate = o.SignatureDate
	}
	if unmet := o.unmetForSignature(signatureDate, today); len(unmet) > 0 {
		return errs.Unmet(ReasonWrittenOrderIncomplete, "the written order is not complete enough to sign", unmet...).
			With("written_order_id", o.ID)
	}
	o.SignatureDate = signatureDate
	o.Status = to
	o.UpdateTime = now
	return nil
}

// unmetForSignature lists what keeps the order from being signed on
// signatureDate, in field order.
func (o *WrittenOrder) unmetForSignature(signatureDate, today civil.Date) []errs.PreconditionViolation {
	var unmet []errs.PreconditionViolation
	add := func(kind, subject, description string) {
		unmet = append(unmet, errs.PreconditionViolation{Type: kind, Subject: subject, Description: description})
	}
	if o.PrescriberID == "" {
		add(UnmetPrescriberMissing, "prescriberId", "a prescriber is required")
	}
	if len(o.Items) == 0 {
		add(UnmetItemsMissing, "items", "at least one item is required")
	}
	if len(o.Diagnoses) == 0 {
		add(UnmetDiagnosisMissing, "diagnoses", "at least one diagnosis is required")
	}
	if o.LengthOfNeedMonths < 1 {
		add(UnmetLengthOfNeedMissing, "lengthOfNeedMonths", fmt.Sprintf("a length of need of 1-%d months is required", LifetimeLengthOfNeed))
	}
	switch {
	case signatureDate.IsZero() || !signatureDate.IsValid():
		add(UnmetSignatureDateMissing, "signatureDate", "the date the prescriber signed is required")
	case signatureDate.Before(o.OrderDate):
		add(UnmetSignatureDateBeforeOrderDate, "signatureDate", "must be on or after the order date")
	case signatureDate.After(today):
		add(UnmetSignatureDateInFuture, "signatureDate", "must not be in the future")
	}
	if o.FaceToFaceRequired() {
		earliest := o.OrderDate.AddMonths(-FaceToFaceLookbackMonths)
		switch {
		case o.FaceToFaceDate.IsZero() || !o.FaceToFaceDate.IsValid():
			add(UnmetFaceToFaceMissing, "faceToFaceDate", "an item of the order needs a face-to-face encounter before the order; its date is required")
		case o.FaceToFaceDate.After(o.OrderDate):
			add(UnmetFaceToFaceAfterOrderDate, "faceToFaceDate", "must be on or before the order date")
		case o.FaceToFaceDate.Before(earliest):
			add(UnmetFaceToFaceTooLongBeforeOrder, "faceToFaceDate",
				fmt.Sprintf("must be at most %d months before the order date", FaceToFaceLookbackMonths))
		}
	}
	return unmet
}

// Revoke withdraws a draft or signed order at now, for reason (1-200
// characters, kept for the record). Revoking a revoked order is
// FAILED_PRECONDITION with ReasonWrittenOrderTransition.
func (o *WrittenOrder) Revoke(reason string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	var v errs.Violations
	v.CheckLine("reason", reason, true, maxRevokeReason)
	if err := v.Err(); err != nil {
		return err
	}
	to, err := o.next(RevokeWrittenOrder)
	if err != nil {
		return err
	}
	o.Status = to
	o.RevokeReason = reason
	o.UpdateTime = now
	return nil
}

// ExpireDate returns the last day the order supports: the order date plus
// the length of need in months. It is zero when the order never expires
// (a lifetime length of need) or has no length of need or order date yet.
func (o *WrittenOrder) ExpireDate() civil.Date {
	if o.LengthOfNeedMonths < 1 || o.LengthOfNeedMonths >= LifetimeLengthOfNeed || o.OrderDate.IsZero() {
		return civil.Date{}
	}
	return o.OrderDate.AddMonths(o.LengthOfNeedMonths)
}

// EffectiveStatus returns the status the order reads as on asOf: a signed
// order whose expiry date is before asOf is expired; otherwise the stored
// status.
func (o *WrittenOrder) EffectiveStatus(asOf civil.Date) WrittenOrderStatus {
	if o.Status == WrittenOrderSigned {
		if expire := o.ExpireDate(); !expire.IsZero() && expire.Before(asOf) {
			return WrittenOrderExpired
		}
	}
	return o.Status
}

// FaceToFaceRequired reports whether any item of the order is on the
// face-to-face list on the order date.
func (o *WrittenOrder) FaceToFaceRequired() bool {
	for _, item := range o.Items {
		if FaceToFaceRequired(item.HCPCS, o.OrderDate) {
			return true
		}
	}
	return false
}

// Covers reports whether the order has an item of HCPCS code hcpcs.
func (o *WrittenOrder) Covers(hcpcs string) bool {
	for _, item := range o.Items {
		if item.HCPCS == hcpcs {
			return true
		}
	}
	return false
}
