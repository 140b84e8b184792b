// Package store is the orders repository on the orders schema: price
// lists and prices, orders and their lines, deliveries and pickups.
package store

import (
	"github.com/ariesone/ariesone/platform/postgres"
)

// Store implements app.Repository.
type Store struct {
	db *postgres.DB
}

// New returns a Store on db, whose pool must log in as the service's
// runtime role and use the orders schema.
func New(db *postgres.DB) *Store { return &Store{db: db} }
