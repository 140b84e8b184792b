package store

import (
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/serials/internal/app"
)

// Store is the serials repository: items, stock, units and their
// transaction log in the serials schema.
type Store struct {
	db *postgres.DB
}

var _ app.Repository = (*Store)(nil)

// New returns a Store on db, whose pool logs in as the service's runtime
// role and uses the serials schema.
func New(db *postgres.DB) *Store { return &Store{db: db} }
