package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// PruneAuthHistory deletes one batch of sign-in history older than
// retention (at most batch rows per table) through prune_auth_history,
// which runs as the schema's owner: the runtime role cannot delete these
// rows itself, and the function works across tenants, so no tenant is set.
// The call is its own transaction; rows another replica's batch holds are
// skipped, not waited for.
func (s *Auth) PruneAuthHistory(ctx context.Context, retention time.Duration, batch int) (domain.PrunedAuthHistory, error) {
	var out domain.PrunedAuthHistory
	rows, err := s.db.Pool().Query(ctx, `select table_name, deleted from prune_auth_history($1, $2)`, retention, batch)
	if err != nil {
		return out, fmt.Errorf("prune auth history: %w", err)
	}
	type counted struct {
		Table   string
		Deleted int
	}
	counts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[counted])
	if err != nil {
		return out, fmt.Errorf("prune auth history: %w", err)
	}
	for _, c := range counts {
		switch c.Table {
		case "refresh_tokens":
			out.RefreshTokens = c.Deleted
		case "sessions":
			out.Sessions = c.Deleted
		case "password_tokens":
			out.PasswordTokens = c.Deleted
		case "sign_in_failures":
			out.SignInFailures = c.Deleted
		}
	}
	return out, nil
}
