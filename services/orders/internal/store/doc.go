// Package store holds the orders service's pgx repositories, with each SQL
// statement next to the code that runs it. Every query runs inside a
// transaction scoped to the caller's tenant, and row-level security enforces
// the scope again in Postgres.
package store
