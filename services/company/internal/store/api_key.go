package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

const apiKeyColumns = `
	id::text, company_id::text, client_name, prefix, secret_hash, roles,
	creator_user_id::text, create_time, last_used_time, revoke_time, expire_time,
	disable_time, disable_reason`

func scanAPIKey(row pgx.Row) (domain.APIKey, error) {
	var k domain.APIKey
	var roles []string
	var lastUsed, revoked, expire, disabled *time.Time
	var disableReason string
	err := row.Scan(&k.ID, &k.CompanyID, &k.ClientName, &k.Prefix, &k.SecretHash, &roles,
		&k.CreatorUserID, &k.CreateTime, &lastUsed, &revoked, &expire, &disabled, &disableReason)
	k.Roles = rolesFromColumn(roles)
	k.LastUsedTime, k.RevokeTime, k.ExpireTime = timeOrZero(lastUsed), timeOrZero(revoked), timeOrZero(expire)
	k.DisableTime, k.DisableReason = timeOrZero(disabled), domain.APIKeyDisableReason(disableReason)
	return k, err
}

func getAPIKey(ctx context.Context, tx pgx.Tx, id string, lock bool) (domain.APIKey, error) {
	q := `select` + apiKeyColumns + ` from api_keys where id = $1`
	if lock {
		q += ` for update`
	}
	k, err := scanAPIKey(tx.QueryRow(ctx, q, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.APIKey{}, notFound("api key", id)
	}
	if err != nil {
		return domain.APIKey{}, fmt.Errorf("load api key: %w", err)
	}
	return k, nil
}

// methodCreateAPIKey is CreateApiKey's name in the idempotency table.
const methodCreateAPIKey = "CreateApiKey"

// CreateAPIKey stores the key that build makes, once per request id
// (AIP-155): a retry with the same request id and request hash returns the
// key stored the first time with replayed true, without calling build. The
// key is inserted in the caller's tenant.
//
// The creator must be active when the key commits. Its row is read FOR
// SHARE, which waits for a deactivation in flight (it holds the row FOR
// UPDATE) and then sees its outcome: a create racing its creator's
// deactivation cannot leave behind a key the deactivation did not see and
// so did not disable.
func (s *Auth) CreateAPIKey(ctx context.Context, requestID string, requestHash []byte, build func() (domain.APIKey, error)) (key domain.APIKey, replayed bool, err error) {
	err = s.db.WithTx(ctx, func(tx pgx.Tx) error {
		id, again, err := postgres.CreateOnce(ctx, tx, methodCreateAPIKey, requestID, requestHash, func() (string, error) {
			k, err := build()
			if err != nil {
				return "", err
			}
			if err := creatorActive(ctx, tx, k.CreatorUserID); err != nil {
				return "", err
			}
			_, err = tx.Exec(ctx, `
				insert into api_keys (id, company_id, client_name, prefix, secret_hash, roles, creator_user_id, create_time, expire_time)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				k.ID, k.CompanyID, k.ClientName, k.Prefix, k.SecretHash, domain.RoleNames(k.Roles),
				k.CreatorUserID, k.CreateTime, nullTime(k.ExpireTime))
			return k.ID, err
		})
		if err != nil {
			return err
		}
		replayed = again
		key, err = getAPIKey(ctx, tx, id, false)
		return err
	})
	return key, replayed, postgres.Wrap("create api key", err)
}

// creatorActive refuses a key whose creator is deactivated, after waiting
// for any change of the creator in flight.
func creatorActive(ctx context.Context, tx pgx.Tx, userID string) error {
	var status string
	err := tx.QueryRow(ctx, `select status from users where id = $1 for share`, userID).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("user", userID)
	}
	if err != nil {
		return fmt.Errorf("load api key creator: %w", err)
	}
	if domain.UserStatus(status) == domain.UserDeactivated {
		return errs.PermissionDenied("a deactivated user cannot create API keys")
	}
	return nil
}

// GetAPIKey reads a key of the caller's tenant; a key of another tenant is
// not found.
func (s *Auth) GetAPIKey(ctx context.Context, id string) (domain.APIKey, error) {
	var k domain.APIKey
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		var err error
		k, err = getAPIKey(ctx, tx, id, false)
		return err
	})
	return k, err
}

// ListAPIKeys returns up to limit keys of the caller's tenant, newest first,
// after the key with id afterID ("" for the first page), leaving out revoked
// and disabled keys (neither can be exchanged) unless showRevoked.
func (s *Auth) ListAPIKeys(ctx context.Context, afterID string, limit int, showRevoked bool) ([]domain.APIKey, error) {
	var keys []domain.APIKey
	err := s.db.WithReadOnlyTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			select`+apiKeyColumns+` from api_keys
			where ($1::uuid is null or id < $1::uuid)
			  and ($2 or (revoke_time is null and disable_time is null))
			order by id desc
			limit $3`, nullString(afterID), showRevoked, limit)
		if err != nil {
			return fmt.Errorf("list api keys: %w", err)
		}
		keys, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.APIKey, error) { return scanAPIKey(r) })
		if err != nil {
			return fmt.Errorf("list api keys: %w", err)
		}
		return nil
	})
	return keys, err
}

// UpdateAPIKey loads a key of the caller's tenant with its row locked, lets
// update change it, and saves its revocation. It returns the key as saved.
func (s *Auth) UpdateAPIKey(ctx context.Context, id string, update func(*domain.APIKey) error) (domain.APIKey, error) {
	var k domain.APIKey
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		if k, err = getAPIKey(ctx, tx, id, true); err != nil {
			return err
		}
		if err := update(&k); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `update api_keys set revoke_time = $2 where id = $1`, k.ID, nullTime(k.RevokeTime)); err != nil {
			return fmt.Errorf("save api key: %w", err)
		}
		return nil
	})
	return k, err
}

// DisableCreatorAPIKeys disables, at now and for reason, every key of the
// caller's tenant that creator created and that could still be exchanged
// (neither revoked, disabled nor expired), and returns them as saved, for
// the events the caller records. It runs in the unit of work ctx carries,
// the creator's deactivation, so the keys stop working when it commits.
func (s *Auth) DisableCreatorAPIKeys(ctx context.Context, creatorID string, now time.Time, reason domain.APIKeyDisableReason) ([]domain.APIKey, error) {
	var keys []domain.APIKey
	err := s.db.WithTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			update api_keys set disable_time = $2, disable_reason = $3
			where creator_user_id = $1 and revoke_time is null and disable_time is null
			  and (expire_time is null or expire_time > $2)
			returning`+apiKeyColumns, creatorID, now, string(reason))
		if err != nil {
			return fmt.Errorf("disable api keys of user %s: %w", creatorID, err)
		}
		keys, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.APIKey, error) { return scanAPIKey(r) })
		if err != nil {
			return fmt.Errorf("disable api keys of user %s: %w", creatorID, err)
		}
		return nil
	})
	return keys, err
}

// APIKeyCompany resolves a key id to its company before any tenant is
// known; "" when no key has the id.
func (s *Auth) APIKeyCompany(ctx context.Context, id string) (string, error) {
	var company *string
	if err := s.db.Pool().QueryRow(ctx, "select api_key_company($1)::text", id).Scan(&company); err != nil {
		return "", fmt.Errorf("company for api key: %w", err)
	}
	if company == nil {
		return "", nil
	}
	return *company, nil
}

// UseAPIKey runs one exchange of key id in companyID: it loads the key and
// the company's state, lets use decide, and records the use when use set
// RecordUseAt. The write is a compare-and-set on the last use it read, so
// of concurrent exchanges at most one writes and none waits on another.
func (s *Auth) UseAPIKey(ctx context.Context, companyID, id string, use func(*domain.APIKeyUse) error) error {
	return s.db.WithTenantTx(ctx, companyID, func(tx pgx.Tx) error {
		var u domain.APIKeyUse
		var err error
		if u.Key, err = getAPIKey(ctx, tx, id, false); err != nil {
			return err
		}
		if u.CompanyActive, err = companyActive(ctx, tx, companyID); err != nil {
			return err
		}
		if err := use(&u); err != nil {
			return err
		}
		if u.RecordUseAt.IsZero() {
			return nil
		}
		_, err = tx.Exec(ctx, `
			update api_keys set last_used_time = $2
			where id = $1 and last_used_time is not distinct from $3`,
			id, u.RecordUseAt, nullTime(u.Key.LastUsedTime))
		if err != nil {
			return fmt.Errorf("record api key use: %w", err)
		}
		return nil
	})
}

// nullString maps "" to SQL NULL.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
