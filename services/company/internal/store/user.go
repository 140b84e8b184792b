package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// userColumns is the select list scanUser reads. It leaves out the sign-in
// columns (password hash, failed attempts, lockout): directory code never
// needs them, so it can never leak them.
const userColumns = `id::text, company_id::text, email, given_name, family_name, roles,
	allowed_location_ids::text[], status, last_login_time, version, create_time, update_time`

func scanUser(row pgx.Row) (*domain.User, error) {
	var u domain.User
	var roles []string
	var status string
	err := row.Scan(&u.ID, &u.CompanyID, &u.Email, &u.GivenName, &u.FamilyName, &roles,
		&u.AllowedLocationIDs, &status, &u.LastLoginTime, &u.Version, &u.CreateTime, &u.UpdateTime)
	if err != nil {
		return nil, err
	}
	u.Roles = rolesFromColumn(roles)
	u.Status = domain.UserStatus(status)
	if u.AllowedLocationIDs == nil {
		u.AllowedLocationIDs = []string{}
	}
	return &u, nil
}

// GetUser returns user id of the caller's company. Another company's user
// is NOT_FOUND, exactly like a missing one.
func (s *Store) GetUser(ctx context.Context, id string) (*domain.User, error) {
	var u *domain.User
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		var err error
		u, err = getUser(ctx, tx, id, "")
		return err
	})
	return u, postgres.Wrap("get user", err)
}

func getUser(ctx context.Context, tx pgx.Tx, id, lock string) (*domain.User, error) {
	u, err := scanUser(tx.QueryRow(ctx, `select `+userColumns+` from users where id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("user", id)
	}
	return u, err
}

// ListUsers returns up to limit of the caller's users ordered by email
// (case-insensitively), resuming after the user afterID ("" for the first
// page): only holders of role unless it is "", and deactivated users only
// when showDeactivated. Locked users are always listed.
//
// The position is a user id rather than an email, so page tokens carry no
// personal data; emails never change and users are never deleted, so the
// id always names the same place in the order.
func (s *Store) ListUsers(ctx context.Context, role domain.Role, showDeactivated bool, afterID string, limit int) ([]*domain.User, error) {
	var out []*domain.User
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			select `+userColumns+` from users
			where ($1 = '' or $1 = any(roles))
			  and ($2 or status <> 'deactivated')
			  and ($3 = '' or lower(email) > (select lower(a.email) from users a where a.id = nullif($3, '')::uuid))
			order by lower(email)
			limit $4`, string(role), showDeactivated, afterID, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.User, error) { return scanUser(r) })
		return err
	})
	return out, postgres.Wrap("list users", err)
}

// CreateUser inserts u with passwordHash under the AIP-155 key requestID
// (with the request's hash), after check has approved it against the
// company in the same transaction. A repeated request returns the user
// created the first time, as it is now, with replayed true, and runs
// neither check nor insert. An email already used in the company is
// ALREADY_EXISTS.
func (s *Store) CreateUser(ctx context.Context, u *domain.User, passwordHash, requestID string, requestHash []byte, check func(domain.Roster) error) (out *domain.User, replayed bool, err error) {
	err = s.db.WithTx(ctx, func(tx pgx.Tx) error {
		id, replay, err := postgres.CreateOnce(ctx, tx, methodCreateUser, requestID, requestHash, func() (string, error) {
			if err := check(roster{tx: tx}); err != nil {
				return "", err
			}
			return u.ID, insertUser(ctx, tx, u, passwordHash)
		})
		if err != nil {
			return err
		}
		replayed = replay
		if !replay {
			out = u
			return nil
		}
		out, err = getUser(ctx, tx, id, "")
		return err
	})
	if err != nil {
		return nil, false, postgres.Wrap("create user", err)
	}
	return out, replayed, nil
}

func insertUser(ctx context.Context, tx pgx.Tx, u *domain.User, passwordHash string) error {
	_, err := tx.Exec(ctx, `
		insert into users (id, company_id, email, given_name, family_name, roles, allowed_location_ids,
			status, password_hash, password_change_time, version, create_time, update_time)
		values ($1, $2, $3, $4, $5, $6, $7::uuid[], $8, $9, $10, $11, $12, $13)`,
		u.ID, u.CompanyID, u.Email, u.GivenName, u.FamilyName, domain.RoleNames(u.Roles), locationIDs(u.AllowedLocationIDs),
		string(u.Status), passwordHash, u.CreateTime, u.Version, u.CreateTime, u.UpdateTime)
	return classify(err, u.Email)
}

// UpdateUser loads user id for update, lets fn change it with a roster of
// the company, and saves it with its version advanced by one. Nothing is
// written when fn returns an error.
//
// Changes to users of one company are serialised on the company's row,
// taken first (before the user's, so two updates cannot deadlock), so the
// roster's count of active owners stays true until commit: two owners
// demoting each other at the same moment cannot leave the company without
// one. Reactivating a locked user also clears the lockout.
//
// When the change deactivates the user, the user's sessions are revoked in
// the same transaction and their ids returned, so a deactivated user's
// refresh tokens stop working the moment the change commits.
func (s *Store) UpdateUser(ctx context.Context, id string, fn func(domain.Roster, *domain.User) error) (u *domain.User, revokedSessions []string, err error) {
	err = s.db.WithTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			select 1 from companies
			where id = nullif(current_setting($1, true), '')::uuid
			for no key update`, postgres.TenantSetting); err != nil {
			return err
		}
		if u, err = getUser(ctx, tx, id, " for update"); err != nil {
			return err
		}
		before := u.Status
		if err := fn(roster{tx: tx}, u); err != nil {
			return err
		}
		u.Version++
		_, err = tx.Exec(ctx, `
			update users set
				given_name = $2, family_name = $3, roles = $4, allowed_location_ids = $5::uuid[],
				failed_login_count = case when $6 = 'active' and status = 'locked' then 0 else failed_login_count end,
				locked_until = case when $6 = 'active' and status = 'locked' then null else locked_until end,
				status = $6, version = $7, update_time = $8
			where id = $1`,
			u.ID, u.GivenName, u.FamilyName, domain.RoleNames(u.Roles), locationIDs(u.AllowedLocationIDs),
			string(u.Status), u.Version, u.UpdateTime)
		if err != nil || u.Status != domain.UserDeactivated || before == domain.UserDeactivated {
			return err
		}
		revokedSessions, err = RevokeUserSessions(ctx, tx, u.ID, u.UpdateTime, revokeReasonUserDeactivated)
		return err
	})
	if err != nil {
		return nil, nil, postgres.Wrap("update user", err)
	}
	return u, revokedSessions, nil
}

// revokeReasonUserDeactivated is the sessions.revoke_reason of sessions
// ended because their user was deactivated.
const revokeReasonUserDeactivated = "user_deactivated"

// locationIDs never sends NULL for an empty list: the column is NOT NULL.
func locationIDs(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// roster answers the user rules' questions inside the transaction making
// the change.
type roster struct {
	tx pgx.Tx
}

var _ domain.Roster = roster{}

// ActiveOwners counts the company's active owners.
func (r roster) ActiveOwners(ctx context.Context) (int, error) {
	var n int
	err := r.tx.QueryRow(ctx, `select count(*) from users where status = 'active' and 'owner' = any(roles)`).Scan(&n)
	return n, err
}

// UnknownLocations returns the ids that are not live locations of the
// company; row-level security makes another company's location unknown.
func (r roster) UnknownLocations(ctx context.Context, ids []string) ([]string, error) {
	rows, err := r.tx.Query(ctx, `
		select wanted.id::text from unnest($1::uuid[]) as wanted (id)
		where not exists (select 1 from locations l where l.id = wanted.id and l.delete_time is null)`, ids)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
