// Package peers asks the services that own what orders refers to: company
// for branches and warehouses, clinical for patients' written orders,
// coverages, payers and readiness, serials for items and units. Calls carry
// the caller's own token (platform/peer), so the owner checks the caller's
// permission and tenant, and audits the read.
package peers

import (
	"context"
	"strings"

	"google.golang.org/grpc"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/peer"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// Peers implements app.Peers over the three services' gRPC APIs.
type Peers struct {
	Companies     companyv1.CompanyServiceClient
	Locations     companyv1.LocationServiceClient
	Prescribers   clinicalv1.PrescriberServiceClient
	Payers        clinicalv1.PayerServiceClient
	WrittenOrders clinicalv1.WrittenOrderServiceClient
	CoverageAPI   clinicalv1.CoverageServiceClient
	ReadinessAPI  clinicalv1.ReadinessServiceClient
	Items         serialsv1.ItemServiceClient
	Units         serialsv1.UnitServiceClient
}

// New asks company, clinical and serials over their connections.
func New(company, clinical, serials grpc.ClientConnInterface) Peers {
	return Peers{
		Companies:     companyv1.NewCompanyServiceClient(company),
		Locations:     companyv1.NewLocationServiceClient(company),
		Prescribers:   clinicalv1.NewPrescriberServiceClient(clinical),
		Payers:        clinicalv1.NewPayerServiceClient(clinical),
		WrittenOrders: clinicalv1.NewWrittenOrderServiceClient(clinical),
		CoverageAPI:   clinicalv1.NewCoverageServiceClient(clinical),
		ReadinessAPI:  clinicalv1.NewReadinessServiceClient(clinical),
		Items:         serialsv1.NewItemServiceClient(serials),
		Units:         serialsv1.NewUnitServiceClient(serials),
	}
}

var _ app.Peers = Peers{}

// Item returns serials' item.
func (p Peers) Item(ctx context.Context, field, id string) (app.Item, error) {
	it, err := p.Items.GetItem(ctx, &serialsv1.GetItemRequest{Id: id})
	if err != nil {
		return app.Item{}, peer.Refusal(err, field, "serials", "names no item of the company", "items.read")
	}
	return app.Item{ID: it.GetId(), HCPCS: it.GetHcpcs(), Serialized: it.GetSerialized()}, nil
}

// CheckPayer accepts a payer of clinical's.
func (p Peers) CheckPayer(ctx context.Context, field, id string) error {
	if _, err := p.Payers.GetPayer(ctx, &clinicalv1.GetPayerRequest{Id: id}); err != nil {
		return peer.Refusal(err, field, "clinical", "names no payer of the company", "payers.read")
	}
	return nil
}

// CheckLocation accepts a live company location, a warehouse when asked.
func (p Peers) CheckLocation(ctx context.Context, field, id string, warehouse bool) error {
	loc, err := p.Locations.GetLocation(ctx, &companyv1.GetLocationRequest{Id: id})
	if err != nil {
		return peer.Refusal(err, field, "company", "names no location of the company", "locations.read")
	}
	switch {
	case loc.GetDeleteTime() != nil:
		return errs.Invalid(errs.FieldViolation{Field: field, Description: "names a deleted location"})
	case warehouse && loc.GetType() != companyv1.LocationType_LOCATION_TYPE_WAREHOUSE:
		return errs.Invalid(errs.FieldViolation{Field: field, Description: "names a location that is not a warehouse"})
	}
	return nil
}

// WrittenOrder returns clinical's written order.
func (p Peers) WrittenOrder(ctx context.Context, field, id string) (app.WrittenOrder, error) {
	wo, err := p.WrittenOrders.GetWrittenOrder(ctx, &clinicalv1.GetWrittenOrderRequest{Id: id})
	if err != nil {
		return app.WrittenOrder{}, peer.Refusal(err, field, "clinical", "names no written order of the company", "written_orders.read")
	}
	return app.WrittenOrder{ID: wo.GetId(), PatientID: wo.GetPatientId(), PrescriberID: wo.GetPrescriberId(),
		Revoked: wo.GetStatus() == clinicalv1.WrittenOrderStatus_WRITTEN_ORDER_STATUS_REVOKED}, nil
}

// Coverages returns the patient's coverages in force on day, by rank.
func (p Peers) Coverages(ctx context.Context, field, patientID string, day civil.Date) ([]domain.Coverage, error) {
	var out []domain.Coverage
	token := ""
	for {
		resp, err := p.CoverageAPI.ListCoverages(ctx, &clinicalv1.ListCoveragesRequest{PatientId: patientID, PageSize: 100, PageToken: token})
		if err != nil {
			return nil, peer.Refusal(err, field, "clinical", "names no patient of the company", "coverages.read")
		}
		for _, c := range resp.GetCoverages() {
			from, to := protoconv.Date(c.GetEffectiveDate()), protoconv.Date(c.GetEndDate())
			if (!from.IsZero() && day.Before(from)) || (!to.IsZero() && day.After(to)) {
				continue
			}
			out = append(out, domain.Coverage{Rank: c.GetRank(), CoverageID: c.GetId(), PayerID: c.GetPayerId()})
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	domain.SortCoverages(out)
	return out, nil
}

// Readiness returns what clinical finds missing.
func (p Peers) Readiness(ctx context.Context, patientID string, hcpcs []string, day civil.Date) ([]app.Gap, error) {
	report, err := p.ReadinessAPI.CheckReadiness(ctx, &clinicalv1.CheckReadinessRequest{
		PatientId: patientID, HcpcsCodes: hcpcs, DateOfService: protoconv.DateProto(day),
	})
	if err != nil {
		return nil, peer.Refusal(err, "patientId", "clinical", "names no patient of the company", "patients.read")
	}
	gaps := make([]app.Gap, len(report.GetMissing()))
	for i, r := range report.GetMissing() {
		gaps[i] = app.Gap{Code: strings.TrimPrefix(r.GetCode().String(), "REQUIREMENT_CODE_"), HCPCS: r.GetHcpcs(),
			Resource: r.GetResource(), Description: r.GetDescription()}
	}
	return gaps, nil
}

// ReserveUnit holds a unit for an order line in serials. Serials' answer
// (no unit free, the named one recalled, serials unreachable) is returned
// as its status, which the caller sees unchanged.
func (p Peers) ReserveUnit(ctx context.Context, lineID, itemID, warehouseID, serial string) (app.Unit, error) {
	u, err := p.Units.ReserveUnit(ctx, &serialsv1.ReserveUnitRequest{
		OrderLineId: lineID, ItemId: itemID, WarehouseId: warehouseID, SerialNumber: serial,
	})
	if err != nil {
		return app.Unit{}, err
	}
	return app.Unit{ID: u.GetId(), SerialNumber: u.GetSerialNumber(), ItemID: u.GetItemId()}, nil
}

// ReleaseUnit lets go of what serials holds for an order line.
func (p Peers) ReleaseUnit(ctx context.Context, lineID string) error {
	if _, err := p.Units.ReleaseUnit(ctx, &serialsv1.ReleaseUnitRequest{OrderLineId: lineID}); err != nil {
		return err
	}
	return nil
}

// Serial returns the unit with serial number serial of item.
func (p Peers) Serial(ctx context.Context, field, serial, itemID string) (app.Unit, error) {
	v, err := p.Units.ValidateSerial(ctx, &serialsv1.ValidateSerialRequest{
		SerialNumber: serial, ItemId: itemID, Operation: serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RENT,
	})
	if err != nil {
		return app.Unit{}, peer.Refusal(err, field, "serials", "names no unit of the item", "serials.read")
	}
	if v.GetUnitId() == "" || v.GetItemId() != itemID {
		return app.Unit{}, errs.Invalid(errs.FieldViolation{Field: field, Description: "names no unit of the line's item"})
	}
	return app.Unit{ID: v.GetUnitId(), SerialNumber: v.GetSerialNumber(), ItemID: v.GetItemId()}, nil
}

// PrescriberNPI returns the prescriber's NPI.
func (p Peers) PrescriberNPI(ctx context.Context, prescriberID string) (string, error) {
	pr, err := p.Prescribers.GetPrescriber(ctx, &clinicalv1.GetPrescriberRequest{Id: prescriberID})
	if err != nil {
		return "", peer.Refusal(err, "writtenOrderId", "clinical", "names a written order whose prescriber is gone", "prescribers.read")
	}
	return pr.GetNpi(), nil
}

// RenderingNPI returns the branch's NPI, or the company's when the branch
// has none.
func (p Peers) RenderingNPI(ctx context.Context, branchID string) (string, error) {
	loc, err := p.Locations.GetLocation(ctx, &companyv1.GetLocationRequest{Id: branchID})
	if err != nil {
		return "", peer.Refusal(err, "branchId", "company", "names no location of the company", "locations.read")
	}
	if npi := loc.GetNpi(); npi != "" {
		return npi, nil
	}
	c, err := p.Companies.GetCompany(ctx, &companyv1.GetCompanyRequest{})
	if err != nil {
		return "", peer.Refusal(err, "branchId", "company", "names a branch of no company", "company.read")
	}
	return c.GetNpi(), nil
}
