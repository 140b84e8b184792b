package domain

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	lockoutT0     = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	lockoutPolicy = LockoutPolicy{MaxFailures: 3, Duration: 15 * time.Minute, MaxDuration: time.Hour, SourceMaxFailures: 5}
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

func TestLockoutBlocksTheSourceAfterMaxFailuresAndLetsItBackAfterTheWindow(t *testing.T) {
	var pair, net LoginCounter
	now := lockoutT0
	for i := 1; i <= lockoutPolicy.MaxFailures; i++ {
		allowed, blocked := lockoutPolicy.SignIn(&pair, &net, false, now)
		if allowed || blocked != (i == lockoutPolicy.MaxFailures) {
			t.Fatalf("failure %d: allowed %v, blocked %v", i, allowed, blocked)
		}
	}
	wantBlocked := LoginCounter{FailedCount: 3, Locked: true, LockedUntil: now.Add(15 * time.Minute), Lockouts: 1}
	if diff := cmp.Diff(wantBlocked, pair); diff != "" {
		t.Fatalf("after %d failures (-want +got):\n%s", lockoutPolicy.MaxFailures, diff)
	}

	// The right password from the blocked source does not get in, nor
	// move the block; another source (a fresh pair) does.
	if allowed, _ := lockoutPolicy.SignIn(&pair, &net, true, now.Add(14*time.Minute)); allowed {
		t.Fatal("right password allowed from the blocked source")
	}
	if diff := cmp.Diff(wantBlocked, pair); diff != "" {
		t.Fatalf("counter changed during the block (-want +got):\n%s", diff)
	}
	var elsewhere, elsewhereNet LoginCounter
	if allowed, _ := lockoutPolicy.SignIn(&elsewhere, &elsewhereNet, true, now.Add(time.Minute)); !allowed {
		t.Fatal("the right password from another source was refused")
	}

	// After the window the right password signs in and clears the pair.
	if allowed, _ := lockoutPolicy.SignIn(&pair, &net, true, now.Add(15*time.Minute)); !allowed {
		t.Fatal("right password refused after the block ended")
	}
	if diff := cmp.Diff(LoginCounter{}, pair); diff != "" {
		t.Fatalf("after the block (-want +got):\n%s", diff)
	}
}

// Each new block of the same pair lasts twice the last, up to the cap.
func TestLockoutBlocksGrow(t *testing.T) {
	var pair LoginCounter
	now := lockoutT0
	var got []time.Duration
	for range 4 {
		for {
			net := LoginCounter{}
			_, blocked := lockoutPolicy.SignIn(&pair, &net, false, now)
			if blocked {
				break
			}
		}
		got = append(got, pair.LockedUntil.Sub(now))
		now = pair.LockedUntil
	}
	want := []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, time.Hour}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("block lengths (-want +got):\n%s", diff)
	}
}

func TestLockoutAfterExpiryCountsFromOne(t *testing.T) {
	pair := LoginCounter{FailedCount: 3, Locked: true, LockedUntil: lockoutT0, Lockouts: 1}
	var net LoginCounter
	if allowed, _ := lockoutPolicy.SignIn(&pair, &net, false, lockoutT0.Add(time.Second)); allowed {
		t.Fatal("wrong password allowed")
	}
	want := LoginCounter{FailedCount: 1, Lockouts: 1}
	if diff := cmp.Diff(want, pair); diff != "" {
		t.Errorf("counter (-want +got):\n%s", diff)
	}
}

// A source spraying many accounts is blocked from all of them once its
// company-wide failures reach the limit, right passwords included; unknown
// accounts count too.
func TestLockoutBlocksASprayingSource(t *testing.T) {
	var net LoginCounter
	now := lockoutT0
	for i := range lockoutPolicy.SourceMaxFailures - 1 {
		pair := LoginCounter{}
		if allowed, _ := lockoutPolicy.SignIn(&pair, &net, false, now); allowed {
			t.Fatalf("failure %d allowed", i)
		}
	}
	if lockoutPolicy.Unknown(&net, now) {
		t.Fatal("blocked before the limit")
	}
	if !net.Locked {
		t.Fatalf("source not blocked after %d failures: %+v", lockoutPolicy.SourceMaxFailures, net)
	}
	if !lockoutPolicy.Unknown(&net, now.Add(time.Minute)) {
		t.Error("a blocked source's unknown-account attempt not reported blocked")
	}
	fresh := LoginCounter{}
	if allowed, _ := lockoutPolicy.SignIn(&fresh, &net, true, now.Add(time.Minute)); allowed {
		t.Error("a blocked source signed in to another account with its right password")
	}
	if allowed, _ := lockoutPolicy.SignIn(&fresh, &net, true, now.Add(16*time.Minute)); !allowed {
		t.Error("the source is still refused after its block ended")
	}
}
