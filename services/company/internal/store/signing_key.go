package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// SigningKeys stores the key pairs that sign access tokens. They are not
// tenant data: the queries run outside any tenant.
type SigningKeys struct {
	db *postgres.DB
}

// NewSigningKeys returns the signing key store over the runtime pool.
func NewSigningKeys(db *postgres.DB) *SigningKeys { return &SigningKeys{db: db} }

const signingKeyColumns = `
	kid, alg, public_key_pem, private_key_ciphertext, create_time, activate_time, retire_time, expire_time`

func scanSigningKey(row pgx.CollectableRow) (domain.SigningKey, error) {
	var k domain.SigningKey
	var retire, expire *time.Time
	err := row.Scan(&k.KeyID, &k.Algorithm, &k.PublicKeyPEM, &k.EncryptedPrivateKey,
		&k.CreateTime, &k.ActivateTime, &retire, &expire)
	k.RetireTime, k.ExpireTime = timeOrZero(retire), timeOrZero(expire)
	return k, err
}

func listSigningKeys(ctx context.Context, q postgres.Querier, now time.Time) ([]domain.SigningKey, error) {
	rows, err := q.Query(ctx, `
		select`+signingKeyColumns+` from signing_keys
		where expire_time is null or expire_time > $1
		order by activate_time desc, kid`, now)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	keys, err := pgx.CollectRows(rows, scanSigningKey)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	return keys, nil
}

// ListSigningKeys returns the keys still published at now (current and
// retired but unexpired), newest first.
func (s *SigningKeys) ListSigningKeys(ctx context.Context, now time.Time) ([]domain.SigningKey, error) {
	return listSigningKeys(ctx, s.db.Pool(), now)
}

// signingKeyLock is the advisory lock that serialises key rotation across
// replicas.
var signingKeyLock = func() int64 {
	h := fnv.New64a()
	h.Write([]byte("ariesone.company.signing_keys"))
	return int64(h.Sum64())
}()

// UpdateSigningKeys runs update on the keys published at now while holding
// a transaction-scoped advisory lock, so that replicas starting together
// decide one after the other and the later ones see what the first
// decided. update returns the new list: keys with a new kid are inserted,
// and existing keys have their retirement saved.
func (s *SigningKeys) UpdateSigningKeys(ctx context.Context, now time.Time, update func([]domain.SigningKey) ([]domain.SigningKey, error)) error {
	// No principal, no tenant: the keys are not tenant data. Inside a unit
	// of work the lock and the writes join its transaction, so a rotation
	// commits with its event.
	return s.db.WithTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "select pg_advisory_xact_lock($1)", signingKeyLock); err != nil {
			return fmt.Errorf("lock signing keys: %w", err)
		}
		before, err := listSigningKeys(ctx, tx, now)
		if err != nil {
			return err
		}
		// update may change the keys it is given; compare against a copy.
		after, err := update(slices.Clone(before))
		if err != nil {
			return err
		}
		existing := make(map[string]domain.SigningKey, len(before))
		for _, k := range before {
			existing[k.KeyID] = k
		}
		for _, k := range after {
			old, ok := existing[k.KeyID]
			switch {
			case !ok:
				_, err = tx.Exec(ctx, `
					insert into signing_keys (kid, alg, public_key_pem, private_key_ciphertext, create_time, activate_time, retire_time, expire_time)
					values ($1, $2, $3, $4, $5, $6, $7, $8)`,
					k.KeyID, k.Algorithm, k.PublicKeyPEM, k.EncryptedPrivateKey, k.CreateTime, k.ActivateTime,
					nullTime(k.RetireTime), nullTime(k.ExpireTime))
			case !old.RetireTime.Equal(k.RetireTime) || !old.ExpireTime.Equal(k.ExpireTime):
				_, err = tx.Exec(ctx, `update signing_keys set retire_time = $2, expire_time = $3 where kid = $1`,
					k.KeyID, nullTime(k.RetireTime), nullTime(k.ExpireTime))
			}
			if err != nil {
				return fmt.Errorf("save signing key %s: %w", k.KeyID, err)
			}
		}
		return nil
	})
}
