package service

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

// TestEncryptionKeyCheck: the first start seals the check; the same key,
// and a rotation that still holds it, open it; another key does not; and
// once a rotated ring has opened it, the old version may be dropped.
func TestEncryptionKeyCheck(t *testing.T) {
	ctx := context.Background()
	pool, err := postgres.Open(ctx, postgres.Config{URL: pgtest.NewDatabase(t), MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// As at a start: the schema and its group role exist before the check.
	if err := postgres.Migrate(ctx, pool, "widgets", "", nil); err != nil {
		t.Fatal(err)
	}
	index, v1, v2, other := randomKey(t), randomKey(t), randomKey(t), randomKey(t)
	ring := func(parts ...string) *keyring.Keyring {
		t.Helper()
		r, err := keyring.Parse("index:" + index + "," + strings.Join(parts, ","))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	steps := []struct {
		name string
		ring *keyring.Keyring
		want error
	}{
		{"first start seals the check", ring("1:" + v1), nil},
		{"the same key opens it", ring("1:" + v1), nil},
		{"another key does not", ring("1:" + other), ErrKeyMismatch},
		{"a rotation holding the old version opens it", ring("1:"+v1, "2:"+v2), nil},
		{"the old version dropped after that", ring("2:" + v2), nil},
		{"the first key alone no longer", ring("1:" + v1), ErrKeyMismatch},
	}
	for _, st := range steps {
		if err := checkEncryptionKey(ctx, pool, "widgets", st.ring); !errors.Is(err, st.want) && !(err == nil && st.want == nil) {
			t.Fatalf("%s: %v, want %v", st.name, err, st.want)
		}
	}
}

func randomKey(t *testing.T) string {
	t.Helper()
	k, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	// Generate makes "index:<k>,1:<k>"; the test builds its own rings from
	// the 1: part.
	_, v, _ := strings.Cut(k, ",1:")
	return v
}

// TestReplicasStartingTogetherPassTheKeyCheck: replicas of a service start
// at once on a new schema; each migrates and checks its key, and none fails
// (the check's table is created under the migrations' lock, not raced for).
func TestReplicasStartingTogetherPassTheKeyCheck(t *testing.T) {
	ctx := context.Background()
	pool, err := postgres.Open(ctx, postgres.Config{URL: pgtest.NewDatabase(t), MaxConns: 12})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ring, err := keyring.Parse("index:" + randomKey(t) + ",1:" + randomKey(t))
	if err != nil {
		t.Fatal(err)
	}
	const replicas = 4
	errs := make(chan error, replicas)
	for range replicas {
		go func() {
			if err := postgres.Migrate(ctx, pool, "widgets", "", nil); err != nil {
				errs <- err
				return
			}
			errs <- checkEncryptionKey(ctx, pool, "widgets", ring)
		}()
	}
	for range replicas {
		if err := <-errs; err != nil {
			t.Errorf("a replica's start: %v", err)
		}
	}
}
