package store

import (
	"fmt"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/clinical/internal/domain"
)

// Store is the clinical repository: patients, payers and plans, coverages
// and eligibility checks, prescribers and written orders in the clinical
// schema. It implements app.Repository.
type Store struct {
	db   *postgres.DB
	ring *keyring.Keyring
}

// New returns a Store on db, whose pool must log in as the service's
// runtime role and use the clinical schema, sealing PHI with ring.
func New(db *postgres.DB, ring *keyring.Keyring) *Store { return &Store{db: db, ring: ring} }

// seal encrypts a PHI value for column of row id; nothing on file is
// stored as NULL, not as a ciphertext of "".
func (s *Store) seal(value domain.PHI, id, column string) ([]byte, error) {
	if value.IsZero() {
		return nil, nil
	}
	b, err := s.ring.EncryptString(value.Reveal(), id, column)
	if err != nil {
		return nil, fmt.Errorf("sealing %s: %w", column, err)
	}
	return b, nil
}

// open decrypts the PHI value sealed for column of row id; NULL is "".
func (s *Store) open(ciphertext []byte, id, column string) (domain.PHI, error) {
	if ciphertext == nil {
		return "", nil
	}
	v, err := s.ring.DecryptString(ciphertext, id, column)
	if err != nil {
		return "", fmt.Errorf("opening %s of %s: %w", column, id, err)
	}
	return domain.PHI(v), nil
}

// nullable sends NULL for a nil byte slice (no value) rather than an
// empty bytea.
func nullable(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// notFound reports that resource id is absent for the caller's tenant,
// including when it belongs to another tenant: the two must look the same.
func notFound(resource, id string) error { return errs.NotFound(resource, id) }
