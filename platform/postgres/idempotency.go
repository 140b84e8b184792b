package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/errs"
)

const (
	// MaxRequestIDLen bounds a request_id; AIP-155 asks for a UUID, and
	// anything much longer is a client bug, not a key worth storing.
	MaxRequestIDLen = 128
	// MinIdempotencyRetention is the shortest retention PruneIdempotencyKeys
	// accepts (the database function enforces it too): keys must outlive
	// any client's retry window.
	MinIdempotencyRetention = time.Hour
	// ReasonRequestIDReused is the error reason when a request_id comes back
	// with a different request.
	ReasonRequestIDReused = "REQUEST_ID_REUSED"
)

// Idempotent claims requestID for method within tx's tenant, implementing
// AIP-155 for create methods. Call it first in the unit of work with a hash
// of the request (excluding request_id itself):
//
//   - A new key is claimed: found is false; do the work and call
//     SaveResponse in the same transaction. If the transaction rolls back the
//     claim goes with it and a retry starts afresh.
//   - A key already completed with the same hash: found is true and stored is
//     the response saved then; return it without doing the work again.
//   - A key already used with a different hash: an errs.KindInvalid error on
//     field "requestId" with reason ReasonRequestIDReused. The client reused
//     an id for a different request, which retrying cannot fix, so it is the
//     client's error rather than a conflict (AIP-155 asks for an error, and
//     replaying a response to some other request would be wrong).
//
// A concurrent duplicate blocks on the key's unique index until the first
// transaction ends, then sees its outcome; this needs READ COMMITTED, which
// DB.WithTx uses. An empty requestID means the client asked for no
// idempotency: nothing is stored and found is false.
func Idempotent(ctx context.Context, tx pgx.Tx, method, requestID string, requestHash []byte) (stored []byte, found bool, err error) {
	if requestID == "" {
		return nil, false, nil
	}
	if len(requestID) > MaxRequestIDLen {
		return nil, false, errs.Invalid(errs.FieldViolation{
			Field:       "requestId",
			Description: fmt.Sprintf("must be at most %d characters", MaxRequestIDLen),
		})
	}
	if len(requestHash) == 0 {
		return nil, false, fmt.Errorf("postgres: idempotency key %s %s: empty request hash", method, requestID)
	}

	// company_id defaults to the transaction's tenant; without one the row
	// is refused by the policy, so a key is never stored tenant-less.
	tag, err := tx.Exec(ctx, `
		insert into idempotency_keys (method, request_id, request_hash)
		values ($1, $2, $3)
		on conflict do nothing`, method, requestID, requestHash)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: claim idempotency key %s %s: %w", method, requestID, err)
	}
	if tag.RowsAffected() == 1 {
		return nil, false, nil
	}

	var hash, response []byte
	err = tx.QueryRow(ctx, `
		select request_hash, response from idempotency_keys
		where method = $1 and request_id = $2`, method, requestID).Scan(&hash, &response)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, fmt.Errorf("postgres: idempotency key %s %s conflicts but is not visible to the tenant", method, requestID)
	}
	if err != nil {
		return nil, false, fmt.Errorf("postgres: read idempotency key %s %s: %w", method, requestID, err)
	}
	if !bytes.Equal(hash, requestHash) {
		e := errs.Invalid(errs.FieldViolation{
			Field:       "requestId",
			Description: "was already used for a different request",
		})
		e.Reason = ReasonRequestIDReused
		return nil, false, e
	}
	if response == nil {
		// Claimed earlier in this same transaction, or committed by code
		// that forgot SaveResponse: a bug either way.
		return nil, false, fmt.Errorf("postgres: idempotency key %s %s has no saved response", method, requestID)
	}
	return response, true, nil
}

// SaveResponse records the response for a key claimed by Idempotent in the
// same transaction. The response is whatever the method returns to a
// client, typically the marshalled proto message. An empty requestID is a
// no-op, matching Idempotent.
func SaveResponse(ctx context.Context, tx pgx.Tx, method, requestID string, response []byte) error {
	if requestID == "" {
		return nil
	}
	if response == nil {
		// NULL means "no response yet"; an empty message is a response.
		response = []byte{}
	}
	tag, err := tx.Exec(ctx, `
		update idempotency_keys set response = $3
		where method = $1 and request_id = $2 and response is null`, method, requestID, response)
	if err != nil {
		return fmt.Errorf("postgres: save idempotent response %s %s: %w", method, requestID, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("postgres: save idempotent response %s %s: key not claimed in this transaction", method, requestID)
	}
	return nil
}

// PruneIdempotencyKeys deletes the keys of every tenant created more than
// retention ago and reports how many went. It calls a function that runs as
// the schema's owner, because the runtime role sees only one tenant at a
// time; run it periodically from any replica on the runtime pool, outside
// a tenant transaction.
func PruneIdempotencyKeys(ctx context.Context, q Querier, retention time.Duration) (int64, error) {
	if retention < MinIdempotencyRetention {
		return 0, fmt.Errorf("postgres: idempotency key retention %s is shorter than %s", retention, MinIdempotencyRetention)
	}
	var pruned int64
	err := q.QueryRow(ctx, "select prune_idempotency_keys($1::bigint * interval '1 microsecond')",
		retention.Microseconds()).Scan(&pruned)
	if err != nil {
		return 0, fmt.Errorf("postgres: prune idempotency keys: %w", err)
	}
	return pruned, nil
}

// CreateOnce runs a create under an AIP-155 idempotency key inside tx: a
// repeated request (same key, same hash) returns the id created the first
// time with replayed true and runs nothing; a new one runs create, which
// returns the new resource's id, and records it as the key's response. An
// empty requestID means no idempotency was asked for.
func CreateOnce(ctx context.Context, tx pgx.Tx, method, requestID string, requestHash []byte, create func() (string, error)) (id string, replayed bool, err error) {
	stored, found, err := Idempotent(ctx, tx, method, requestID, requestHash)
	if err != nil {
		return "", false, err
	}
	if found {
		return string(stored), true, nil
	}
	id, err = create()
	if err != nil {
		return "", false, err
	}
	if err := SaveResponse(ctx, tx, method, requestID, []byte(id)); err != nil {
		return "", false, err
	}
	return id, false, nil
}

// Replayed looks up, without claiming it, the response saved for a key a
// request with the same hash completed: a command whose preconditions a
// completed first attempt changed (an order already delivered by the
// delivery being retried) asks it first, so the retry gets the first
// answer rather than a refusal. An empty requestID, an unknown key or
// another request's key is not found.
func Replayed(ctx context.Context, tx pgx.Tx, method, requestID string, requestHash []byte) (stored []byte, found bool, err error) {
	if requestID == "" || len(requestID) > MaxRequestIDLen {
		return nil, false, nil
	}
	err = tx.QueryRow(ctx, `
		select response from idempotency_keys
		where method = $1 and request_id = $2 and request_hash = $3 and response is not null`,
		method, requestID, requestHash).Scan(&stored)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("postgres: read idempotency key %s %s: %w", method, requestID, err)
	}
	return stored, true, nil
}
