package orderstest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/services/orders/internal/app"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// Peers is an in-memory world of what company, clinical and serials own,
// answering as their APIs do: an unknown id (or one registered for another
// company) is a violation of the field, a caller without the owner's read
// permission is refused, and a service marked down is UNAVAILABLE. The
// peers' own clients are tested against the real services in the
// end-to-end mesh.
type Peers struct {
	mu     sync.Mutex
	items  map[string]app.Item
	payers map[string]bool
	// owners are the companies items and payers were registered for;
	// those of a World belong to every company.
	owners        map[string]string
	locations     map[string]bool // id → is a warehouse
	writtenOrders map[string]app.WrittenOrder
	coverages     map[string][]domain.Coverage
	gaps          map[string][]app.Gap
	// units are the free units of each item, by serial number.
	units map[string][]app.Unit
	// held are the units reserved, by order line.
	held map[string]app.Unit
	// Released lists the order lines whose holds were released.
	Released []string
	// SerialsDown makes serials unreachable (reserve, release, serial).
	SerialsDown bool
	// FailReserveAfter, when positive, refuses reservations after that
	// many succeeded (the serials stopping mid-approval).
	FailReserveAfter int
	reserves         int
}

var _ app.Peers = (*Peers)(nil)

// NewPeers returns an empty world.
func NewPeers() *Peers {
	return &Peers{items: map[string]app.Item{}, payers: map[string]bool{}, owners: map[string]string{}, locations: map[string]bool{},
		writtenOrders: map[string]app.WrittenOrder{}, coverages: map[string][]domain.Coverage{},
		gaps: map[string][]app.Gap{}, units: map[string][]app.Unit{}, held: map[string]app.Unit{}}
}

// World is what a typical order needs: a patient with a primary coverage
// and a written order, a branch, a warehouse, a serialized CPAP (E0601)
// with two units on hand and non-serialized supplies (A7030).
type World struct {
	PatientID, WrittenOrderID, PrescriberID string
	PayerID, CoverageID                     string
	BranchID, WarehouseID                   string
	CPAP, Mask                              app.Item
	CPAPUnits                               []app.Unit
}

// NewWorld adds a World to p.
func (p *Peers) NewWorld() World {
	w := World{
		PatientID: uuid.NewString(), WrittenOrderID: uuid.NewString(), PrescriberID: uuid.NewString(),
		PayerID: uuid.NewString(), CoverageID: uuid.NewString(), BranchID: uuid.NewString(), WarehouseID: uuid.NewString(),
		CPAP: app.Item{ID: uuid.NewString(), HCPCS: "E0601", Serialized: true},
		Mask: app.Item{ID: uuid.NewString(), HCPCS: "A7030"},
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.items[w.CPAP.ID], p.items[w.Mask.ID] = w.CPAP, w.Mask
	p.payers[w.PayerID] = true
	p.locations[w.BranchID], p.locations[w.WarehouseID] = false, true
	p.writtenOrders[w.WrittenOrderID] = app.WrittenOrder{ID: w.WrittenOrderID, PatientID: w.PatientID, PrescriberID: w.PrescriberID}
	p.coverages[w.PatientID] = []domain.Coverage{{Rank: 1, CoverageID: w.CoverageID, PayerID: w.PayerID}}
	for i := range 2 {
		u := app.Unit{ID: uuid.NewString(), SerialNumber: fmt.Sprintf("CP%s%d", strings.ToUpper(w.CPAP.ID[:6]), i), ItemID: w.CPAP.ID}
		w.CPAPUnits = append(w.CPAPUnits, u)
		p.units[w.CPAP.ID] = append(p.units[w.CPAP.ID], u)
	}
	return w
}

// AddItem registers an item of company.
func (p *Peers) AddItem(company string, it app.Item) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.items[it.ID], p.owners[it.ID] = it, company
}

// AddPayer registers a payer of company.
func (p *Peers) AddPayer(company, id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.payers[id], p.owners[id] = true, company
}

// visible reports whether id, registered for an owner or for everyone, is
// the caller's company's, when the caller may read it.
func (p *Peers) visible(ctx context.Context, permission, field, what, id string) error {
	caller, ok := identity.FromContext(ctx)
	if !ok {
		return errs.Unauthenticated("no caller")
	}
	if !auth.Permits(caller.Roles, permission) {
		return errs.PermissionDenied("checking " + field + " needs the " + permission + " permission")
	}
	if owner, ok := p.owners[id]; ok && owner != caller.CompanyID {
		return unknown(field, what)
	}
	return nil
}

// SetGaps makes clinical's readiness find gaps for the patient.
func (p *Peers) SetGaps(patientID string, gaps ...app.Gap) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gaps[patientID] = gaps
}

// Held returns the unit held for an order line, if any.
func (p *Peers) Held(lineID string) (app.Unit, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.held[lineID]
	return u, ok
}

// HeldCount is how many units are held.
func (p *Peers) HeldCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.held)
}

// SetSerialsDown makes serials unreachable or reachable again.
func (p *Peers) SetSerialsDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.SerialsDown = down
}

func unknown(field, what string) error {
	return errs.Invalid(errs.FieldViolation{Field: field, Description: "names no " + what + " of the company"})
}

var errSerialsDown = status.Error(codes.Unavailable, "serials is unreachable")

// Item implements app.Peers.
func (p *Peers) Item(ctx context.Context, field, id string) (app.Item, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.visible(ctx, "items.read", field, "item", id); err != nil {
		return app.Item{}, err
	}
	it, ok := p.items[id]
	if !ok {
		return app.Item{}, unknown(field, "item")
	}
	return it, nil
}

// CheckPayer implements app.Peers.
func (p *Peers) CheckPayer(ctx context.Context, field, id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.visible(ctx, "payers.read", field, "payer", id); err != nil {
		return err
	}
	if !p.payers[id] {
		return unknown(field, "payer")
	}
	return nil
}

// CheckLocation implements app.Peers.
func (p *Peers) CheckLocation(_ context.Context, field, id string, warehouse bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	isWarehouse, ok := p.locations[id]
	switch {
	case !ok:
		return unknown(field, "location")
	case warehouse && !isWarehouse:
		return errs.Invalid(errs.FieldViolation{Field: field, Description: "names a location that is not a warehouse"})
	}
	return nil
}

// WrittenOrder implements app.Peers.
func (p *Peers) WrittenOrder(_ context.Context, field, id string) (app.WrittenOrder, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	wo, ok := p.writtenOrders[id]
	if !ok {
		return app.WrittenOrder{}, unknown(field, "written order")
	}
	return wo, nil
}

// Coverages implements app.Peers.
func (p *Peers) Coverages(_ context.Context, field, patientID string, _ civil.Date) ([]domain.Coverage, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cs, ok := p.coverages[patientID]
	if !ok {
		return nil, unknown(field, "patient")
	}
	return slices.Clone(cs), nil
}

// Readiness implements app.Peers.
func (p *Peers) Readiness(_ context.Context, patientID string, _ []string, _ civil.Date) ([]app.Gap, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.gaps[patientID]), nil
}

// ReserveUnit implements app.Peers: the line's hold when it has one, else
// the named unit or the first free one.
func (p *Peers) ReserveUnit(_ context.Context, lineID, itemID, _, serial string) (app.Unit, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.SerialsDown {
		return app.Unit{}, errSerialsDown
	}
	if u, ok := p.held[lineID]; ok {
		return u, nil
	}
	if p.FailReserveAfter > 0 && p.reserves >= p.FailReserveAfter {
		return app.Unit{}, errSerialsDown
	}
	free := p.units[itemID]
	i := slices.IndexFunc(free, func(u app.Unit) bool { return serial == "" || u.SerialNumber == serial })
	if i < 0 {
		return app.Unit{}, errs.FailedPrecondition("NO_UNIT_AVAILABLE", "no unit of the item is free")
	}
	u := free[i]
	p.units[itemID] = slices.Delete(free, i, i+1)
	p.held[lineID] = u
	p.reserves++
	return u, nil
}

// ReleaseUnit implements app.Peers.
func (p *Peers) ReleaseUnit(_ context.Context, lineID string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.SerialsDown {
		return errSerialsDown
	}
	if u, ok := p.held[lineID]; ok {
		delete(p.held, lineID)
		p.units[u.ItemID] = append(p.units[u.ItemID], u)
		p.Released = append(p.Released, lineID)
	}
	return nil
}

// Serial implements app.Peers: any unit of the item the world knows, free
// or held.
func (p *Peers) Serial(_ context.Context, field, serial, itemID string) (app.Unit, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.SerialsDown {
		return app.Unit{}, errSerialsDown
	}
	for _, u := range p.units[itemID] {
		if u.SerialNumber == serial {
			return u, nil
		}
	}
	for _, u := range p.held {
		if u.ItemID == itemID && u.SerialNumber == serial {
			return u, nil
		}
	}
	return app.Unit{}, unknown(field, "unit of the line's item")
}

// The NPIs every World's prescriber and branch answer with.
const (
	PrescriberNPI = "1234567893"
	BranchNPI     = "1987654328"
)

// PrescriberNPI answers clinical's prescriber's NPI.
func (p *Peers) PrescriberNPI(ctx context.Context, _ string) (string, error) {
	if err := p.visible(ctx, "prescribers.read", "writtenOrderId", "prescriber", ""); err != nil {
		return "", err
	}
	return PrescriberNPI, nil
}

// RenderingNPI answers the branch's NPI.
func (p *Peers) RenderingNPI(ctx context.Context, branchID string) (string, error) {
	if err := p.visible(ctx, "locations.read", "branchId", "location", branchID); err != nil {
		return "", err
	}
	return BranchNPI, nil
}
