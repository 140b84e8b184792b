package domain

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	lockoutT0     = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	lockoutPolicy = LockoutPolicy{MaxFailures: 3, Duration: 15 * time.Minute}
)

func TestLockoutState(t *testing.T) {
	tests := []struct {
		name string
		c    LoginCounter
		want LockoutState
	}{
		{"fresh", LoginCounter{}, LockoutClear},
		{"some failures", LoginCounter{FailedCount: 2}, LockoutFailing},
		{"locked", LoginCounter{FailedCount: 3, Locked: true, LockedUntil: lockoutT0.Add(time.Minute)}, LockoutLocked},
		{"locked without an end", LoginCounter{Locked: true}, LockoutLocked},
		{"lock ends exactly now", LoginCounter{FailedCount: 3, Locked: true, LockedUntil: lockoutT0}, LockoutExpired},
		{"lock ended", LoginCounter{FailedCount: 3, Locked: true, LockedUntil: lockoutT0.Add(-time.Second)}, LockoutExpired},
		{"lifted by an administrator", LoginCounter{FailedCount: 3, LockedUntil: lockoutT0.Add(time.Minute)}, LockoutExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lockoutPolicy.State(tc.c, lockoutT0); got != tc.want {
				t.Errorf("State(%+v) = %s, want %s", tc.c, got, tc.want)
			}
		})
	}
}

// TestLockoutApplyFollowsTheTable drives Apply from every state with both
// outcomes and checks it against the rule the table names.
func TestLockoutApplyFollowsTheTable(t *testing.T) {
	from := map[LockoutState]LoginCounter{
		LockoutClear:   {},
		LockoutFailing: {FailedCount: 1},
		LockoutLocked:  {FailedCount: 3, Locked: true, LockedUntil: lockoutT0.Add(time.Minute)},
		LockoutExpired: {FailedCount: 3, Locked: true, LockedUntil: lockoutT0.Add(-time.Minute)},
	}
	want := map[LockoutState]struct{ right, wrong LoginCounter }{
		LockoutClear:   {right: LoginCounter{}, wrong: LoginCounter{FailedCount: 1}},
		LockoutFailing: {right: LoginCounter{}, wrong: LoginCounter{FailedCount: 2}},
		LockoutLocked:  {right: from[LockoutLocked], wrong: from[LockoutLocked]},
		LockoutExpired: {right: LoginCounter{}, wrong: LoginCounter{FailedCount: 1}},
	}
	if len(from) != len(lockoutRules) {
		t.Fatalf("the test covers %d states, the table has %d", len(from), len(lockoutRules))
	}
	for state, rules := range lockoutRules {
		for _, right := range []bool{true, false} {
			rule, wantCounter := rules.Wrong, want[state].wrong
			if right {
				rule, wantCounter = rules.Right, want[state].right
			}
			got, allowed := lockoutPolicy.Apply(from[state], right, lockoutT0)
			if allowed != rule.Allowed {
				t.Errorf("%s, password right=%v: allowed = %v, want %v", state, right, allowed, rule.Allowed)
			}
			if diff := cmp.Diff(wantCounter, got); diff != "" {
				t.Errorf("%s, password right=%v: counter (-want +got):\n%s", state, right, diff)
			}
		}
	}
}

func TestLockoutLocksAfterMaxFailuresAndUnlocksAfterTheWindow(t *testing.T) {
	acct := &LoginAccount{Status: UserActive}
	now := lockoutT0
	for i := 1; i <= lockoutPolicy.MaxFailures; i++ {
		if lockoutPolicy.Attempt(acct, false, now) {
			t.Fatalf("failure %d allowed", i)
		}
	}
	wantLocked := LoginCounter{FailedCount: 3, Locked: true, LockedUntil: now.Add(15 * time.Minute)}
	if diff := cmp.Diff(wantLocked, acct.Counter); diff != "" || acct.Status != UserLocked {
		t.Fatalf("after %d failures: status %s, counter (-want +got):\n%s", lockoutPolicy.MaxFailures, acct.Status, diff)
	}

	// The right password does not open a locked account, nor move the lock.
	if lockoutPolicy.Attempt(acct, true, now.Add(14*time.Minute)) {
		t.Fatal("right password allowed during the lock")
	}
	if diff := cmp.Diff(wantLocked, acct.Counter); diff != "" {
		t.Fatalf("counter changed during the lock (-want +got):\n%s", diff)
	}

	// After the window the right password signs in and clears everything.
	if !lockoutPolicy.Attempt(acct, true, now.Add(15*time.Minute)) {
		t.Fatal("right password refused after the lock ended")
	}
	if diff := cmp.Diff(LoginCounter{}, acct.Counter); diff != "" || acct.Status != UserActive {
		t.Fatalf("after the lock: status %s, counter (-want +got):\n%s", acct.Status, diff)
	}
}

func TestLockoutAfterExpiryCountsFromOne(t *testing.T) {
	acct := &LoginAccount{Status: UserLocked, Counter: LoginCounter{FailedCount: 3, Locked: true, LockedUntil: lockoutT0}}
	if lockoutPolicy.Attempt(acct, false, lockoutT0.Add(time.Second)) {
		t.Fatal("wrong password allowed")
	}
	want := LoginCounter{FailedCount: 1}
	if diff := cmp.Diff(want, acct.Counter); diff != "" || acct.Status != UserActive {
		t.Errorf("status %s, counter (-want +got):\n%s", acct.Status, diff)
	}
}

func TestLockoutLeavesDeactivatedUsersAlone(t *testing.T) {
	acct := &LoginAccount{Status: UserDeactivated, Counter: LoginCounter{FailedCount: 1}}
	for _, right := range []bool{true, false} {
		if lockoutPolicy.Attempt(acct, right, lockoutT0) {
			t.Errorf("deactivated user allowed (password right=%v)", right)
		}
	}
	if diff := cmp.Diff(LoginCounter{FailedCount: 1}, acct.Counter); diff != "" || acct.Status != UserDeactivated {
		t.Errorf("status %s, counter (-want +got):\n%s", acct.Status, diff)
	}
}
