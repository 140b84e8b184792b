package fhir

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
)

// Matching what an intake names to the supplier's records. Each function
// answers the record, a *problems naming the element that matched nothing,
// or the service's error (a denied permission, an outage) as it came.

// problems are the issues of a refused submission, each naming its element.
type problems struct {
	issues []Issue
	status int
}

// add records an element that breaks a rule: 422, FHIR's status for a
// resource that parses but cannot be processed.
func (p *problems) add(expression, diag string) {
	p.addStatus(http.StatusUnprocessableEntity, IssueProcessing, expression, diag)
}

func (p *problems) addStatus(status int, code, expression, diag string) {
	if p.status == 0 || status == http.StatusBadRequest {
		p.status = status
	}
	p.issues = append(p.issues, Issue{Severity: "error", Code: code, Diagnostics: diag, Expression: []string{expression}})
}

func (p *problems) err() error {
	if p == nil || len(p.issues) == 0 {
		return nil
	}
	return p
}

func (p *problems) Error() string { return p.issues[0].Diagnostics }

// unmatched is the error of one element that matched no record.
func unmatched(expression, diag string) error {
	p := &problems{}
	p.add(expression, diag)
	return p
}

// decodeResource parses raw as a resource of type typ into out; modifier
// extensions and implicit rules are refused, since they may change the
// meaning of elements the intake reads.
func decodeResource(raw json.RawMessage, typ, path string, out any) error {
	var head struct {
		ResourceType      string            `json:"resourceType"`
		ImplicitRules     string            `json:"implicitRules"`
		ModifierExtension []json.RawMessage `json:"modifierExtension"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return &Error{Status: http.StatusBadRequest, Code: IssueStructure, Diagnostics: path + " is not a JSON resource: " + err.Error()}
	}
	var p problems
	switch {
	case head.ResourceType != typ:
		p.addStatus(http.StatusBadRequest, IssueStructure, path+".resourceType", "expected a "+typ+", got "+fmt.Sprintf("%q", head.ResourceType))
	case head.ImplicitRules != "":
		p.add(path+".implicitRules", "implicit rules are not supported")
	case len(head.ModifierExtension) > 0:
		p.add(path+".modifierExtension", "modifier extensions are not supported: they could change what the resource means")
	}
	if err := p.err(); err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &Error{Status: http.StatusBadRequest, Code: IssueStructure, Diagnostics: path + " does not parse as a " + typ + ": " + err.Error()}
	}
	return nil
}

// resolve follows a reference to a matched Bundle entry of type typ; ok is
// false when it names none.
func resolve(ref *Reference, typ string, entries map[string]*matched, path string) (*matched, bool, error) {
	if ref == nil || ref.Reference == "" {
		return nil, false, nil
	}
	m, ok := entries[ref.Reference]
	if !ok {
		return nil, false, nil
	}
	if m.typ != typ {
		return nil, false, unmatched(path, "references "+m.path+", a "+m.typ+"; a "+typ+" is expected")
	}
	return m, true, nil
}

// patient resolves the DeviceRequest's subject.
func (in *intake) patient(ctx context.Context, path string, ref *Reference, entries map[string]*matched) (*clinicalv1.Patient, error) {
	if m, ok, err := resolve(ref, "Patient", entries, path); err != nil || ok {
		if m == nil {
			return nil, err
		}
		return m.patient, nil
	}
	switch {
	case ref == nil:
		return nil, unmatched(path, "the patient (subject) is required")
	case ref.Reference != "":
		id, ok := localID(ref, "Patient")
		if !ok {
			return nil, unmatched(path, "must reference a Patient of this Bundle (its fullUrl), Patient/<id>, or name the patient by identifier")
		}
		p, err := in.patients.GetPatient(ctx, &clinicalv1.GetPatientRequest{Id: id}, header(ctx))
		if status.Code(err) == codes.NotFound {
			return nil, unmatched(path, "no patient "+id)
		}
		return p, err
	case ref.Identifier != nil:
		return in.matchPatient(ctx, path+".identifier", []Identifier{*ref.Identifier}, "")
	}
	return nil, unmatched(path, "the patient (subject) is required")
}

// matchPatient finds the one patient an identifier names (MBI or account
// number); birthDate, when given, must be the patient's too, so a mistyped
// MBI that happens to be another patient's is caught.
func (in *intake) matchPatient(ctx context.Context, path string, ids []Identifier, birthDate string) (*clinicalv1.Patient, error) {
	for i, id := range ids {
		req := &clinicalv1.SearchPatientsRequest{PageSize: 2, ShowInactive: true}
		switch id.System {
		case SystemMBI:
			req.Mbi = strings.ToUpper(strings.ReplaceAll(id.Value, "-", ""))
		case SystemAccountNumber:
			req.AccountNumber = id.Value
		default:
			continue
		}
		at := path
		if len(ids) > 1 || !strings.HasSuffix(path, ".identifier") {
			at = fmt.Sprintf("%s[%d]", path, i)
		}
		resp, err := in.patients.SearchPatients(ctx, req, header(ctx))
		if status.Code(err) == codes.InvalidArgument {
			return nil, unmatched(at, "not a valid "+id.System+" value")
		}
		if err != nil {
			return nil, err
		}
		found := resp.GetPatients()
		switch {
		case len(found) == 0:
			return nil, unmatched(at, "no patient of the supplier has this identifier; register the patient first")
		case len(found) > 1:
			return nil, unmatched(at, "several patients have this identifier; name the patient by id")
		case birthDate != "" && fhirDate(found[0].GetBirthDate()) != birthDate:
			return nil, unmatched(strings.TrimSuffix(path, ".identifier")+".birthDate", "the patient with this identifier has another birth date")
		}
		return found[0], nil
	}
	return nil, unmatched(path, "a patient is matched by MBI ("+SystemMBI+") or account number ("+SystemAccountNumber+")")
}

// prescriber resolves the DeviceRequest's requester to a prescriber id.
func (in *intake) prescriber(ctx context.Context, path string, ref *Reference, entries map[string]*matched) (string, error) {
	if m, ok, err := resolve(ref, "Practitioner", entries, path); err != nil || ok {
		if m == nil {
			return "", err
		}
		return m.id, nil
	}
	switch {
	case ref == nil:
		return "", unmatched(path, "the prescriber (requester) is required")
	case ref.Reference != "":
		id, ok := localID(ref, "Practitioner")
		if !ok {
			return "", unmatched(path, "must reference a Practitioner of this Bundle (its fullUrl), Practitioner/<id>, or name the prescriber by NPI")
		}
		_, err := in.prescribers.GetPrescriber(ctx, &clinicalv1.GetPrescriberRequest{Id: id}, header(ctx))
		if status.Code(err) == codes.NotFound {
			return "", unmatched(path, "no prescriber "+id)
		}
		return id, err
	case ref.Identifier != nil:
		return in.matchPrescriber(ctx, path+".identifier", []Identifier{*ref.Identifier})
	}
	return "", unmatched(path, "the prescriber (requester) is required")
}

// matchPrescriber finds the active prescriber an NPI names.
func (in *intake) matchPrescriber(ctx context.Context, path string, ids []Identifier) (string, error) {
	for i, id := range ids {
		if id.System != SystemNPI {
			continue
		}
		at := path
		if len(ids) > 1 || !strings.HasSuffix(path, ".identifier") {
			at = fmt.Sprintf("%s[%d]", path, i)
		}
		resp, err := in.prescribers.ListPrescribers(ctx, &clinicalv1.ListPrescribersRequest{Npi: id.Value, PageSize: 1}, header(ctx))
		if status.Code(err) == codes.InvalidArgument {
			return "", unmatched(at, "not a valid NPI: 10 digits starting with 1 or 2, the last a Luhn check digit")
		}
		if err != nil {
			return "", err
		}
		if len(resp.GetPrescribers()) == 0 {
			return "", unmatched(at, "no active prescriber with NPI "+id.Value+" is registered with the supplier")
		}
		return resp.GetPrescribers()[0].GetId(), nil
	}
	return "", unmatched(path, "a practitioner is matched by NPI ("+SystemNPI+")")
}

// insurance checks that a reference names a coverage of the patient.
func (in *intake) insurance(ctx context.Context, path string, ref *Reference, patientID string, entries map[string]*matched) error {
	if m, ok, err := resolve(ref, "Coverage", entries, path); err != nil || ok {
		if m != nil && !strings.HasPrefix(m.id, compactUUID(patientID)) {
			return unmatched(path, "references "+m.path+", a coverage of another patient")
		}
		return err
	}
	id := ""
	if t, v, ok := strings.Cut(ref.Reference, "/"); ok && t == "Coverage" {
		id = v
	}
	parent, coverage, ok := splitID(id)
	if !ok {
		return unmatched(path, "must reference a Coverage of this Bundle (its fullUrl) or Coverage/<id>")
	}
	if parent != patientID {
		return unmatched(path, "names a coverage of another patient")
	}
	_, err := in.coverages.GetCoverage(ctx, &clinicalv1.GetCoverageRequest{PatientId: parent, Id: coverage}, header(ctx))
	if status.Code(err) == codes.NotFound {
		return unmatched(path, "no coverage "+id)
	}
	return err
}

// matchCoverage finds the coverage of patientID whose member id is the
// Coverage's subscriberId (or member-number identifier).
func (in *intake) matchCoverage(ctx context.Context, path string, c *Coverage, patientID string) (string, error) {
	member, at := c.SubscriberID, path+".subscriberId"
	if member == "" {
		for i, id := range c.Identifier {
			if id.Value != "" {
				member, at = id.Value, fmt.Sprintf("%s.identifier[%d]", path, i)
				break
			}
		}
	}
	if member == "" {
		return "", unmatched(path+".subscriberId", "a coverage is matched by the member id (subscriberId) among the patient's coverages")
	}
	token := ""
	for range maxParentPages {
		resp, err := in.coverages.ListCoverages(ctx, &clinicalv1.ListCoveragesRequest{PatientId: patientID, PageSize: 100, PageToken: token}, header(ctx))
		if err != nil {
			return "", err
		}
		for _, cov := range resp.GetCoverages() {
			if strings.EqualFold(cov.GetMemberId(), member) {
				return CoverageID(patientID, cov.GetId()), nil
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	return "", unmatched(at, "the patient has no coverage with this member id")
}

// item chooses the line's item: the active item billed under its HCPCS
// code, or among several the one itemCode names.
func (in *intake) item(ctx context.Context, path string, line *ordersv1.OrderLine, itemCode string) error {
	resp, err := in.items.ListItems(ctx, &serialsv1.ListItemsRequest{Hcpcs: line.GetHcpcs(), PageSize: 100}, header(ctx))
	if err != nil {
		return err
	}
	var codes []string
	for _, it := range resp.GetItems() {
		if itemCode != "" && strings.EqualFold(it.GetCode(), itemCode) {
			line.ItemId = it.GetId()
			return nil
		}
		codes = append(codes, it.GetCode())
	}
	switch {
	case itemCode != "":
		return unmatched(path, "no active item with code "+itemCode+" is billed under "+line.GetHcpcs())
	case len(codes) == 1:
		line.ItemId = resp.GetItems()[0].GetId()
		return nil
	case len(codes) == 0:
		return unmatched(path, "the supplier has no active item billed under "+line.GetHcpcs())
	}
	return unmatched(path, "several items are billed under "+line.GetHcpcs()+" ("+strings.Join(codes, ", ")+
		"): name one with a coding in "+SystemItemCode)
}

// onlyWarehouse is the company's warehouse when it has exactly one.
func (in *intake) onlyWarehouse(ctx context.Context, path string) (string, error) {
	resp, err := in.locations.ListLocations(ctx, &companyv1.ListLocationsRequest{
		Type: companyv1.LocationType_LOCATION_TYPE_WAREHOUSE, PageSize: 2,
	}, header(ctx))
	if err != nil {
		return "", err
	}
	switch n := len(resp.GetLocations()); {
	case n == 1:
		return resp.GetLocations()[0].GetId(), nil
	case n == 0:
		return "", unmatched(path, "the supplier has no warehouse to fill the order from")
	}
	return "", unmatched(path+".extension", "the supplier has several warehouses: name one with the extension "+SystemWarehouseExtension+" (valueReference Location/<id>)")
}

// writtenOrder is the written order the order fulfils: the patient's signed
// order from the prescriber that lists the code, or else a draft written
// from the DeviceRequest (keyed like the order, so a retry reuses it), which
// the supplier has signed before the order can go ahead.
func (in *intake) writtenOrder(ctx context.Context, key, patientID, prescriberID, hcpcs, desc string, orderDate *date.Date, diagnoses []string) (string, error) {
	token := ""
	for range maxParentPages {
		resp, err := in.written.ListWrittenOrders(ctx, &clinicalv1.ListWrittenOrdersRequest{
			PatientId: patientID, Status: clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_SIGNED, PageSize: 100, PageToken: token,
		}, header(ctx))
		if err != nil {
			return "", err
		}
		for _, wo := range resp.GetWrittenOrders() {
			if wo.GetPrescriberId() != prescriberID {
				continue
			}
			for _, it := range wo.GetItems() {
				if strings.EqualFold(it.GetHcpcs(), hcpcs) {
					return wo.GetId(), nil
				}
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	wo, err := in.written.CreateWrittenOrder(ctx, &clinicalv1.CreateWrittenOrderRequest{
		RequestId: requestID("written-order", key),
		WrittenOrder: &clinicalv1.WrittenOrder{
			PatientId: patientID, PrescriberId: prescriberID, OrderDate: orderDate, Diagnoses: diagnoses,
			Items: []*clinicalv1.WrittenOrderItem{{Hcpcs: hcpcs, Description: desc, Quantity: 1}},
		},
	}, header(ctx))
	if err != nil {
		return "", err
	}
	return wo.GetId(), nil
}

// matchPatientEntry matches a transaction's Patient by identifier.
func (in *intake) matchPatientEntry(ctx context.Context, raw json.RawMessage, path string, _ map[string]*matched) (*matched, error) {
	var p Patient
	if err := decodeResource(raw, "Patient", path, &p); err != nil {
		return nil, err
	}
	found, err := in.matchPatient(ctx, path+".identifier", p.Identifier, p.BirthDate)
	if err != nil {
		return nil, err
	}
	return &matched{id: found.GetId(), patient: found}, nil
}

// matchPractitionerEntry matches a transaction's Practitioner by NPI.
func (in *intake) matchPractitionerEntry(ctx context.Context, raw json.RawMessage, path string, _ map[string]*matched) (*matched, error) {
	var p Practitioner
	if err := decodeResource(raw, "Practitioner", path, &p); err != nil {
		return nil, err
	}
	id, err := in.matchPrescriber(ctx, path+".identifier", p.Identifier)
	if err != nil {
		return nil, err
	}
	return &matched{id: id}, nil
}

// matchCoverageEntry matches a transaction's Coverage among its
// beneficiary's coverages by member id.
func (in *intake) matchCoverageEntry(ctx context.Context, raw json.RawMessage, path string, entries map[string]*matched) (*matched, error) {
	var c Coverage
	if err := decodeResource(raw, "Coverage", path, &c); err != nil {
		return nil, err
	}
	patient, err := in.patient(ctx, path+".beneficiary", c.Beneficiary, entries)
	if err != nil {
		return nil, err
	}
	id, err := in.matchCoverage(ctx, path, &c, patient.GetId())
	if err != nil {
		return nil, err
	}
	return &matched{id: id}, nil
}
