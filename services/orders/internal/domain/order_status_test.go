package domain_test

import (
	"errors"
	"testing"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/orders/internal/domain"
)

// TestEveryStepOfTheWorkflow drives every (status, command) pair: the
// allowed ones reach the status the workflow names, every other is
// FAILED_PRECONDITION naming both. The expectations are written out here,
// not read from the table, so a changed table fails the test.
func TestEveryStepOfTheWorkflow(t *testing.T) {
	allowed := map[domain.OrderStatus]map[domain.OrderCommand]domain.OrderStatus{
		domain.StatusDraft: {
			domain.CmdUpdate: domain.StatusDraft, domain.CmdSubmit: domain.StatusSubmitted, domain.CmdCancel: domain.StatusCancelled,
		},
		domain.StatusSubmitted: {domain.CmdApprove: domain.StatusApproved, domain.CmdCancel: domain.StatusCancelled},
		domain.StatusApproved:  {domain.CmdRecordDelivery: domain.StatusDelivered, domain.CmdCancel: domain.StatusCancelled},
		domain.StatusDelivered: {
			domain.CmdCorrectDelivery: domain.StatusDelivered, domain.CmdRecordPickup: domain.StatusDelivered, domain.CmdClose: domain.StatusClosed,
		},
	}
	var allowedSteps, refusedSteps int
	for _, from := range domain.OrderStatuses {
		for _, cmd := range domain.OrderCommands {
			got, err := domain.NextOrderStatus(from, cmd)
			want, ok := allowed[from][cmd]
			if ok {
				allowedSteps++
				if err != nil || got != want {
					t.Errorf("%s from %s = %q, %v; want %s", cmd, from, got, err, want)
				}
				continue
			}
			refusedSteps++
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.KindFailedPrecondition || e.Reason != domain.ReasonOrderTransitionNotAllowed ||
				e.Metadata["status"] != string(from) || e.Metadata["command"] != string(cmd) {
				t.Errorf("%s from %s = %q, %v; want FAILED_PRECONDITION naming both", cmd, from, got, err)
			}
		}
	}
	if allowedSteps != len(domain.OrderWorkflow) || allowedSteps+refusedSteps != len(domain.OrderStatuses)*len(domain.OrderCommands) {
		t.Errorf("%d allowed and %d refused steps; the table has %d", allowedSteps, refusedSteps, len(domain.OrderWorkflow))
	}
}

func TestOpenStatusesAreTheCancellableOnes(t *testing.T) {
	for _, s := range domain.OrderStatuses {
		want := s == domain.StatusDraft || s == domain.StatusSubmitted || s == domain.StatusApproved
		if s.Open() != want {
			t.Errorf("%s.Open() = %v, want %v", s, s.Open(), want)
		}
	}
}
