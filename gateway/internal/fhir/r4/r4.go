// Package r4 is the FHIR R4 model the facade speaks: the data types as
// plain structs whose JSON names are FHIR's own, the naming systems, the
// conversions from the services' values (dates, addresses, phones, etags),
// and the composite ids of records a service addresses under a parent.
// It knows nothing of the services' APIs or of HTTP.
package r4

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
)

// The FHIR R4 data types the facade emits, as plain structs whose JSON names
// are FHIR's own. Every field is omitempty: FHIR forbids empty strings,
// arrays and objects in a resource, so an absent value must leave no key.

// Base is what every resource starts with. Embedded in each resource struct,
// its fields are marshalled first, so a reader sees resourceType at the top.
type Base struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id,omitempty"`
	Meta         *Meta  `json:"meta,omitempty"`
}

func (b *Base) Common() *Base { return b }

// Object is any resource the facade returns; the router reads its Base for
// the ETag and the Bundle entry's fullUrl.
type Object interface {
	Common() *Base
}

// Meta carries the version and last change of a resource.
type Meta struct {
	VersionID   string `json:"versionId,omitempty"`
	LastUpdated string `json:"lastUpdated,omitempty"`
}

// Identifier is a business identifier in a naming system.
type Identifier struct {
	Use    string           `json:"use,omitempty"`
	Type   *CodeableConcept `json:"type,omitempty"`
	System string           `json:"system,omitempty"`
	Value  string           `json:"value,omitempty"`
}

// CodeableConcept is a concept as codes and text.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Coding is one code in a code system.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// HumanName is a person's name.
type HumanName struct {
	Use    string   `json:"use,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
	Suffix []string `json:"suffix,omitempty"`
}

// Address is a postal or physical address.
type Address struct {
	Use        string   `json:"use,omitempty"`
	Type       string   `json:"type,omitempty"`
	Line       []string `json:"line,omitempty"`
	City       string   `json:"city,omitempty"`
	State      string   `json:"state,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
}

// ContactPoint is a phone number, fax or email address.
type ContactPoint struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
	Use    string `json:"use,omitempty"`
}

// Reference points at another resource by relative URL ("Organization/id"),
// or, as a logical reference, by its type and business identifier where the
// facade does not serve the target.
type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Type       string      `json:"type,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

// Extension is a value FHIR's core elements have no place for.
type Extension struct {
	URL            string     `json:"url"`
	ValueCode      string     `json:"valueCode,omitempty"`
	ValueReference *Reference `json:"valueReference,omitempty"`
}

// Period is a time range; an absent end is ongoing.
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// Quantity is a measured amount; a count has no unit.
type Quantity struct {
	Value int64 `json:"value"`
}

// Naming systems. The FHIR-defined ones are fixed URIs; AriesOne's own live
// under SystemBase so a deployment can move them all with one constant.
const (
	SystemBase          = "https://ariesone.example/fhir"
	SystemAccountNumber = SystemBase + "/sid/account-number"
	SystemLocationCode  = SystemBase + "/sid/location-code"
	SystemLocationType  = SystemBase + "/CodeSystem/location-type"
	SystemPayerID       = SystemBase + "/sid/payer-id"
	SystemOrderID       = SystemBase + "/sid/order-id"
	SystemOrderLineID   = SystemBase + "/sid/order-line-id"
	SystemDeliveryID    = SystemBase + "/sid/delivery-id"
	SystemUnitStatus    = SystemBase + "/CodeSystem/unit-status"
	SystemDeviceProp    = SystemBase + "/CodeSystem/device-property"
	SystemRequestParam  = SystemBase + "/CodeSystem/device-request-parameter"

	// SystemHCPCS is CMS's HCPCS Level II code system as Blue Button and
	// CARIN name it; modifiers are codes of the same set.
	SystemHCPCS = "https://bluebutton.cms.gov/resources/codesystem/hcpcs"
	// SystemICD10CM is ICD-10-CM, the diagnoses of orders.
	SystemICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"

	SystemNPI = "http://hl7.org/fhir/sid/us-npi"
	SystemMBI = "http://hl7.org/fhir/sid/us-mbi"
	SystemSSN = "http://hl7.org/fhir/sid/us-ssn"

	// systemIdentifierType is HL7 v2 table 0203, the usual vocabulary of
	// Identifier.type.
	systemIdentifierType = "http://terminology.hl7.org/CodeSystem/v2-0203"
)

// IdentifierType is an Identifier.type coded in v2 table 0203.
func IdentifierType(code, display string) *CodeableConcept {
	return &CodeableConcept{Coding: []Coding{{System: systemIdentifierType, Code: code, Display: display}}}
}

// NewMeta builds Meta from a service etag ("42" or W/"42") and the resource's
// update time (create time when never updated).
func NewMeta(etag string, updated, created *timestamppb.Timestamp) *Meta {
	m := &Meta{VersionID: versionID(etag)}
	if t := updated; t != nil {
		m.LastUpdated = Instant(t)
	} else if created != nil {
		m.LastUpdated = Instant(created)
	}
	if *m == (Meta{}) {
		return nil
	}
	return m
}

// versionID is the opaque version inside a service etag: FHIR's versionId
// and ETag W/"versionId" are the same value.
func versionID(etag string) string {
	return strings.Trim(strings.TrimPrefix(etag, "W/"), `"`)
}

// Instant renders a timestamp as a FHIR instant (RFC 3339 in UTC).
func Instant(t *timestamppb.Timestamp) string {
	return t.AsTime().UTC().Format(time.RFC3339Nano)
}

// Date renders a google.type.Date as a FHIR date: YYYY, YYYY-MM or
// YYYY-MM-DD as far as it is known; "" for none.
func Date(d *date.Date) string {
	if d == nil || d.GetYear() == 0 {
		return ""
	}
	s := pad(int(d.GetYear()), 4)
	if d.GetMonth() == 0 {
		return s
	}
	s += "-" + pad(int(d.GetMonth()), 2)
	if d.GetDay() == 0 {
		return s
	}
	return s + "-" + pad(int(d.GetDay()), 2)
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// NewAddress converts a postal address; nil for none. use and typ are FHIR's
// Address.use and Address.type codes ("" to leave them out).
func NewAddress(a *commonv1.PostalAddress, use, typ string) *Address {
	if a == nil {
		return nil
	}
	out := &Address{Use: use, Type: typ, City: a.GetCity(), State: a.GetState(), PostalCode: a.GetPostalCode()}
	for _, l := range []string{a.GetLine1(), a.GetLine2()} {
		if l != "" {
			out.Line = append(out.Line, l)
		}
	}
	if out.Line == nil && out.City == "" && out.State == "" && out.PostalCode == "" {
		return nil
	}
	return out
}

// Addresses collects the non-nil addresses.
func Addresses(as ...*Address) []Address {
	var out []Address
	for _, a := range as {
		if a != nil {
			out = append(out, *a)
		}
	}
	return out
}

// Phone converts a phone number to a ContactPoint; nil for none. The kind
// decides system and use (FAX is a fax system, the others phone uses). An
// extension has no FHIR element of its own, so it follows the number as
// " ext. 12", the way it would be dialled by a person.
func Phone(p *commonv1.PhoneNumber) *ContactPoint {
	if p == nil || p.GetNumber() == "" {
		return nil
	}
	c := &ContactPoint{System: "phone", Value: p.GetNumber()}
	if ext := p.GetExtension(); ext != "" {
		c.Value += " ext. " + ext
	}
	switch p.GetKind() {
	case commonv1.PhoneKind_PHONE_KIND_HOME:
		c.Use = "home"
	case commonv1.PhoneKind_PHONE_KIND_MOBILE:
		c.Use = "mobile"
	case commonv1.PhoneKind_PHONE_KIND_WORK:
		c.Use = "work"
	case commonv1.PhoneKind_PHONE_KIND_FAX:
		c.System = "fax"
	}
	return c
}

// ContactPoints collects the non-nil contact points.
func ContactPoints(cs ...*ContactPoint) []ContactPoint {
	var out []ContactPoint
	for _, c := range cs {
		if c != nil {
			out = append(out, *c)
		}
	}
	return out
}

// Ref returns a relative reference to typ/id; nil without an id.
func Ref(typ, id string) *Reference {
	if id == "" {
		return nil
	}
	return &Reference{Reference: typ + "/" + id}
}

// NonEmpty returns the non-empty strings of ss, nil when there are none.
func NonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Composite ids. Some services address a record only under its parent
// (a coverage under its patient, an order line under its order), and the
// facade reads nothing but their gRPC APIs, so a FHIR id must carry both
// UUIDs. Two UUIDs with their dashes and a separator are 73 characters,
// more than FHIR's 64, so a composite id is both UUIDs as 32 lower-case hex
// digits each, parent first, concatenated: exactly 64 characters, split by
// position. Clients treat ids as opaque, as FHIR requires; the shape is
// documented so support staff can read one.

// compositePattern is the shape of a composite id.
var compositePattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// CompositeID joins a parent's and a child's UUID; "" when either is
// missing, so the resource goes without an id rather than with a wrong one.
func CompositeID(parent, child string) string {
	p, c := CompactUUID(parent), CompactUUID(child)
	if p == "" || c == "" {
		return ""
	}
	return p + c
}

// SplitID splits a composite id into its parent's and child's canonical
// UUIDs; ok is false for anything compositeID cannot have produced.
func SplitID(id string) (parent, child string, ok bool) {
	if !compositePattern.MatchString(id) {
		return "", "", false
	}
	return dashed(id[:32]), dashed(id[32:]), true
}

// CompactUUID is a UUID as 32 lower-case hex digits; "" when u is not one.
func CompactUUID(u string) string {
	c := strings.ToLower(strings.ReplaceAll(u, "-", ""))
	if len(c) != 32 || strings.Trim(c, "0123456789abcdef") != "" {
		return ""
	}
	return c
}

func dashed(h string) string {
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Code systems and extensions of the intake.
const (
	// SystemLineType codes how an order line is sold and billed.
	SystemLineType = SystemBase + "/CodeSystem/line-type"
	// SystemItemCode names a supplier's item by its code ("AS11").
	SystemItemCode = SystemBase + "/sid/item-code"
	// SystemWarehouseExtension is the extension naming an order's
	// warehouse (valueReference Location/<id>).
	SystemWarehouseExtension = SystemBase + "/StructureDefinition/warehouse"
)

// JoinNonEmpty joins the non-empty strings of ss with spaces.
func JoinNonEmpty(ss ...string) string {
	out := ""
	for _, s := range NonEmpty(ss...) {
		if out != "" {
			out += " "
		}
		out += s
	}
	return out
}
