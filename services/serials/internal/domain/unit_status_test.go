package domain

import (
	"errors"
	"slices"
	"testing"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/errs/errstest"
)

// TestTransitionTable spells out every allowed move of each class, so a
// change to the table is a change to this test too, and walks every other
// (status, transaction) pair to show it is refused, naming both.
// allowedMove is one move the table must allow.
type allowedMove struct {
	from UnitStatus
	kind TransactionKind
	to   UnitStatus
}

func TestTransitionTable(t *testing.T) {
	common := []allowedMove{
		{StatusOnHand, TxReserve, StatusReserved},
		{StatusReserved, TxCancelReservation, StatusOnHand},
		{StatusOnHand, TxRent, StatusRented},
		{StatusReserved, TxRent, StatusRented},
		{StatusOnHand, TxSell, StatusSold},
		{StatusReserved, TxSell, StatusSold},
		{StatusRented, TxSell, StatusSold},
		{StatusOnHand, TxTransferOut, StatusInTransit},
		{StatusInTransit, TxTransferIn, StatusOnHand},
		{StatusOnHand, TxLost, StatusLost},
		{StatusReserved, TxLost, StatusLost},
		{StatusRented, TxLost, StatusLost},
		{StatusMaintenance, TxLost, StatusLost},
		{StatusInTransit, TxLost, StatusLost},
		{StatusOnHand, TxJunked, StatusJunked},
		{StatusMaintenance, TxJunked, StatusJunked},
		{StatusOnHand, TxMaintenanceOut, StatusMaintenance},
		{StatusMaintenance, TxMaintenanceIn, StatusOnHand},
	}
	want := map[UnitClass][]allowedMove{
		ClassEquipment: append(slices.Clone(common), allowedMove{StatusRented, TxReturn, StatusMaintenance}),
		ClassO2Tank: append(slices.Clone(common), []allowedMove{
			{StatusRented, TxReturn, StatusEmpty},
			{StatusEmpty, TxSendForFill, StatusSent},
			{StatusSent, TxReceiveFilled, StatusOnHand},
			{StatusEmpty, TxJunked, StatusJunked},
			{StatusSent, TxLost, StatusLost},
		}...),
	}
	for class, moves := range want {
		allowed := map[move]UnitStatus{}
		for _, m := range moves {
			allowed[move{m.from, m.kind}] = m.to
		}
		if len(Transitions[class]) != len(allowed) {
			t.Errorf("%s: the table has %d moves, the test spells out %d", class, len(Transitions[class]), len(allowed))
		}
		for _, from := range UnitStatuses {
			for _, kind := range TransactionKinds {
				got, err := Next(class, from, kind)
				to, ok := allowed[move{from, kind}]
				switch {
				case ok && (err != nil || got != to):
					t.Errorf("%s: %s from %s = %q, %v; want %s", class, kind, from, got, err, to)
				case !ok && err == nil:
					t.Errorf("%s: %s from %s = %q; want it refused", class, kind, from, got)
				case !ok:
					errstest.Check(t, err, false, errs.KindFailedPrecondition, ReasonTransitionNotAllowed)
					var e *errs.Error
					if !errors.As(err, &e) || e.Metadata["status"] != string(from) || e.Metadata["transaction"] != string(kind) {
						t.Errorf("%s: refusal of %s from %s does not name both: %v", class, kind, from, err)
					}
				}
			}
		}
	}
}

// TestTerminalStatusesHaveNoWayOut: sold, lost and junked end a unit's
// life in the supplier's stock.
func TestTerminalStatusesHaveNoWayOut(t *testing.T) {
	for class, table := range Transitions {
		for m := range table {
			if m.from == StatusSold || m.from == StatusLost || m.from == StatusJunked {
				t.Errorf("%s: %s leaves terminal status %s", class, m.kind, m.from)
			}
		}
	}
}

// TestEveryStatusIsReachable: from on hand, every status of a class can
// be reached (a status nothing leads to is dead code in the table).
func TestEveryStatusIsReachable(t *testing.T) {
	for class, table := range Transitions {
		seen := map[UnitStatus]bool{StatusOnHand: true}
		for changed := true; changed; {
			changed = false
			for m, to := range table {
				if seen[m.from] && !seen[to] {
					seen[to], changed = true, true
				}
			}
		}
		for _, s := range UnitStatuses {
			tankOnly := s == StatusEmpty || s == StatusSent
			if !seen[s] && !(class == ClassEquipment && tankOnly) {
				t.Errorf("%s: %s cannot be reached", class, s)
			}
			if seen[s] && class == ClassEquipment && tankOnly {
				t.Errorf("equipment reaches the tank-only status %s", s)
			}
		}
	}
}

func TestBucketsAndDeltas(t *testing.T) {
	tests := []struct {
		from, to UnitStatus
		want     StockDelta
	}{
		{StatusOnHand, StatusReserved, StockDelta{BucketOnHand, BucketCommitted}},
		{StatusReserved, StatusRented, StockDelta{BucketCommitted, BucketRented}},
		{StatusRented, StatusMaintenance, StockDelta{BucketRented, BucketUnavailable}},
		{StatusMaintenance, StatusOnHand, StockDelta{BucketUnavailable, BucketOnHand}},
		{StatusOnHand, StatusInTransit, StockDelta{BucketOnHand, BucketNone}},
		{StatusInTransit, StatusOnHand, StockDelta{BucketNone, BucketOnHand}},
		{StatusRented, StatusSold, StockDelta{BucketRented, BucketSold}},
		{StatusRented, StatusEmpty, StockDelta{BucketRented, BucketUnavailable}},
		{StatusSent, StatusOnHand, StockDelta{BucketUnavailable, BucketOnHand}},
		{StatusRented, StatusLost, StockDelta{BucketRented, BucketNone}},
	}
	for _, tt := range tests {
		if got := Delta(tt.from, tt.to); got != tt.want {
			t.Errorf("Delta(%s, %s) = %+v, want %+v", tt.from, tt.to, got, tt.want)
		}
	}
}

// FuzzNext: any class, status and transaction name either moves to a
// known status or is refused; nothing panics, nothing invents a status.
func FuzzNext(f *testing.F) {
	for _, s := range UnitStatuses {
		for _, k := range TransactionKinds {
			f.Add(string(ClassEquipment), string(s), string(k))
		}
	}
	f.Add(string(ClassO2Tank), "empty", "send_for_fill")
	f.Add("o2_tank", "", "")
	f.Add("forklift", "on_hand", "rent")
	f.Fuzz(func(t *testing.T, class, from, kind string) {
		to, err := Next(UnitClass(class), UnitStatus(from), TransactionKind(kind))
		if err != nil {
			if to != "" {
				t.Fatalf("refused with a status %q", to)
			}
			return
		}
		if !slices.Contains(UnitStatuses, to) || !slices.Contains(UnitStatuses, UnitStatus(from)) ||
			!slices.Contains(TransactionKinds, TransactionKind(kind)) {
			t.Fatalf("Next(%q, %q, %q) = %q", class, from, kind, to)
		}
	})
}
