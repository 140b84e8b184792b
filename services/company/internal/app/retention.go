package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// AuthHistoryPruner deletes sign-in history older than a retention, one
// bounded batch per call, each call its own transaction.
type AuthHistoryPruner interface {
	PruneAuthHistory(ctx context.Context, retention time.Duration, batch int) (domain.PrunedAuthHistory, error)
}

// DefaultPruneBatch is how many rows of each table one pruning transaction
// deletes: small enough that a batch holds its locks for milliseconds and
// a crash redoes little, large enough that a backlog clears in minutes.
const DefaultPruneBatch = 1000

// maxPruneBatches bounds one round, so a first run over years of history
// yields to the next tick instead of running for an hour; the next round
// continues where it stopped.
const maxPruneBatches = 1000

// AuthRetention prunes used and expired refresh tokens, ended sessions and
// spent password tokens once they are older than Retention. Nothing else
// ever deletes them, and they grow by a row per sign-in and refresh. It is
// a sweep, not a use case: it has no caller and no tenant (the store
// prunes across tenants), and every replica may run it at once.
type AuthRetention struct {
	store     AuthHistoryPruner
	retention time.Duration
	batch     int
	pruned    *prometheus.CounterVec
}

// NewAuthRetention returns the pruning of history older than retention,
// counting pruned rows per table in ariesone_company_auth_pruned_rows_total
// on reg.
func NewAuthRetention(store AuthHistoryPruner, retention time.Duration, reg prometheus.Registerer) (*AuthRetention, error) {
	pruned := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "ariesone", Subsystem: "company", Name: "auth_pruned_rows_total",
		Help: "Sign-in history rows deleted after AUTH_RETENTION, by table.",
	}, []string{"table"})
	if err := reg.Register(pruned); err != nil {
		return nil, err
	}
	// Every table's series exists from the start, so a rate over it is
	// zero, not absent, before the first deletion.
	for _, table := range []string{"refresh_tokens", "sessions", "password_tokens"} {
		pruned.WithLabelValues(table)
	}
	return &AuthRetention{store: store, retention: retention, batch: DefaultPruneBatch, pruned: pruned}, nil
}

// Prune deletes history past the retention, batch after batch, until a
// batch leaves no table full (nothing more is due, or another replica
// holds the rest), and returns how many rows it deleted. A failed batch
// ends the round; what it would have deleted waits for the next.
func (r *AuthRetention) Prune(ctx context.Context) (int, error) {
	total := 0
	for range maxPruneBatches {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, err := r.store.PruneAuthHistory(ctx, r.retention, r.batch)
		if err != nil {
			return total, err
		}
		r.pruned.WithLabelValues("refresh_tokens").Add(float64(n.RefreshTokens))
		r.pruned.WithLabelValues("sessions").Add(float64(n.Sessions))
		r.pruned.WithLabelValues("password_tokens").Add(float64(n.PasswordTokens))
		r.pruned.WithLabelValues("sign_in_failures").Add(float64(n.SignInFailures))
		total += n.Total()
		if !n.Full(r.batch) {
			break
		}
	}
	return total, nil
}
