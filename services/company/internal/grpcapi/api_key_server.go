package grpcapi

import (
	"context"
	"time"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// APIKeyServer implements ApiKeyService.
type APIKeyServer struct {
	companyv1.UnimplementedApiKeyServiceServer
	app *app.Application
}

// NewAPIKeyServer returns the ApiKeyService handlers.
func NewAPIKeyServer(a *app.Application) *APIKeyServer { return &APIKeyServer{app: a} }

// apiKeyToProto shows a key. The proto has no disabled state, so a key
// disabled with its creator shows its disable time as revoke_time: clients
// read that field as "can no longer be exchanged", which is true, and
// ListApiKeys leaves it out unless show_revoked, like a revoked key. Why
// it ended (disable_reason) is kept in the key's row and shown by its
// events and audit records, not here.
func apiKeyToProto(k domain.APIKey) *companyv1.ApiKey {
	return &companyv1.ApiKey{
		Id:            k.ID,
		ClientName:    k.ClientName,
		Roles:         rolesToProto(k.Roles),
		Prefix:        k.Prefix,
		CreateTime:    protoconv.Time(k.CreateTime),
		LastUsedTime:  protoconv.Time(k.LastUsedTime),
		RevokeTime:    protoconv.Time(k.EndTime()),
		ExpireTime:    protoconv.Time(k.ExpireTime),
		CreatorUserId: k.CreatorUserID,
	}
}

// CreateApiKey implements ApiKeyService.CreateApiKey. The secret is in the
// response of the call that created the key and never again: a retry with
// the same request_id returns the key with an empty secret.
func (s *APIKeyServer) CreateApiKey(ctx context.Context, req *companyv1.CreateApiKeyRequest) (*companyv1.CreateApiKeyResponse, error) {
	caller, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	in := req.GetApiKey()
	var expire time.Time
	if in.GetExpireTime() != nil {
		expire = in.GetExpireTime().AsTime()
	}
	key, secret, err := s.app.APIKeys.Create(ctx, caller, app.CreateAPIKey{
		ClientName: in.GetClientName(),
		Roles:      rolesToDomain(in.GetRoles()),
		ExpireTime: expire,
		RequestID:  req.GetRequestId(),
	})
	if err != nil {
		return nil, err
	}
	return &companyv1.CreateApiKeyResponse{ApiKey: apiKeyToProto(key), Secret: secret}, nil
}

// GetApiKey implements ApiKeyService.GetApiKey.
func (s *APIKeyServer) GetApiKey(ctx context.Context, req *companyv1.GetApiKeyRequest) (*companyv1.ApiKey, error) {
	key, err := s.app.APIKeys.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return apiKeyToProto(key), nil
}

// ListApiKeys implements ApiKeyService.ListApiKeys.
func (s *APIKeyServer) ListApiKeys(ctx context.Context, req *companyv1.ListApiKeysRequest) (*companyv1.ListApiKeysResponse, error) {
	caller, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	keys, next, err := s.app.APIKeys.List(ctx, caller, app.ListAPIKeys{
		PageSize:    req.GetPageSize(),
		PageToken:   req.GetPageToken(),
		ShowRevoked: req.GetShowRevoked(),
	})
	if err != nil {
		return nil, err
	}
	out := &companyv1.ListApiKeysResponse{ApiKeys: make([]*companyv1.ApiKey, len(keys)), NextPageToken: next}
	for i, k := range keys {
		out.ApiKeys[i] = apiKeyToProto(k)
	}
	return out, nil
}

// RevokeApiKey implements ApiKeyService.RevokeApiKey.
func (s *APIKeyServer) RevokeApiKey(ctx context.Context, req *companyv1.RevokeApiKeyRequest) (*companyv1.ApiKey, error) {
	caller, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	key, err := s.app.APIKeys.Revoke(ctx, caller, req.GetId())
	if err != nil {
		return nil, err
	}
	return apiKeyToProto(key), nil
}
