// Package migrations holds the orders schema's SQL migrations, embedded in
// the binary and applied at start (platform/postgres.Migrate) under an
// advisory lock, with search_path set to the schema.
package migrations

import "embed"

// FS holds the migration files at its root, in goose's versioned naming.
//
//go:embed *.sql
var FS embed.FS
