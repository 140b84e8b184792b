package app

import (
	"context"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// Item is what an order needs to know of a serials item.
type Item struct {
	ID    string
	HCPCS string
	// Serialized items are ordered one unit per line and delivered by
	// serial number.
	Serialized bool
}

// WrittenOrder is what an order needs to know of clinical's written order.
type WrittenOrder struct {
	ID           string
	PatientID    string
	PrescriberID string
	// Revoked written orders support nothing.
	Revoked bool
}

// Gap is one thing clinical's readiness finds missing before billing.
type Gap struct {
	// Code is clinical's requirement code ("WRITTEN_ORDER_UNSIGNED").
	Code string
	// HCPCS is the code the gap is about; "" for the patient's.
	HCPCS string
	// Resource is what to fix ("patients/{id}").
	Resource    string
	Description string
}

// Unit is a serials unit held for, or handed over on, an order line.
type Unit struct {
	ID           string
	SerialNumber string
	ItemID       string
}

// Peers are the questions orders asks the services that own what it
// refers to, each with the caller's token, so the owner checks the
// caller's permission and tenant and audits the read. Every check of a
// request field returns a violation of that field when the peer does not
// know the id (another company's included), and UNAVAILABLE when the peer
// cannot be asked.
type Peers interface {
	// Item returns serials' item.
	Item(ctx context.Context, field, id string) (Item, error)
	// CheckPayer accepts a payer of clinical's.
	CheckPayer(ctx context.Context, field, id string) error
	// CheckLocation accepts a live company location, of type warehouse
	// when warehouse is set.
	CheckLocation(ctx context.Context, field, id string, warehouse bool) error
	// WrittenOrder returns clinical's written order.
	WrittenOrder(ctx context.Context, field, id string) (WrittenOrder, error)
	// Coverages returns the patient's coverages active on day, by rank;
	// an unknown patient is a violation of field.
	Coverages(ctx context.Context, field, patientID string, day civil.Date) ([]domain.Coverage, error)
	// Readiness returns what clinical finds missing before the codes can
	// be billed for the patient on day.
	Readiness(ctx context.Context, patientID string, hcpcs []string, day civil.Date) ([]Gap, error)
	// ReserveUnit holds a unit for an order line in serials (the named
	// serial, or any free unit of the item in the warehouse); a retry
	// returns the unit already held.
	ReserveUnit(ctx context.Context, lineID, itemID, warehouseID, serial string) (Unit, error)
	// ReleaseUnit lets go of what is held for an order line, if anything.
	ReleaseUnit(ctx context.Context, lineID string) error
	// Serial returns the unit with the serial number of item; unknown is
	// a violation of field.
	Serial(ctx context.Context, field, serial, itemID string) (Unit, error)
	// PrescriberNPI returns the prescriber's NPI (the ordering provider of
	// the order's claims).
	PrescriberNPI(ctx context.Context, prescriberID string) (string, error)
	// RenderingNPI returns the NPI the order's claims name as the
	// supplier: the branch's, or the company's when the branch has none.
	RenderingNPI(ctx context.Context, branchID string) (string, error)
}
