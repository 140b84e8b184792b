// Package store holds the clinical service's pgx repositories, with each SQL
// statement next to the code that runs it. Every query runs inside a
// transaction scoped to the caller's tenant (or joins the unit of work the
// context carries), and row-level security enforces the scope again in
// Postgres. PHI columns are sealed here with the service's key ring, each
// value bound to its row id and column, and exact-match lookups go through
// keyed blind indexes, so no identifier is stored or compared in clear.
package store
