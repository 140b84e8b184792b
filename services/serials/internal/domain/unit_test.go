package domain

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/civil"
	"github.com/ariesone/ariesone/platform/errs"
)

const (
	wh1, wh2     = "wh-1", "wh-2"
	pat1         = "patient-1"
	pat2         = "patient-2"
	line1, line2 = "line-1", "line-2"
)

func received(class UnitClass) *Unit {
	return &Unit{ID: "u-1", ItemID: "item-cpap", Class: class, SerialNumber: "J3X0012345", Status: StatusOnHand, WarehouseID: wh1, Version: 1}
}

// equipmentWith is a received equipment unit changed by edit.
func equipmentWith(edit func(*Unit)) *Unit {
	u := received(ClassEquipment)
	edit(u)
	return u
}

// TestUnitLife follows a CPAP through a rental and a transfer: the status,
// warehouse and patients of the projection, and the stock each step moves.
func TestUnitLife(t *testing.T) {
	u := received(ClassEquipment)
	steps := []struct {
		tx               UnitTransaction
		status           UnitStatus
		warehouse        string
		current, last    string
		fromMove, toMove StockMove
	}{
		{UnitTransaction{Kind: TxReserve}, StatusReserved, wh1, "", "",
			StockMove{wh1, BucketOnHand}, StockMove{wh1, BucketCommitted}},
		{UnitTransaction{Kind: TxRent, PatientID: pat1}, StatusRented, wh1, pat1, "",
			StockMove{wh1, BucketCommitted}, StockMove{wh1, BucketRented}},
		{UnitTransaction{Kind: TxReturn}, StatusMaintenance, wh1, "", pat1,
			StockMove{wh1, BucketRented}, StockMove{wh1, BucketUnavailable}},
		{UnitTransaction{Kind: TxMaintenanceIn}, StatusOnHand, wh1, "", pat1,
			StockMove{wh1, BucketUnavailable}, StockMove{wh1, BucketOnHand}},
		{UnitTransaction{Kind: TxTransferOut, WarehouseID: wh2}, StatusInTransit, wh2, "", pat1,
			StockMove{wh1, BucketOnHand}, StockMove{wh2, BucketNone}},
		{UnitTransaction{Kind: TxTransferIn}, StatusOnHand, wh2, "", pat1,
			StockMove{wh2, BucketNone}, StockMove{wh2, BucketOnHand}},
		{UnitTransaction{Kind: TxRent, PatientID: pat2}, StatusRented, wh2, pat2, pat1,
			StockMove{wh2, BucketOnHand}, StockMove{wh2, BucketRented}},
		{UnitTransaction{Kind: TxSell}, StatusSold, wh2, pat2, pat1,
			StockMove{wh2, BucketRented}, StockMove{wh2, BucketSold}},
	}
	for i, s := range steps {
		from, to, err := u.Apply(s.tx)
		if err != nil {
			t.Fatalf("step %d (%s): %v", i, s.tx.Kind, err)
		}
		if u.Status != s.status || u.WarehouseID != s.warehouse || u.CurrentPatientID != s.current || u.LastPatientID != s.last ||
			from != s.fromMove || to != s.toMove || u.Version != int64(i+2) {
			t.Errorf("step %d (%s): unit %+v, moves %+v → %+v", i, s.tx.Kind, *u, from, to)
		}
	}
}

func TestApplyRefusals(t *testing.T) {
	tests := []struct {
		name   string
		unit   func() *Unit
		tx     UnitTransaction
		kind   errs.Kind
		reason string
	}{
		{"rent without a patient", func() *Unit { return received(ClassEquipment) }, UnitTransaction{Kind: TxRent},
			errs.KindInvalid, ""},
		{"rent a recalled unit", func() *Unit { u := received(ClassEquipment); u.Recalled = true; return u },
			UnitTransaction{Kind: TxRent, PatientID: pat1}, errs.KindFailedPrecondition, ReasonUnitRecalled},
		{"sell a recalled unit", func() *Unit { u := received(ClassEquipment); u.Recalled = true; return u },
			UnitTransaction{Kind: TxSell, PatientID: pat1}, errs.KindFailedPrecondition, ReasonUnitRecalled},
		{"a rental converts only to its renter", func() *Unit {
			u := received(ClassEquipment)
			u.Status, u.CurrentPatientID = StatusRented, pat1
			return u
		}, UnitTransaction{Kind: TxSell, PatientID: pat2}, errs.KindInvalid, ""},
		{"transfer to the same warehouse", func() *Unit { return received(ClassEquipment) },
			UnitTransaction{Kind: TxTransferOut, WarehouseID: wh1}, errs.KindInvalid, ""},
		{"return what is on hand", func() *Unit { return received(ClassEquipment) }, UnitTransaction{Kind: TxReturn},
			errs.KindFailedPrecondition, ReasonTransitionNotAllowed},
		{"a note too long", func() *Unit { return received(ClassEquipment) },
			UnitTransaction{Kind: TxReserve, Note: strings.Repeat("é", MaxNoteLength+1)}, errs.KindInvalid, ""},
		{"deliver a unit reserved for another order line", func() *Unit {
			u := received(ClassEquipment)
			u.Status, u.OrderLineID = StatusReserved, line2
			return u
		}, UnitTransaction{Kind: TxRent, PatientID: pat1, OrderLineID: line1}, errs.KindFailedPrecondition, ReasonUnitHeldElsewhere},
		{"deliver a unit held by hand", func() *Unit { u := received(ClassEquipment); u.Status = StatusReserved; return u },
			UnitTransaction{Kind: TxSell, PatientID: pat1, OrderLineID: line1}, errs.KindFailedPrecondition, ReasonUnitHeldElsewhere},
		{"pick up a unit rented to another patient", func() *Unit {
			u := received(ClassEquipment)
			u.Status, u.CurrentPatientID, u.OrderLineID = StatusRented, pat2, line2
			return u
		}, UnitTransaction{Kind: TxReturn, PatientID: pat1, OrderLineID: line1}, errs.KindFailedPrecondition, ReasonUnitHeldElsewhere},
		{"deliver a recalled unit reserved for the line", func() *Unit {
			u := received(ClassEquipment)
			u.Status, u.OrderLineID, u.Recalled = StatusReserved, line1, true
			return u
		}, UnitTransaction{Kind: TxRent, PatientID: pat1, OrderLineID: line1}, errs.KindFailedPrecondition, ReasonUnitRecalled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.unit()
			before := *u
			_, _, err := u.Apply(tt.tx)
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != tt.kind || (tt.reason != "" && e.Reason != tt.reason) {
				t.Fatalf("Apply = %v; want %v %s", err, tt.kind, tt.reason)
			}
			if diff := cmp.Diff(before, *u); diff != "" {
				t.Errorf("a refused transaction changed the unit (-before +after):\n%s", diff)
			}
		})
	}
}

// TestOrderLineOfAUnit follows units through order lines' moves: the
// order line is the unit's while it is reserved, rented or sold under it,
// and gone once it comes back or is released.
func TestOrderLineOfAUnit(t *testing.T) {
	tests := []struct {
		name  string
		class UnitClass
		steps []UnitTransaction
		lines []string // the unit's order line after each step
	}{
		{"reserved, delivered on rental, picked up", ClassEquipment, []UnitTransaction{
			{Kind: TxReserve, OrderLineID: line1},
			{Kind: TxRent, PatientID: pat1, OrderLineID: line1},
			{Kind: TxReturn, PatientID: pat1, OrderLineID: line1, Note: "pickup: end of need"},
		}, []string{line1, line1, ""}},
		{"reserved, released", ClassEquipment, []UnitTransaction{
			{Kind: TxReserve, OrderLineID: line1},
			{Kind: TxCancelReservation, OrderLineID: line1},
		}, []string{line1, ""}},
		{"sold from the shelf, no reservation", ClassEquipment, []UnitTransaction{
			{Kind: TxSell, PatientID: pat1, OrderLineID: line1},
		}, []string{line1}},
		{"a rental converts to a sale by hand and keeps its line", ClassEquipment, []UnitTransaction{
			{Kind: TxRent, PatientID: pat1, OrderLineID: line1},
			{Kind: TxSell},
		}, []string{line1, line1}},
		{"a rental converts to a sale under another line", ClassEquipment, []UnitTransaction{
			{Kind: TxRent, PatientID: pat1, OrderLineID: line1},
			{Kind: TxSell, PatientID: pat1, OrderLineID: line2},
		}, []string{line1, line2}},
		{"rented by hand from a line's reservation: the line's hold ends", ClassEquipment, []UnitTransaction{
			{Kind: TxReserve, OrderLineID: line1},
			{Kind: TxRent, PatientID: pat1},
		}, []string{line1, ""}},
		{"an oxygen tank comes back empty", ClassO2Tank, []UnitTransaction{
			{Kind: TxRent, PatientID: pat1, OrderLineID: line1},
			{Kind: TxReturn, PatientID: pat1, OrderLineID: line1},
		}, []string{line1, ""}},
		{"a rented unit is lost", ClassEquipment, []UnitTransaction{
			{Kind: TxRent, PatientID: pat1, OrderLineID: line1},
			{Kind: TxLost},
		}, []string{line1, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := received(tt.class)
			var got []string
			for _, step := range tt.steps {
				if _, _, err := u.Apply(step); err != nil {
					t.Fatalf("%s: %v", step.Kind, err)
				}
				got = append(got, u.OrderLineID)
			}
			if diff := cmp.Diff(tt.lines, got); diff != "" {
				t.Errorf("order lines (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStockCountersMatchARecount applies thousands of random transactions
// to units spread over two warehouses, moving counters by each delta, and
// checks the counters against a recount of the units' final statuses: the
// deltas neither lose nor invent a unit.
func TestStockCountersMatchARecount(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var units []*Unit
	counters := map[StockMove]int{}
	for i := range 40 {
		class := ClassEquipment
		if i%4 == 0 {
			class = ClassO2Tank
		}
		u := received(class)
		u.ID = string(rune('a' + i%26))
		if i%2 == 1 {
			u.WarehouseID = wh2
		}
		units = append(units, u)
		counters[StockMove{u.WarehouseID, BucketOnHand}]++
	}
	applied := 0
	terminal := []UnitStatus{StatusSold, StatusLost, StatusJunked}
	var retired []*Unit
	for range 5000 {
		i := rng.IntN(len(units))
		u := units[i]
		if slices.Contains(terminal, u.Status) {
			// The unit's life is over (a sold one still counts as sold);
			// receive another in its place, so the walk keeps going.
			retired = append(retired, u)
			fresh := received(u.Class)
			units[i] = fresh
			counters[StockMove{wh1, BucketOnHand}]++
			u = fresh
		}
		kind := TransactionKinds[rng.IntN(len(TransactionKinds))]
		if rng.IntN(4) > 0 {
			// Mostly moves the table allows, so the walk goes deep.
			var allowed []TransactionKind
			for m := range Transitions[u.Class] {
				if m.from == u.Status {
					allowed = append(allowed, m.kind)
				}
			}
			slices.Sort(allowed)
			kind = allowed[rng.IntN(len(allowed))]
		}
		tx := UnitTransaction{Kind: kind, PatientID: pat1}
		if kind == TxTransferOut {
			tx.WarehouseID = wh1
			if u.WarehouseID == wh1 {
				tx.WarehouseID = wh2
			}
		}
		from, to, err := u.Apply(tx)
		if err != nil {
			continue
		}
		applied++
		if from.Bucket != BucketNone {
			counters[from]--
		}
		if to.Bucket != BucketNone {
			counters[to]++
		}
	}
	recount := map[StockMove]int{}
	for _, u := range append(units, retired...) {
		if b := Bucket(u.Status); b != BucketNone {
			recount[StockMove{u.WarehouseID, b}]++
		}
	}
	for k, v := range counters {
		if v == 0 {
			delete(counters, k)
		}
		if v < 0 {
			t.Errorf("counter %+v went negative: %d", k, v)
		}
	}
	if diff := cmp.Diff(recount, counters); diff != "" {
		t.Errorf("counters differ from a recount (-recount +counters):\n%s", diff)
	}
	if applied < 3000 {
		t.Errorf("only %d of 5000 random transactions applied; the test exercises too little", applied)
	}
}

func TestValidate(t *testing.T) {
	today := civil.Date{Year: 2026, Month: time.March, Day: 2}
	tests := []struct {
		name     string
		u        *Unit
		item, wh string
		op       Operation
		want     []ValidationReason
	}{
		{"unknown", nil, "", "", TxRent, []ValidationReason{ReasonUnknownSerial}},
		{"good to rent", equipmentWith(func(*Unit) {}), "item-cpap", wh1, TxRent, nil},
		{"any item, any warehouse", equipmentWith(func(*Unit) {}), "", "", TxReserve, nil},
		{"wrong item and warehouse", equipmentWith(func(*Unit) {}), "item-concentrator", wh2, TxRent,
			[]ValidationReason{ReasonWrongItem, ReasonWrongWarehouse}},
		{"rented already", equipmentWith(func(u *Unit) { u.Status = StatusRented }), "", "", TxRent,
			[]ValidationReason{ReasonStatusDisallows}},
		{"recalled", equipmentWith(func(u *Unit) { u.Recalled = true }), "", "", TxSell, []ValidationReason{ReasonRecalled}},
		{"recalled units may still go to maintenance", equipmentWith(func(u *Unit) { u.Recalled = true }), "", "", TxMaintenanceOut, nil},
		{"maintenance overdue", equipmentWith(func(u *Unit) { u.NextMaintenanceDue = today.AddDays(-1) }), "", "", TxRent,
			[]ValidationReason{ReasonMaintenanceOverdue}},
		{"maintenance due today is not overdue", equipmentWith(func(u *Unit) { u.NextMaintenanceDue = today }), "", "", TxRent, nil},
		{"lot expired", equipmentWith(func(u *Unit) { u.LotExpiry = today.AddDays(-1) }), "", "", TxSell, []ValidationReason{ReasonLotExpired}},
		{"every reason at once", equipmentWith(func(u *Unit) {
			u.Status, u.Recalled, u.NextMaintenanceDue, u.LotExpiry = StatusMaintenance, true, today.AddDays(-9), today.AddDays(-9)
		}), "other", wh2, TxRent, []ValidationReason{ReasonWrongItem, ReasonWrongWarehouse, ReasonStatusDisallows,
			ReasonRecalled, ReasonMaintenanceOverdue, ReasonLotExpired}},
	}
	for _, tt := range tests {
		got := Validate(tt.u, tt.item, tt.wh, tt.op, today)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Validate = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestSequencedMovesTimeForward: a transaction whose clock reads before
// the unit's last change is timed just after it; a later one keeps its
// time.
func TestSequencedMovesTimeForward(t *testing.T) {
	last := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	u := &Unit{UpdateTime: last}
	for _, tc := range []struct {
		at, want time.Time
	}{
		{last.Add(-time.Second), last.Add(time.Microsecond)},
		{last, last.Add(time.Microsecond)},
		{last.Add(time.Second), last.Add(time.Second)},
	} {
		if got := u.Sequenced(UnitTransaction{Time: tc.at}).Time; !got.Equal(tc.want) {
			t.Errorf("Sequenced(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
}
