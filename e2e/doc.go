// Package e2e drives AriesOne the way a partner does: it builds the real
// binaries, boots them as processes on loopback against a fresh Postgres
// database, and talks to them over REST only.
package e2e
