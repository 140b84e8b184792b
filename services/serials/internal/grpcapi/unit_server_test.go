package grpcapi_test

import (
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"

	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/serials/internal/apienum"
	"github.com/ariesone/ariesone/services/serials/internal/domain"
	"github.com/ariesone/ariesone/services/serials/internal/serialstest"
)

// pathTo returns the shortest list of moves that takes a unit of class from
// on hand (where receipt leaves it) to status, or ok false when no path
// reaches it (an equipment unit is never empty).
func pathTo(class domain.UnitClass, status domain.UnitStatus) (path []domain.TransactionKind, ok bool) {
	type node struct {
		status domain.UnitStatus
		path   []domain.TransactionKind
	}
	seen := map[domain.UnitStatus]bool{domain.StatusOnHand: true}
	queue := []node{{status: domain.StatusOnHand}}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n.status == status {
			return n.path, true
		}
		for _, kind := range domain.TransactionKinds {
			next, err := domain.Next(class, n.status, kind)
			if err != nil || seen[next] {
				continue
			}
			seen[next] = true
			queue = append(queue, node{next, append(append([]domain.TransactionKind(nil), n.path...), kind)})
		}
	}
	return nil, false
}

// recount counts the tenant's units into the stock buckets their statuses
// say, keyed as fixture.stock keys them.
func (f *fixture) recount(t *testing.T) map[string]int32 {
	t.Helper()
	out := map[string]int32{}
	token := ""
	for {
		resp, err := f.e.Units.ListUnits(f.a.Warehouse, &serialsv1.ListUnitsRequest{PageSize: 1000, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range resp.GetUnits() {
			if b := domain.Bucket(apienum.StatusDomain(u.GetStatus())); b != domain.BucketNone {
				out[u.GetWarehouseId()+"/"+u.GetItemId()+"/"+string(b)]++
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			return out
		}
	}
}

// TestEveryMoveOfTheTransitionTable drives every (class, status,
// transaction) triple over gRPC: a unit is received and walked to the
// status, then the transaction is applied. An allowed move yields the
// table's status and stock counters equal to a recount of the units; a
// refused one is FAILED_PRECONDITION naming both states and changes
// neither the unit nor any counter.
func TestEveryMoveOfTheTransitionTable(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	items := map[domain.UnitClass]*serialsv1.Item{domain.ClassEquipment: f.item, domain.ClassO2Tank: f.tank}
	allowed, refused := 0, 0
	for _, class := range []domain.UnitClass{domain.ClassEquipment, domain.ClassO2Tank} {
		for _, from := range domain.UnitStatuses {
			path, ok := pathTo(class, from)
			if !ok {
				continue
			}
			for _, kind := range domain.TransactionKinds {
				u := f.receive(t, items[class], nextSerial(), f.a.WH1)
				for _, step := range path {
					if _, err := f.transition(f.a.Admin, u.GetId(), apienum.TransactionKindProto(step)); err != nil {
						t.Fatalf("%s: walking to %s by %v: %v", class, from, path, err)
					}
				}
				before, err := f.e.Units.GetUnit(f.a.Warehouse, &serialsv1.GetUnitRequest{Id: u.GetId()})
				if err != nil {
					t.Fatal(err)
				}
				stockBefore := f.stock(t)
				got, err := f.transition(f.a.Admin, u.GetId(), apienum.TransactionKindProto(kind))
				want, wantErr := domain.Next(class, from, kind)
				if wantErr == nil {
					allowed++
					if err != nil {
						t.Errorf("%s %s --%s-->: %v", class, from, kind, err)
						continue
					}
					if got.GetStatus() != apienum.StatusProto(want) {
						t.Errorf("%s %s --%s--> %v, want %s", class, from, kind, got.GetStatus(), want)
					}
					if diff := cmp.Diff(f.recount(t), f.stock(t)); diff != "" {
						t.Errorf("%s %s --%s-->: stock counters differ from a recount (-recount +counters):\n%s", class, from, kind, diff)
					}
					continue
				}
				refused++
				grpcerrtest.WantCode(t, err, codes.FailedPrecondition)
				after, err := f.e.Units.GetUnit(f.a.Warehouse, &serialsv1.GetUnitRequest{Id: u.GetId()})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(before, after, protocmp.Transform()); diff != "" {
					t.Errorf("%s %s --%s--> refused but the unit changed:\n%s", class, from, kind, diff)
				}
				if diff := cmp.Diff(stockBefore, f.stock(t)); diff != "" {
					t.Errorf("%s %s --%s--> refused but the stock changed:\n%s", class, from, kind, diff)
				}
			}
		}
	}
	t.Logf("%d allowed moves applied, %d refused moves left nothing changed", allowed, refused)
	if want := len(domain.Transitions[domain.ClassEquipment]) + len(domain.Transitions[domain.ClassO2Tank]); allowed != want || refused == 0 {
		t.Fatalf("allowed %d of the table's %d moves, refused %d: the walk missed part of the table", allowed, want, refused)
	}
}

// TestRefusalNamesBothStates: the FAILED_PRECONDITION of a refused move
// carries the unit's status and the transaction in its ErrorInfo.
func TestRefusalNamesBothStates(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	u := f.receive(t, f.item, nextSerial(), f.a.WH1)
	_, err := f.transition(f.a.Admin, u.GetId(), serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RETURN)
	info := grpcerrtest.WantReason(t, err, codes.FailedPrecondition, domain.ReasonTransitionNotAllowed)
	if info.GetMetadata()["status"] != "on_hand" || info.GetMetadata()["transaction"] != "return" {
		t.Errorf("metadata = %v, want status on_hand and transaction return", info.GetMetadata())
	}
}

// TestConcurrentRentsOneWins: of two rents of one unit sent at once,
// exactly one succeeds and the other is refused by the state machine.
func TestConcurrentRentsOneWins(t *testing.T) {
	f := newFixture(t, serialstest.Options{})
	for round := range 10 {
		u := f.receive(t, f.item, nextSerial(), f.a.WH1)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.transition(f.a.Admin, u.GetId(), serialsv1.UnitTransactionKind_UNIT_TRANSACTION_KIND_RENT)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				grpcerrtest.WantCode(t, err, codes.FailedPrecondition)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d rents succeeded, want exactly 1", round, ok)
		}
	}
	if diff := cmp.Diff(f.recount(t), f.stock(t)); diff != "" {
		t.Errorf("stock counters differ from a recount:\n%s", diff)
	}
}
