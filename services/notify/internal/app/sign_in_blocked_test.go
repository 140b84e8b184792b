package app_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// TestSignInBlockedNotifiesOnlyTheAccountsUser: company's SignInBlocked
// reaches the user whose account was tried, whatever their role, through
// the built-in rule, and nobody else of the tenant.
func TestSignInBlockedNotifiesOnlyTheAccountsUser(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := seedTenant(t, w)
	blocked := eventOf(t, domain.EventSignInBlocked, s.id, &companyv1.SignInBlocked{
		CompanyId: s.id, UserId: s.users["boss"], OccurTime: timestamppb.New(t0), FailedCount: 5,
		BlockedUntil: timestamppb.New(t0.Add(15 * time.Minute)),
	}, t0.Add(20*time.Second))
	w.mustApply(t, blocked, blocked)

	title := "Repeated failed sign-ins to your account were blocked; if they were not yours, change your password"
	for user := range s.users {
		got, _ := w.inbox(t, s.userCtx(user))
		var want []string
		if user == "boss" {
			want = []string{title + " " + s.users["boss"]}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("inbox of %s (-want +got):\n%s", user, diff)
		}
	}
	if n := w.count(t, `select count(*) from notifications where rule_id = $1`, domain.SignInBlockedRuleID); n != 1 {
		t.Errorf("%d notifications of the built-in rule, want 1", n)
	}
}
