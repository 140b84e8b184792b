package app

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/audit"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// APIKeyRepository stores partners' API keys. Each method is one
// transaction, or joins the unit of work its context carries; the use and
// build functions decide inside it.
type APIKeyRepository interface {
	APIKeyCompany(ctx context.Context, id string) (string, error)
	UseAPIKey(ctx context.Context, companyID, id string, use func(*domain.APIKeyUse) error) error
	CreateAPIKey(ctx context.Context, requestID string, requestHash []byte, build func() (domain.APIKey, error)) (domain.APIKey, bool, error)
	GetAPIKey(ctx context.Context, id string) (domain.APIKey, error)
	ListAPIKeys(ctx context.Context, afterID string, limit int, showRevoked bool) ([]domain.APIKey, error)
	UpdateAPIKey(ctx context.Context, id string, update func(*domain.APIKey) error) (domain.APIKey, error)
}

// APIKeys are the API key use cases: a partner's exchange of its key for an
// access token, and the company's management of its keys.
type APIKeys struct{ r *registry }

// apiKeyNotAccepted is the answer to every failed exchange: a malformed
// key, an unknown id, a wrong secret, a revoked or expired key and a
// company that is not active look the same.
func apiKeyNotAccepted() error { return errs.Unauthenticated("API key not accepted") }

// Exchange trades a partner's API key for a short-lived access token
// carrying the key's roles, with the key id as subject and no session or
// refresh token. The secret is compared with the stored hash in constant
// time. A use is recorded on the key at most once a minute.
func (a APIKeys) Exchange(ctx context.Context, key string) (TokenPair, error) {
	id, secretHash, err := domain.ParseAPIKey(key)
	if err != nil {
		return TokenPair{}, apiKeyNotAccepted()
	}
	// The call's audit record names the key it presented, accepted or not:
	// refusals of one key are how its theft shows.
	audit.NoteResource(ctx, AuditAPIKeyID, id)
	companyID, err := a.r.Store.APIKeyCompany(ctx, id)
	if err != nil {
		return TokenPair{}, err
	}
	if companyID == "" {
		return TokenPair{}, apiKeyNotAccepted()
	}
	var pair TokenPair
	var accepted bool
	err = a.r.Store.UseAPIKey(ctx, companyID, id, func(u *domain.APIKeyUse) error {
		now := a.r.Now.Stamp()
		refused := u.Key.Authenticate(secretHash, now)
		if refused != nil || !u.CompanyActive {
			// The use's transaction commits (nothing changes), so the
			// record written at its commit must say what the caller gets.
			audit.NoteOutcome(ctx, apiKeyNotAccepted())
			if errors.Is(refused, domain.ErrAPIKeyDisabled) {
				// The record names the creator whose deactivation
				// disabled the key: a partner still calling with it is
				// explained by that user's record, not a mystery. The
				// caller still learns nothing beyond "not accepted".
				audit.NoteResource(ctx, AuditUserID, u.Key.CreatorUserID)
			}
			return nil
		}
		if u.Key.ShouldRecordUse(now) {
			u.RecordUseAt = now
		}
		access, err := a.r.Tokens.IssueAccessToken(ctx, domain.AccessGrant{
			Subject:   u.Key.ID,
			CompanyID: u.Key.CompanyID,
			Roles:     u.Key.Roles,
			Kind:      domain.AccessKindAPIKey,
			IssueTime: now,
			TTL:       a.r.AuthPolicy.APIKeyTokenTTL,
		})
		if err != nil {
			return err
		}
		pair, accepted = TokenPair{Access: access}, true
		return nil
	})
	if errs.Is(err, errs.KindNotFound) {
		return TokenPair{}, apiKeyNotAccepted()
	}
	if err != nil {
		return TokenPair{}, err
	}
	if !accepted {
		return TokenPair{}, apiKeyNotAccepted()
	}
	return pair, nil
}

// CreateAPIKey issues a partner key.
type CreateAPIKey struct {
	ClientName string
	// Roles the exchanged token carries: known, none twice, never owner.
	Roles []domain.Role
	// ExpireTime is optional; zero means until revoked.
	ExpireTime time.Time
	// RequestID makes the create idempotent (AIP-155); empty for none.
	RequestID string
}

// Create issues a key for the caller's company and returns it with
// its secret, the only time the secret is available. A retry with the same
// request id returns the key created the first time without the secret
// (secret is empty): the secret is not stored and cannot be shown again.
//
// Only users create keys: a key minting keys would let a leaked key outlive
// its own revocation. CreateApiKey's method rule (people_only) refuses
// every other caller before it gets here; the check below holds for a
// caller that does not come through the interceptors. The roles must be
// ones the creator holds (an owner holds all), never owner itself.
func (a APIKeys) Create(ctx context.Context, caller identity.Principal, cmd CreateAPIKey) (key domain.APIKey, secret string, err error) {
	if caller.Kind != identity.KindUser {
		return domain.APIKey{}, "", errs.PermissionDenied("only users can create API keys")
	}
	now := a.r.Now.Stamp()
	cmd.ClientName = strings.TrimSpace(cmd.ClientName)
	cmd.ExpireTime = cmd.ExpireTime.UTC()
	roles, rolesErr := domain.ParseRoles(domain.RoleNames(cmd.Roles))
	var blank error
	if cmd.ClientName == "" {
		blank = errs.Invalid(errs.FieldViolation{Description: "must not be blank"})
	}
	if err := usecase.InvalidFields(
		usecase.FieldCheck{Field: "apiKey.clientName", Err: blank},
		usecase.FieldCheck{Field: "apiKey.roles", Err: rolesErr},
		usecase.FieldCheck{Field: "", Err: domain.CheckAPIKeyExpiry(cmd.ExpireTime, now)},
	); err != nil {
		return domain.APIKey{}, "", err
	}
	cmd.Roles = roles
	if err := domain.CheckAPIKeyGrant(actorOf(caller), cmd.Roles); err != nil {
		return domain.APIKey{}, "", err
	}
	build := func() (domain.APIKey, error) {
		id, err := uuid.NewV7()
		if err != nil {
			return domain.APIKey{}, fmt.Errorf("new id: %w", err)
		}
		full, prefix, hash, err := domain.NewAPIKeySecret(id)
		if err != nil {
			return domain.APIKey{}, err
		}
		secret = full
		return domain.APIKey{
			ID:            id.String(),
			CompanyID:     caller.CompanyID,
			ClientName:    cmd.ClientName,
			Prefix:        prefix,
			SecretHash:    hash,
			Roles:         cmd.Roles,
			CreatorUserID: caller.Subject,
			CreateTime:    now,
			ExpireTime:    cmd.ExpireTime,
		}, nil
	}
	key, err = usecase.Change(ctx, a.r.UnitOfWork, a.r.Events, func(ctx context.Context) (domain.APIKey, []Event, error) {
		k, replayed, err := a.r.Store.CreateAPIKey(ctx, cmd.RequestID, createAPIKeyHash(cmd), build)
		if err != nil {
			return k, nil, err
		}
		if replayed {
			usecase.NoteReplay(ctx)
			return k, nil, nil
		}
		return k, []Event{apiKeyCreated(k, caller.Subject)}, nil
	})
	if err != nil {
		return domain.APIKey{}, "", err
	}
	// A replay calls no build, so secret is still empty: the first
	// create's secret is not stored and cannot be shown again.
	return key, secret, nil
}

// apiKeyCreated is the event of key's creation by actorID.
func apiKeyCreated(key domain.APIKey, actorID string) Event {
	payload := &companyv1.ApiKeyCreated{
		CompanyId:  key.CompanyID,
		ApiKeyId:   key.ID,
		ActorId:    actorID,
		OccurTime:  timestamp(key.CreateTime),
		ClientName: key.ClientName,
		Prefix:     key.Prefix,
		Roles:      protoRoles(key.Roles),
	}
	if !key.ExpireTime.IsZero() {
		payload.ExpireTime = timestamp(key.ExpireTime)
	}
	return Event{Type: EventAPIKeyCreated, CompanyID: key.CompanyID, ResourceID: key.ID, Payload: payload}
}

// createAPIKeyHash fingerprints a create request for its idempotency key:
// the same request id with a different request is refused.
func createAPIKeyHash(cmd CreateAPIKey) []byte {
	h := sha256.New()
	write := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	write(cmd.ClientName)
	for _, r := range cmd.Roles {
		write(string(r))
	}
	write(cmd.ExpireTime.UTC().Format(time.RFC3339Nano))
	return h.Sum(nil)
}

// Get returns one key of the caller's company; another company's key
// is not found.
func (a APIKeys) Get(ctx context.Context, id string) (domain.APIKey, error) {
	if err := usecase.CheckID("id", id); err != nil {
		return domain.APIKey{}, err
	}
	return a.r.Store.GetAPIKey(ctx, id)
}

// ListAPIKeys pages through the caller's keys.
type ListAPIKeys struct {
	PageSize    int32
	PageToken   string
	ShowRevoked bool
}

// List returns one page of the caller's keys, newest first, and the
// token of the next page ("" on the last). The token is bound to the
// caller's company and the filter, and seals the last key's id.
func (a APIKeys) List(ctx context.Context, caller identity.Principal, q ListAPIKeys) ([]domain.APIKey, string, error) {
	scope := []string{"ListApiKeys", caller.CompanyID, strconv.FormatBool(q.ShowRevoked)}
	keys, next, err := usecase.KeysetPage(a.r.Pages, q.PageSize, q.PageToken, scope,
		func(key string) bool { return uuid.Validate(key) == nil },
		func(afterID string, limit int) ([]domain.APIKey, error) {
			return a.r.Store.ListAPIKeys(ctx, afterID, limit, q.ShowRevoked)
		},
		func(k domain.APIKey) string { return k.ID })
	if err != nil {
		return nil, "", err
	}
	return keys, next, nil
}

// Revoke stops a key of the caller's company from being exchanged.
// Revoking a revoked key returns it unchanged (and records no event). A key
// disabled with its creator can still be revoked, which retires it in the
// record whatever becomes of the creator.
// Tokens already exchanged for it keep working until they expire, at most
// the API-key token lifetime.
func (a APIKeys) Revoke(ctx context.Context, caller identity.Principal, id string) (domain.APIKey, error) {
	if err := usecase.CheckID("id", id); err != nil {
		return domain.APIKey{}, err
	}
	return usecase.Change(ctx, a.r.UnitOfWork, a.r.Events, func(ctx context.Context) (domain.APIKey, []Event, error) {
		var changed bool
		key, err := a.r.Store.UpdateAPIKey(ctx, id, func(k *domain.APIKey) error {
			changed = k.Revoke(a.r.Now.Stamp())
			return nil
		})
		if err != nil || !changed {
			return key, nil, err
		}
		return key, []Event{{
			Type:       EventAPIKeyRevoked,
			CompanyID:  key.CompanyID,
			ResourceID: key.ID,
			Payload: &companyv1.ApiKeyRevoked{
				CompanyId: key.CompanyID,
				ApiKeyId:  key.ID,
				ActorId:   caller.Subject,
				OccurTime: timestamp(key.RevokeTime),
				Prefix:    key.Prefix,
			},
		}}, nil
	})
}
