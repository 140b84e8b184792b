package usecase

import (
	"encoding/json"
	"errors"
	"fmt"
)

// BlindIndexer is what a fingerprint needs of a key ring
// (*keyring.Keyring has it; each app layer names it in its own Keyring
// interface).
type BlindIndexer interface {
	BlindIndex(context, value string) []byte
}

// Fingerprint is the AIP-155 fingerprint of a create request, which the
// idempotency table keeps beside its request id so that a retry is told
// apart from another request reusing the id. It is a keyed digest (the key
// ring's blind-index key, under a context naming the service and the
// method) of the request's JSON form: a fingerprint of a request that
// carried PHI or a password reveals nothing of it to whoever reads the
// table, and the same request always gives the same fingerprint on every
// replica.
func Fingerprint(ring BlindIndexer, service, method string, request any) ([]byte, error) {
	if ring == nil {
		return nil, errors.New("fingerprint: no key ring")
	}
	b, err := json.Marshal(request)
	if err != nil {
		return nil, fmt.Errorf("hashing %s request: %w", method, err)
	}
	return ring.BlindIndex(service+".idempotency."+method, string(b)), nil
}
