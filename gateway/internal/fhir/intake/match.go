package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ariesone/ariesone/gateway/internal/fhir/coverage"
	"github.com/ariesone/ariesone/gateway/internal/fhir/patient"
	"github.com/ariesone/ariesone/gateway/internal/fhir/practitioner"
	"github.com/ariesone/ariesone/gateway/internal/fhir/r4"
	"github.com/ariesone/ariesone/gateway/internal/fhir/restful"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	ordersv1 "github.com/ariesone/ariesone/gen/go/ariesone/orders/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
)

// Matching what an intake names to the supplier's records. Each function
// answers the record, a *problems naming the element that matched nothing,
// or the service's error (a denied permission, an outage) as it came.

// resolve follows a reference to a matched Bundle entry of type typ; ok is
// false when it names none.
func resolve(ref *r4.Reference, typ string, entries map[string]*restful.Matched, path string) (*restful.Matched, bool, error) {
	if ref == nil || ref.Reference == "" {
		return nil, false, nil
	}
	m, ok := entries[ref.Reference]
	if !ok {
		return nil, false, nil
	}
	if m.Type != typ {
		return nil, false, restful.Unmatched(path, "references "+m.Path+", a "+m.Type+"; a "+typ+" is expected")
	}
	return m, true, nil
}

// patient resolves the DeviceRequest's subject.
func (in *Intake) patient(ctx context.Context, path string, ref *r4.Reference, entries map[string]*restful.Matched) (*clinicalv1.Patient, error) {
	if m, ok, err := resolve(ref, "Patient", entries, path); err != nil || ok {
		if m == nil {
			return nil, err
		}
		return m.Patient, nil
	}
	switch {
	case ref == nil:
		return nil, restful.Unmatched(path, "the patient (subject) is required")
	case ref.Reference != "":
		id, ok := localID(ref, "Patient")
		if !ok {
			return nil, restful.Unmatched(path, "must reference a Patient of this Bundle (its fullUrl), Patient/<id>, or name the patient by identifier")
		}
		p, err := in.c.Patients.GetPatient(ctx, &clinicalv1.GetPatientRequest{Id: id}, restful.Header(ctx))
		if status.Code(err) == codes.NotFound {
			return nil, restful.Unmatched(path, "no patient "+id)
		}
		return p, err
	case ref.Identifier != nil:
		return in.matchPatient(ctx, path+".identifier", []r4.Identifier{*ref.Identifier}, "")
	}
	return nil, restful.Unmatched(path, "the patient (subject) is required")
}

// matchPatient finds the one patient an identifier names (MBI or account
// number); birthDate, when given, must be the patient's too, so a mistyped
// MBI that happens to be another patient's is caught.
func (in *Intake) matchPatient(ctx context.Context, path string, ids []r4.Identifier, birthDate string) (*clinicalv1.Patient, error) {
	for i, id := range ids {
		req := &clinicalv1.SearchPatientsRequest{PageSize: 2, ShowInactive: true}
		switch id.System {
		case r4.SystemMBI:
			req.Mbi = strings.ToUpper(strings.ReplaceAll(id.Value, "-", ""))
		case r4.SystemAccountNumber:
			req.AccountNumber = id.Value
		default:
			continue
		}
		at := path
		if len(ids) > 1 || !strings.HasSuffix(path, ".identifier") {
			at = fmt.Sprintf("%s[%d]", path, i)
		}
		resp, err := in.c.Patients.SearchPatients(ctx, req, restful.Header(ctx))
		if status.Code(err) == codes.InvalidArgument {
			return nil, restful.Unmatched(at, "not a valid "+id.System+" value")
		}
		if err != nil {
			return nil, err
		}
		found := resp.GetPatients()
		switch {
		case len(found) == 0:
			return nil, restful.Unmatched(at, "no patient of the supplier has this identifier; register the patient first")
		case len(found) > 1:
			return nil, restful.Unmatched(at, "several patients have this identifier; name the patient by id")
		case birthDate != "" && r4.Date(found[0].GetBirthDate()) != birthDate:
			return nil, restful.Unmatched(strings.TrimSuffix(path, ".identifier")+".birthDate", "the patient with this identifier has another birth date")
		}
		return found[0], nil
	}
	return nil, restful.Unmatched(path, "a patient is matched by MBI ("+r4.SystemMBI+") or account number ("+r4.SystemAccountNumber+")")
}

// prescriber resolves the DeviceRequest's requester to a prescriber id.
func (in *Intake) prescriber(ctx context.Context, path string, ref *r4.Reference, entries map[string]*restful.Matched) (string, error) {
	if m, ok, err := resolve(ref, "Practitioner", entries, path); err != nil || ok {
		if m == nil {
			return "", err
		}
		return m.ID, nil
	}
	switch {
	case ref == nil:
		return "", restful.Unmatched(path, "the prescriber (requester) is required")
	case ref.Reference != "":
		id, ok := localID(ref, "Practitioner")
		if !ok {
			return "", restful.Unmatched(path, "must reference a Practitioner of this Bundle (its fullUrl), Practitioner/<id>, or name the prescriber by NPI")
		}
		_, err := in.c.Prescribers.GetPrescriber(ctx, &clinicalv1.GetPrescriberRequest{Id: id}, restful.Header(ctx))
		if status.Code(err) == codes.NotFound {
			return "", restful.Unmatched(path, "no prescriber "+id)
		}
		return id, err
	case ref.Identifier != nil:
		return in.matchPrescriber(ctx, path+".identifier", []r4.Identifier{*ref.Identifier})
	}
	return "", restful.Unmatched(path, "the prescriber (requester) is required")
}

// matchPrescriber finds the active prescriber an NPI names.
func (in *Intake) matchPrescriber(ctx context.Context, path string, ids []r4.Identifier) (string, error) {
	for i, id := range ids {
		if id.System != r4.SystemNPI {
			continue
		}
		at := path
		if len(ids) > 1 || !strings.HasSuffix(path, ".identifier") {
			at = fmt.Sprintf("%s[%d]", path, i)
		}
		resp, err := in.c.Prescribers.ListPrescribers(ctx, &clinicalv1.ListPrescribersRequest{Npi: id.Value, PageSize: 1}, restful.Header(ctx))
		if status.Code(err) == codes.InvalidArgument {
			return "", restful.Unmatched(at, "not a valid NPI: 10 digits starting with 1 or 2, the last a Luhn check digit")
		}
		if err != nil {
			return "", err
		}
		if len(resp.GetPrescribers()) == 0 {
			return "", restful.Unmatched(at, "no active prescriber with NPI "+id.Value+" is registered with the supplier")
		}
		return resp.GetPrescribers()[0].GetId(), nil
	}
	return "", restful.Unmatched(path, "a practitioner is matched by NPI ("+r4.SystemNPI+")")
}

// insurance checks that a reference names a coverage of the patient.
func (in *Intake) insurance(ctx context.Context, path string, ref *r4.Reference, patientID string, entries map[string]*restful.Matched) error {
	if m, ok, err := resolve(ref, "Coverage", entries, path); err != nil || ok {
		if m != nil && !strings.HasPrefix(m.ID, r4.CompactUUID(patientID)) {
			return restful.Unmatched(path, "references "+m.Path+", a coverage of another patient")
		}
		return err
	}
	id := ""
	if t, v, ok := strings.Cut(ref.Reference, "/"); ok && t == "Coverage" {
		id = v
	}
	parent, coverage, ok := r4.SplitID(id)
	if !ok {
		return restful.Unmatched(path, "must reference a Coverage of this Bundle (its fullUrl) or Coverage/<id>")
	}
	if parent != patientID {
		return restful.Unmatched(path, "names a coverage of another patient")
	}
	_, err := in.c.Coverages.GetCoverage(ctx, &clinicalv1.GetCoverageRequest{PatientId: parent, Id: coverage}, restful.Header(ctx))
	if status.Code(err) == codes.NotFound {
		return restful.Unmatched(path, "no coverage "+id)
	}
	return err
}

// matchCoverage finds the coverage of patientID whose member id is the
// Coverage's subscriberId (or member-number identifier).
func (in *Intake) matchCoverage(ctx context.Context, path string, c *coverage.Coverage, patientID string) (string, error) {
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
		return "", restful.Unmatched(path+".subscriberId", "a coverage is matched by the member id (subscriberId) among the patient's coverages")
	}
	token := ""
	for range restful.MaxParentPages {
		resp, err := in.c.Coverages.ListCoverages(ctx, &clinicalv1.ListCoveragesRequest{PatientId: patientID, PageSize: 100, PageToken: token}, restful.Header(ctx))
		if err != nil {
			return "", err
		}
		for _, cov := range resp.GetCoverages() {
			if strings.EqualFold(cov.GetMemberId(), member) {
				return coverage.ID(patientID, cov.GetId()), nil
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	return "", restful.Unmatched(at, "the patient has no coverage with this member id")
}

// item chooses the line's item: the active item billed under its HCPCS
// code, or among several the one itemCode names.
func (in *Intake) item(ctx context.Context, path string, line *ordersv1.OrderLine, itemCode string) error {
	resp, err := in.c.Items.ListItems(ctx, &serialsv1.ListItemsRequest{Hcpcs: line.GetHcpcs(), PageSize: 100}, restful.Header(ctx))
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
		return restful.Unmatched(path, "no active item with code "+itemCode+" is billed under "+line.GetHcpcs())
	case len(codes) == 1:
		line.ItemId = resp.GetItems()[0].GetId()
		return nil
	case len(codes) == 0:
		return restful.Unmatched(path, "the supplier has no active item billed under "+line.GetHcpcs())
	}
	return restful.Unmatched(path, "several items are billed under "+line.GetHcpcs()+" ("+strings.Join(codes, ", ")+
		"): name one with a coding in "+r4.SystemItemCode)
}

// onlyWarehouse is the company's warehouse when it has exactly one.
func (in *Intake) onlyWarehouse(ctx context.Context, path string) (string, error) {
	resp, err := in.c.Locations.ListLocations(ctx, &companyv1.ListLocationsRequest{
		Type: companyv1.LocationType_LOCATION_TYPE_WAREHOUSE, PageSize: 2,
	}, restful.Header(ctx))
	if err != nil {
		return "", err
	}
	switch n := len(resp.GetLocations()); {
	case n == 1:
		return resp.GetLocations()[0].GetId(), nil
	case n == 0:
		return "", restful.Unmatched(path, "the supplier has no warehouse to fill the order from")
	}
	return "", restful.Unmatched(path+".extension", "the supplier has several warehouses: name one with the extension "+r4.SystemWarehouseExtension+" (valueReference Location/<id>)")
}

// writtenOrder is the written order the order fulfils: the patient's
// signed order from the prescriber that lists every code, or else a draft
// written from the DeviceRequests (keyed like the order, so a retry reuses
// it), which the supplier has signed before the order can go ahead.
func (in *Intake) writtenOrder(ctx context.Context, key, patientID, prescriberID string, items []*clinicalv1.WrittenOrderItem, orderDate *date.Date, diagnoses []string) (string, error) {
	token := ""
	for range restful.MaxParentPages {
		resp, err := in.c.Written.ListWrittenOrders(ctx, &clinicalv1.ListWrittenOrdersRequest{
			PatientId: patientID, Status: clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_SIGNED, PageSize: 100, PageToken: token,
		}, restful.Header(ctx))
		if err != nil {
			return "", err
		}
		for _, wo := range resp.GetWrittenOrders() {
			if wo.GetPrescriberId() == prescriberID && listsEvery(wo, items) {
				return wo.GetId(), nil
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	wo, err := in.c.Written.CreateWrittenOrder(ctx, &clinicalv1.CreateWrittenOrderRequest{
		RequestId: requestID("written-order", key),
		WrittenOrder: &clinicalv1.WrittenOrder{
			PatientId: patientID, PrescriberId: prescriberID, OrderDate: orderDate, Diagnoses: diagnoses, Items: items,
		},
	}, restful.Header(ctx))
	if err != nil {
		return "", err
	}
	return wo.GetId(), nil
}

// listsEvery reports whether wo lists every item's code.
func listsEvery(wo *clinicalv1.WrittenOrder, items []*clinicalv1.WrittenOrderItem) bool {
	for _, want := range items {
		if !slices.ContainsFunc(wo.GetItems(), func(it *clinicalv1.WrittenOrderItem) bool {
			return strings.EqualFold(it.GetHcpcs(), want.GetHcpcs())
		}) {
			return false
		}
	}
	return true
}

// MatchPatient matches a transaction's Patient by identifier.
func (in *Intake) MatchPatient(ctx context.Context, raw json.RawMessage, path string, _ map[string]*restful.Matched) (*restful.Matched, error) {
	var p patient.Patient
	if err := restful.DecodeResource(raw, "Patient", path, &p); err != nil {
		return nil, err
	}
	found, err := in.matchPatient(ctx, path+".identifier", p.Identifier, p.BirthDate)
	if err != nil {
		return nil, err
	}
	return &restful.Matched{ID: found.GetId(), Patient: found}, nil
}

// MatchPractitioner matches a transaction's Practitioner by NPI.
func (in *Intake) MatchPractitioner(ctx context.Context, raw json.RawMessage, path string, _ map[string]*restful.Matched) (*restful.Matched, error) {
	var p practitioner.Practitioner
	if err := restful.DecodeResource(raw, "Practitioner", path, &p); err != nil {
		return nil, err
	}
	id, err := in.matchPrescriber(ctx, path+".identifier", p.Identifier)
	if err != nil {
		return nil, err
	}
	return &restful.Matched{ID: id}, nil
}

// MatchCoverage matches a transaction's Coverage among its
// beneficiary's coverages by member id.
func (in *Intake) MatchCoverage(ctx context.Context, raw json.RawMessage, path string, entries map[string]*restful.Matched) (*restful.Matched, error) {
	var c coverage.Coverage
	if err := restful.DecodeResource(raw, "Coverage", path, &c); err != nil {
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
	return &restful.Matched{ID: id}, nil
}
