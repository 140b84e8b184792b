package app

import (
	"context"
	"time"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// SigningKeyRepository keeps the signing keys; UpdateSigningKeys runs
// update while no other replica can.
type SigningKeyRepository interface {
	UpdateSigningKeys(ctx context.Context, now time.Time, update func([]domain.SigningKey) ([]domain.SigningKey, error)) error
}

// SigningKeyGenerator makes a new key pair, its private half sealed.
type SigningKeyGenerator interface {
	GenerateSigningKey(now time.Time) (domain.SigningKey, error)
}

// SigningKeys are the signing-key use cases: making sure a key signs (at
// start), and rotating keys (the operator's command).
type SigningKeys struct{ r *registry }

// Ensure runs at start: when no key signs, or the current one is
// older than the policy's MaxAge, it makes a new one. Replicas starting
// together take turns (the store's lock), so only the first makes a key and
// the others find it. It reports the key made, if any.
func (s SigningKeys) Ensure(ctx context.Context) (made *domain.SigningKey, err error) {
	return s.rotate(ctx, false, "")
}

// RotateSigningKey makes a new key sign from now on, whatever the age of
// the current one (the operator's "company rotate-signing-key").
type RotateSigningKey struct {
	// ActorID names the operator for the event; empty for none.
	ActorID string
}

// Rotate makes a new key sign from now on. The keys it replaces stay
// published until every token they signed has expired.
func (s SigningKeys) Rotate(ctx context.Context, cmd RotateSigningKey) (domain.SigningKey, error) {
	made, err := s.rotate(ctx, true, cmd.ActorID)
	if err != nil {
		return domain.SigningKey{}, err
	}
	return *made, nil
}

// rotate makes a new key when force or the policy asks for one, and
// records SigningKeyRotated in the same unit of work. The key pair is
// generated inside it, under the store's lock, so that replicas starting
// together make one key between them.
func (s SigningKeys) rotate(ctx context.Context, force bool, actorID string) (*domain.SigningKey, error) {
	return usecase.Change(ctx, s.r.UnitOfWork, s.r.Events, func(ctx context.Context) (*domain.SigningKey, []Event, error) {
		var made, previous *domain.SigningKey
		err := s.r.Store.UpdateSigningKeys(ctx, s.r.Now.Stamp(), func(keys []domain.SigningKey) ([]domain.SigningKey, error) {
			// The clock is read after the lock: a replica that waited for
			// another's rotation judges the key it finds at the time it finds it.
			now := s.r.Now.Stamp()
			if !force && !s.r.SigningKeyPolicy.NeedsRotation(keys, now) {
				return keys, nil
			}
			if cur, ok := domain.CurrentSigningKey(keys, now); ok {
				previous = &cur
			}
			k, err := s.r.KeyGenerator.GenerateSigningKey(now)
			if err != nil {
				return nil, err
			}
			for i := range keys {
				s.r.SigningKeyPolicy.Retire(&keys[i], now)
				if previous != nil && keys[i].KeyID == previous.KeyID {
					*previous = keys[i]
				}
			}
			made = &k
			return append(keys, k), nil
		})
		if err != nil || made == nil {
			return nil, nil, err
		}
		payload := &companyv1.SigningKeyRotated{
			KeyId:     made.KeyID,
			ActorId:   actorID,
			OccurTime: timestamp(made.CreateTime),
			Algorithm: made.Algorithm,
		}
		if previous != nil {
			payload.PreviousKeyId = previous.KeyID
			payload.PreviousKeyRetireTime = timestamp(previous.ExpireTime)
		}
		// Signing keys belong to the deployment, not a tenant: no company id.
		return made, []Event{{Type: EventSigningKeyRotated, ResourceID: made.KeyID, Payload: payload}}, nil
	})
}
