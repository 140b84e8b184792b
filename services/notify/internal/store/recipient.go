package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

const recipientColumns = `company_id::text, user_id::text, roles, roles_time, allowed_location_ids::text[],
	locations_time, active, status_time`

func scanRecipient(row pgx.Row) (*domain.Recipient, error) {
	var r domain.Recipient
	err := row.Scan(&r.CompanyID, &r.UserID, &r.Roles, &r.RolesTime, &r.LocationIDs, &r.LocationsTime, &r.Active, &r.StatusTime)
	if err != nil {
		return nil, err
	}
	r.RolesTime, r.LocationsTime, r.StatusTime = r.RolesTime.UTC(), r.LocationsTime.UTC(), r.StatusTime.UTC()
	if len(r.Roles) == 0 {
		r.Roles = nil
	}
	if len(r.LocationIDs) == 0 {
		r.LocationIDs = nil
	}
	return &r, nil
}

// UpdateRecipient loads user userID of companyID (the transaction's
// tenant) for update, or a new recipient when notify has not heard of the
// user yet, lets fn change it, and saves it when fn reports a change.
func (s *Store) UpdateRecipient(ctx context.Context, companyID, userID string, fn func(*domain.Recipient) bool) error {
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		fresh := domain.NewRecipient(companyID, userID)
		// Insert-then-lock serialises concurrent first events of one user.
		_, err := tx.Exec(ctx, `
			insert into recipients (company_id, user_id, roles, roles_time, allowed_location_ids, locations_time, active, status_time)
			values ($1, $2, '{}', $3, '{}', $3, $4, $3)
			on conflict (company_id, user_id) do nothing`,
			companyID, userID, fresh.StatusTime, fresh.Active)
		if err != nil {
			return err
		}
		r, err := scanRecipient(tx.QueryRow(ctx, `
			select `+recipientColumns+` from recipients where company_id = $1 and user_id = $2 for update`, companyID, userID))
		if err != nil {
			return err
		}
		if !fn(r) {
			return nil
		}
		_, err = tx.Exec(ctx, `
			update recipients set roles = $3, roles_time = $4, allowed_location_ids = $5, locations_time = $6,
				active = $7, status_time = $8
			where company_id = $1 and user_id = $2`,
			companyID, userID, nonNilStrings(r.Roles), r.RolesTime, nonNilStrings(r.LocationIDs), r.LocationsTime, r.Active, r.StatusTime)
		return err
	})
	return postgres.Wrap("update recipient", err)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ActiveRecipients returns the tenant's active users: the only ones a
// notification can reach.
func (s *Store) ActiveRecipients(ctx context.Context) ([]*domain.Recipient, error) {
	var out []*domain.Recipient
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `select `+recipientColumns+` from recipients where active order by user_id`)
		if err != nil {
			return err
		}
		out, err = postgres.Collect(rows, scanRecipient)
		return err
	})
	return out, postgres.Wrap("list recipients", err)
}

// GetRecipient returns user userID of the transaction's tenant, or nil when
// notify has not heard of the user.
func (s *Store) GetRecipient(ctx context.Context, userID string) (*domain.Recipient, error) {
	var out *domain.Recipient
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `select `+recipientColumns+` from recipients where user_id = $1`, userID)
		if err != nil {
			return err
		}
		all, err := postgres.Collect(rows, scanRecipient)
		if len(all) == 1 {
			out = all[0]
		}
		return err
	})
	return out, postgres.Wrap("get recipient", err)
}
