package domain

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSigningKeyLifecycle(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	policy := SigningKeyPolicy{MaxAge: 30 * 24 * time.Hour, PublishAfterRetire: 20 * time.Minute}

	if !policy.NeedsRotation(nil, t0) {
		t.Fatal("no keys: want a rotation")
	}
	k1 := SigningKey{KeyID: "k1", ActivateTime: t0}
	keys := []SigningKey{k1}
	if policy.NeedsRotation(keys, t0.Add(29*24*time.Hour)) {
		t.Error("a 29-day-old key: want no rotation")
	}
	if !policy.NeedsRotation(keys, t0.Add(30*24*time.Hour)) {
		t.Error("a 30-day-old key: want a rotation")
	}

	// Rotate at t1: k1 retires, k2 signs, both are published until k1's
	// publication ends.
	t1 := t0.Add(30 * 24 * time.Hour)
	if !policy.Retire(&keys[0], t1) || policy.Retire(&keys[0], t1.Add(time.Hour)) {
		t.Fatal("Retire: want true the first time only")
	}
	keys = append(keys, SigningKey{KeyID: "k2", ActivateTime: t1})
	if cur, ok := CurrentSigningKey(keys, t1); !ok || cur.KeyID != "k2" {
		t.Errorf("current key at rotation = %q, %v; want k2", cur.KeyID, ok)
	}
	if policy.NeedsRotation(keys, t1) {
		t.Error("just rotated: want no rotation")
	}
	published := func(at time.Time) []string {
		var ids []string
		for _, k := range PublishedSigningKeys(keys, at) {
			ids = append(ids, k.KeyID)
		}
		return ids
	}
	if diff := cmp.Diff([]string{"k2", "k1"}, published(t1.Add(19*time.Minute))); diff != "" {
		t.Errorf("published while k1's tokens live (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"k2"}, published(t1.Add(20*time.Minute))); diff != "" {
		t.Errorf("published after k1's tokens expired (-want +got):\n%s", diff)
	}

	// Every key retired: nothing signs, so a start-up must rotate.
	policy.Retire(&keys[1], t1.Add(time.Hour))
	if _, ok := CurrentSigningKey(keys, t1.Add(time.Hour)); ok {
		t.Error("all keys retired: want no current key")
	}
	if !policy.NeedsRotation(keys, t1.Add(time.Hour)) {
		t.Error("all keys retired: want a rotation")
	}
}
