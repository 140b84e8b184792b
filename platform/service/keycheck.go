package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ariesone/ariesone/platform/keyring"
)

// keyCheckPlaintext is what the key check seals: nothing secret, only
// proof that the ring which sealed it can open it again.
const keyCheckPlaintext = "ariesone encryption key check"

// ErrKeyMismatch says the service's data was sealed under an ENCRYPTION_KEY
// that the configured one does not contain.
var ErrKeyMismatch = errors.New("ENCRYPTION_KEY cannot open the data in this database: it was initialised with another key. " +
	"Point ENCRYPTION_KEY at the key it was initialised with, or start over with an empty database (make reset wipes the demo data)")

// checkEncryptionKey proves, at start, that ring can open what the schema's
// data was sealed with: a value sealed at the schema's first start under
// the key then in use is opened now. A service started against a database
// another key initialised (a second checkout sharing a database, a wiped
// key file) would otherwise serve errors on every sealed value it reads;
// it reports ErrKeyMismatch instead. A check that opens is sealed again
// under the ring's primary key, so retiring an old version after a
// rotation keeps the check valid.
func checkEncryptionKey(ctx context.Context, admin *pgxpool.Pool, schema string, ring *keyring.Keyring) error {
	// The table is a platform migration's, so it exists once Migrate ran.
	table := keyCheckTable(schema)
	var sealed []byte
	err := admin.QueryRow(ctx, `select sealed from `+table+` where id = 1`).Scan(&sealed)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("encryption key check: %w", err)
	}
	if err == nil {
		if err := openKeyCheck(sealed, schema, ring); err != nil {
			return err
		}
	}
	resealed, err := ring.EncryptString(keyCheckPlaintext, schema, "encryption_key_check")
	if err != nil {
		return fmt.Errorf("encryption key check: %w", err)
	}
	_, err = admin.Exec(ctx, `insert into `+table+` (id, sealed) values (1, $1)
		on conflict (id) do update set sealed = excluded.sealed`, resealed)
	if err != nil {
		return fmt.Errorf("encryption key check: %w", err)
	}
	return nil
}

// verifyEncryptionKey is checkEncryptionKey for a service that does not
// migrate at start: it only reads, as the serving role, the value the
// migration step sealed.
func verifyEncryptionKey(ctx context.Context, pool *pgxpool.Pool, schema, encryptionKey string) error {
	ring, err := keyring.Parse(encryptionKey)
	if err != nil {
		return nil // as in keyCheck: nothing sealed to check
	}
	var sealed []byte
	if err := pool.QueryRow(ctx, `select sealed from `+keyCheckTable(schema)+` where id = 1`).Scan(&sealed); err != nil {
		return fmt.Errorf("encryption key check: %w (the migration step seals it)", err)
	}
	return openKeyCheck(sealed, schema, ring)
}

func keyCheckTable(schema string) string {
	return pgx.Identifier{schema, "encryption_key_check"}.Sanitize()
}

// openKeyCheck reports ErrKeyMismatch unless ring opens sealed.
func openKeyCheck(sealed []byte, schema string, ring *keyring.Keyring) error {
	if opened, err := ring.DecryptString(sealed, schema, "encryption_key_check"); err != nil || opened != keyCheckPlaintext {
		return ErrKeyMismatch
	}
	return nil
}

// failing is a health dependency that never recovers: the process must be
// restarted with the right configuration.
type failing struct{ err error }

func (f failing) Ping(context.Context) error { return f.err }

// keyCheck parses ENCRYPTION_KEY and checks it against schema.
func keyCheck(ctx context.Context, admin *pgxpool.Pool, schema, encryptionKey string, logger *slog.Logger) error {
	ring, err := keyring.Parse(encryptionKey)
	if err != nil {
		// The service that needs it says so when it loads it; one that does
		// not has nothing sealed to check.
		logger.Debug("ENCRYPTION_KEY does not parse; no key check", "error", err)
		return nil
	}
	return checkEncryptionKey(ctx, admin, schema, ring)
}
