package grpcapi

import (
	"context"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/protoconv"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// UserServer implements UserService: the people who sign in to the
// company, their roles and their status.
type UserServer struct {
	companyv1.UnimplementedUserServiceServer
	app *app.Application
}

// userMask resolves UpdateUser's update_mask: profile fields only. Email is
// immutable; roles and status are output only here (SetUserRoles,
// DeactivateUser and ReactivateUser change them), so a profile edit can
// never grant a role.
var userMask = protoconv.UpdateMask{
	Resource: (&companyv1.User{}).ProtoReflect().Descriptor(),
	Writable: fieldNames(domain.UserFields),
}

// GetUser returns one user.
func (s *UserServer) GetUser(ctx context.Context, req *companyv1.GetUserRequest) (*companyv1.User, error) {
	u, err := s.app.Users.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return userToProto(u), nil
}

// ListUsers returns one page of users ordered by email.
func (s *UserServer) ListUsers(ctx context.Context, req *companyv1.ListUsersRequest) (*companyv1.ListUsersResponse, error) {
	role, err := roleFilter(req.GetRole())
	if err != nil {
		return nil, err
	}
	p, err := s.app.Users.List(ctx, app.ListUsers{
		PageSize:        req.GetPageSize(),
		PageToken:       req.GetPageToken(),
		Role:            role,
		ShowDeactivated: req.GetShowDeactivated(),
	})
	if err != nil {
		return nil, err
	}
	resp := &companyv1.ListUsersResponse{NextPageToken: p.NextPageToken, Users: make([]*companyv1.User, len(p.Users))}
	for i, u := range p.Users {
		resp.Users[i] = userToProto(u)
	}
	return resp, nil
}

// CreateUser adds a user with an initial password; user.roles and
// user.status in the request are ignored (roles come from the request's
// own roles field).
func (s *UserServer) CreateUser(ctx context.Context, req *companyv1.CreateUserRequest) (*companyv1.User, error) {
	u, err := s.app.Users.Create(ctx, app.CreateUser{
		Profile:   userProfile(req.GetUser()),
		Roles:     rolesToDomain(req.GetRoles()),
		Password:  req.GetPassword(),
		RequestID: req.GetRequestId(),
	})
	if err != nil {
		return nil, err
	}
	return userToProto(u), nil
}

// UpdateUser changes the profile fields the mask names.
func (s *UserServer) UpdateUser(ctx context.Context, req *companyv1.UpdateUserRequest) (*companyv1.User, error) {
	paths, _, err := userMask.Resolve(req.GetUpdateMask())
	if err != nil {
		return nil, err
	}
	u, err := s.app.Users.Update(ctx, app.UpdateUser{
		ID:      req.GetUser().GetId(),
		Etag:    req.GetUser().GetEtag(),
		Fields:  protoconv.AsFields[domain.UserField](paths),
		Profile: userProfile(req.GetUser()),
	})
	if err != nil {
		return nil, err
	}
	return userToProto(u), nil
}

// SetUserRoles replaces a user's roles.
func (s *UserServer) SetUserRoles(ctx context.Context, req *companyv1.SetUserRolesRequest) (*companyv1.User, error) {
	u, err := s.app.Users.SetRoles(ctx, app.SetUserRoles{
		ID:    req.GetId(),
		Roles: rolesToDomain(req.GetRoles()),
		Etag:  req.GetEtag(),
	})
	if err != nil {
		return nil, err
	}
	return userToProto(u), nil
}

// DeactivateUser stops a user from signing in and revokes their sessions.
func (s *UserServer) DeactivateUser(ctx context.Context, req *companyv1.DeactivateUserRequest) (*companyv1.User, error) {
	u, err := s.app.Users.Deactivate(ctx, app.DeactivateUser{ID: req.GetId(), Etag: req.GetEtag()})
	if err != nil {
		return nil, err
	}
	return userToProto(u), nil
}

// ReactivateUser lets a deactivated or locked user sign in again.
func (s *UserServer) ReactivateUser(ctx context.Context, req *companyv1.ReactivateUserRequest) (*companyv1.User, error) {
	u, err := s.app.Users.Reactivate(ctx, app.ReactivateUser{ID: req.GetId(), Etag: req.GetEtag()})
	if err != nil {
		return nil, err
	}
	return userToProto(u), nil
}

// ResetUserPassword implements UserService.ResetUserPassword.
func (s *UserServer) ResetUserPassword(ctx context.Context, req *companyv1.ResetUserPasswordRequest) (*companyv1.ResetUserPasswordResponse, error) {
	issued, err := s.app.Passwords.Reset(ctx, app.ResetUserPassword{ID: req.GetId()})
	if err != nil {
		return nil, err
	}
	return &companyv1.ResetUserPasswordResponse{
		ResetToken:      issued.Token,
		ExpireTime:      protoconv.Time(issued.ExpireTime),
		RevokedSessions: int32(issued.Revoked),
	}, nil
}
