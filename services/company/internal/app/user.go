package app

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/usecase"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

// UserRepository stores users.
type UserRepository interface {
	GetUser(ctx context.Context, id string) (*domain.User, error)
	ListUsers(ctx context.Context, role domain.Role, showDeactivated bool, afterID string, limit int) ([]*domain.User, error)
	CreateUser(ctx context.Context, u *domain.User, passwordHash, requestID string, requestHash []byte, check func(domain.Roster) error) (out *domain.User, replayed bool, err error)
	UpdateUser(ctx context.Context, id string, fn func(domain.Roster, *domain.User) error) (u *domain.User, revokedSessions []string, err error)
	// DisableCreatorAPIKeys disables the usable keys creator created and
	// returns them; it joins the unit of work of ctx.
	DisableCreatorAPIKeys(ctx context.Context, creatorID string, now time.Time, reason domain.APIKeyDisableReason) ([]domain.APIKey, error)
}

// Users are the user commands and queries: the caller's company's users,
// their roles and whether they may sign in.
type Users struct{ r *registry }

// Get returns user id of the caller's company; another company's user is
// NOT_FOUND.
func (h Users) Get(ctx context.Context, id string) (*domain.User, error) {
	if _, _, err := caller(ctx); err != nil {
		return nil, err
	}
	if err := usecase.CheckID("id", id); err != nil {
		return nil, err
	}
	return h.r.Store.GetUser(ctx, id)
}

// ListUsers pages through the caller's users, ordered by email.
type ListUsers struct {
	PageSize  int32
	PageToken string
	// Role keeps only holders of the role; "" keeps all.
	Role domain.Role
	// ShowDeactivated includes deactivated users.
	ShowDeactivated bool
}

// UserPage is one page of users.
type UserPage struct {
	Users         []*domain.User
	NextPageToken string
}

// List returns one page. The token is bound to the caller's company and
// the filter, and seals the last user's id, never an email.
func (h Users) List(ctx context.Context, q ListUsers) (UserPage, error) {
	_, tenant, err := caller(ctx)
	if err != nil {
		return UserPage{}, err
	}
	scope := []string{"ListUsers", tenant, string(q.Role), strconv.FormatBool(q.ShowDeactivated)}
	isID := func(key string) bool { _, err := uuid.Parse(key); return err == nil }
	users, next, err := usecase.KeysetPage(h.r.Pages, q.PageSize, q.PageToken, scope, isID,
		func(after string, limit int) ([]*domain.User, error) {
			return h.r.Store.ListUsers(ctx, q.Role, q.ShowDeactivated, after, limit)
		},
		func(u *domain.User) string { return u.ID })
	return UserPage{Users: users, NextPageToken: next}, err
}

// CreateUser adds a user with an initial password. Violations name fields
// of the request ("user.email", "roles[1]", "password", "requestId").
type CreateUser struct {
	Profile  domain.UserProfile
	Roles    []domain.Role
	Password string
	// RequestID is the AIP-155 idempotency key; "" means none.
	RequestID string
}

// Create creates the user and records UserCreated. Only an owner may
// create an owner (PERMISSION_DENIED otherwise); allowed locations must be
// locations of the company in use. A repeated request (same request id,
// same body, password included) returns the user created the first time.
func (h Users) Create(ctx context.Context, cmd CreateUser) (*domain.User, error) {
	var passwordHash string
	return usecase.Create(ctx, h.r.UnitOfWork, h.r.Events, usecase.Creation[*domain.User]{
		// No Field: the user, its roles and its password are checked
		// together, each under its own request field.
		RequestID: cmd.RequestID,
		Fingerprint: func() ([]byte, error) {
			return usecase.Fingerprint(h.r.Keyring, "company", "CreateUser", struct {
				Profile  domain.UserProfile
				Roles    []domain.Role
				Password string
			}{cmd.Profile, cmd.Roles, cmd.Password})
		},
		Build: func(caller identity.Principal, id string) (*domain.User, error) {
			roles, rolesErr := domain.ParseRoles(domain.RoleNames(cmd.Roles))
			u, userErr := domain.NewUser(id, caller.CompanyID, cmd.Profile, roles, h.r.Now.Stamp())
			if err := usecase.InvalidFields(
				usecase.FieldCheck{Field: "user", Err: userErr},
				usecase.FieldCheck{Field: "roles", Err: rolesErr},
				usecase.FieldCheck{Field: "password", Err: domain.CheckNewPassword("", cmd.Password, cmd.Profile.Email)},
			); err != nil {
				return nil, err
			}
			if err := domain.CheckGrant(actorOf(caller), roles); err != nil {
				return nil, err
			}
			// The password is hashed here, before the unit of work: argon2id
			// takes tens of milliseconds of CPU that should not hold a
			// connection, and 64 MiB that the password gate bounds.
			leave, err := h.r.PasswordGate.Enter(ctx)
			if err != nil {
				return nil, err
			}
			defer leave()
			passwordHash, err = domain.HashPassword(cmd.Password)
			return u, err
		},
		Store: func(ctx context.Context, u *domain.User, requestID string, fingerprint []byte) (*domain.User, bool, error) {
			return h.r.Store.CreateUser(ctx, u, passwordHash, requestID, fingerprint, func(r domain.Roster) error {
				return usecase.UnderField("user", u.CheckLocations(ctx, r))
			})
		},
		Events: func(caller identity.Principal, created *domain.User) []Event {
			return []Event{{
				Type:       EventUserCreated,
				CompanyID:  caller.CompanyID,
				ResourceID: created.ID,
				Payload: &companyv1.UserCreated{
					CompanyId:          caller.CompanyID,
					UserId:             created.ID,
					ActorId:            caller.Subject,
					OccurTime:          timestamp(created.CreateTime),
					Email:              created.Email,
					Roles:              protoRoles(created.Roles),
					AllowedLocationIds: created.AllowedLocationIDs,
				},
			}}
		},
	})
}

// UpdateUser changes a user's profile. Violations name fields of the
// request ("user.id", "user.etag", "user.givenName").
type UpdateUser struct {
	ID   string
	Etag string
	// Fields to write; the caller resolves an empty update mask to every
	// writable field.
	Fields  []domain.UserField
	Profile domain.UserProfile
}

// Update applies cmd and records UserUpdated. Only an owner may change an
// owner.
func (h Users) Update(ctx context.Context, cmd UpdateUser) (*domain.User, error) {
	// The change needs the actor (only an owner may change an owner), which
	// usecase.Apply hands only to the events.
	actor, _, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	now := h.r.Now.Stamp()
	return usecase.Apply(ctx, h.r.UnitOfWork, h.r.Events, usecase.Update[*domain.User]{
		Field: "user", IDField: "user.id", ID: cmd.ID, Etag: cmd.Etag,
		Version: func(u *domain.User) int64 { return u.Version },
		// Changed allowed locations are checked against the roster, under
		// the same lock, once the profile change is made.
		Store: func(ctx context.Context, id string, fn func(*domain.User) error) (*domain.User, error) {
			u, _, err := h.r.Store.UpdateUser(ctx, id, func(r domain.Roster, u *domain.User) error {
				if err := fn(u); err != nil {
					return err
				}
				if !slices.Contains(cmd.Fields, domain.UserAllowedLocationIDs) {
					return nil
				}
				return usecase.UnderField("user", u.CheckLocations(ctx, r))
			})
			return u, err
		},
		Apply: func(u *domain.User) error { return u.UpdateProfile(actor, cmd.Fields, cmd.Profile, now) },
		Events: func(caller identity.Principal, u *domain.User) []Event {
			return []Event{{
				Type:       EventUserUpdated,
				CompanyID:  caller.CompanyID,
				ResourceID: u.ID,
				Payload: &companyv1.UserUpdated{
					CompanyId:          caller.CompanyID,
					UserId:             u.ID,
					ActorId:            caller.Subject,
					OccurTime:          timestamp(u.UpdateTime),
					ChangedFields:      fieldNames(cmd.Fields),
					AllowedLocationIds: u.AllowedLocationIDs,
					Version:            u.Version,
				},
			}}
		},
	})
}

// SetUserRoles replaces a user's roles. Violations name "id", "roles[i]"
// and "etag".
type SetUserRoles struct {
	ID    string
	Roles []domain.Role
	Etag  string
}

// SetRoles replaces the roles and records UserRolesChanged when they changed.
// Granting or removing owner, or changing an owner's roles, needs an owner
// (PERMISSION_DENIED); removing owner from the last active owner is
// FAILED_PRECONDITION.
func (h Users) SetRoles(ctx context.Context, cmd SetUserRoles) (*domain.User, error) {
	actor, tenant, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	roles, rolesErr := domain.ParseRoles(domain.RoleNames(cmd.Roles))
	if err := usecase.InvalidFields(usecase.FieldCheck{Field: "id", Err: usecase.CheckID("", cmd.ID)}, usecase.FieldCheck{Field: "roles", Err: rolesErr}); err != nil {
		return nil, err
	}
	return usecase.Change(ctx, h.r.UnitOfWork, h.r.Events, func(ctx context.Context) (*domain.User, []Event, error) {
		var previous []domain.Role
		u, _, err := h.r.Store.UpdateUser(ctx, cmd.ID, func(r domain.Roster, u *domain.User) error {
			if err := etag.Check(cmd.Etag, u.Version); err != nil {
				return err
			}
			owners, err := activeOwners(ctx, r, u)
			if err != nil {
				return err
			}
			previous = slices.Clone(u.Roles)
			return u.SetRoles(actor, roles, owners, h.r.Now.Stamp())
		})
		if err != nil || slices.Equal(previous, u.Roles) {
			return u, nil, err
		}
		return u, []Event{{
			Type:       EventUserRolesChanged,
			CompanyID:  tenant,
			ResourceID: u.ID,
			Payload: &companyv1.UserRolesChanged{
				CompanyId:     tenant,
				UserId:        u.ID,
				ActorId:       actor.ID,
				OccurTime:     timestamp(u.UpdateTime),
				PreviousRoles: protoRoles(previous),
				Roles:         protoRoles(u.Roles),
			},
		}}, nil
	})
}

// activeOwners asks the roster for the company's active owners only when
// the answer matters: when u is one of them.
func activeOwners(ctx context.Context, r domain.Roster, u *domain.User) (int, error) {
	if !u.IsActiveOwner() {
		return 0, nil
	}
	return r.ActiveOwners(ctx)
}

// DeactivateUser stops a user from signing in; ReactivateUser lets them
// again. Violations name "id" and "etag".
type DeactivateUser struct {
	ID   string
	Etag string
}

// ReactivateUser lets a deactivated or locked user sign in again.
type ReactivateUser struct {
	ID   string
	Etag string
}

// Deactivate deactivates the user, which revokes their sessions and
// disables the API keys they created in the same transaction, and records
// UserDeactivated, one SessionRevoked per session and one ApiKeyRevoked per
// key. Users cannot deactivate themselves; the last active owner cannot be
// deactivated (both FAILED_PRECONDITION).
//
// A key carries roles its creator chose from their own, so it must not
// outlive their authority: a departed administrator's key would otherwise
// keep their access for as long as nobody remembered it. ApiKeyRevoked is
// what the platform's revocation stream reads (with the key id as the
// subject), so every service refuses the tokens already exchanged for the
// key as soon as the event arrives, not only when they expire; it has no
// reason field, and the key's disable_reason says why.
func (h Users) Deactivate(ctx context.Context, cmd DeactivateUser) (*domain.User, error) {
	move := func(ctx context.Context, r domain.Roster, actor domain.Actor, u *domain.User, now time.Time) error {
		owners, err := activeOwners(ctx, r, u)
		if err != nil {
			return err
		}
		return u.Deactivate(actor, owners, now)
	}
	return h.changeStatus(ctx, cmd.ID, cmd.Etag, move, func(c statusChange) []Event {
		u := c.user
		events := []Event{{
			Type:       EventUserDeactivated,
			CompanyID:  c.tenant,
			ResourceID: u.ID,
			Payload: &companyv1.UserDeactivated{
				CompanyId:      c.tenant,
				UserId:         u.ID,
				ActorId:        c.actor.ID,
				OccurTime:      timestamp(u.UpdateTime),
				PreviousStatus: protoUserStatus(c.previous),
			},
		}}
		for _, key := range c.disabled {
			events = append(events, Event{
				Type:       EventAPIKeyRevoked,
				CompanyID:  c.tenant,
				ResourceID: key.ID,
				Payload: &companyv1.ApiKeyRevoked{
					CompanyId: c.tenant,
					ApiKeyId:  key.ID,
					ActorId:   c.actor.ID,
					OccurTime: timestamp(key.DisableTime),
					Prefix:    key.Prefix,
				},
			})
		}
		for _, session := range c.revoked {
			events = append(events, Event{
				Type:       EventSessionRevoked,
				CompanyID:  c.tenant,
				ResourceID: session,
				Payload: &companyv1.SessionRevoked{
					CompanyId: c.tenant,
					SessionId: session,
					ActorId:   c.actor.ID,
					OccurTime: timestamp(u.UpdateTime),
					UserId:    u.ID,
					Reason:    companyv1.SessionRevokeReason_SESSION_REVOKE_REASON_USER_DEACTIVATED,
				},
			})
		}
		return events
	})
}

// Reactivate reactivates the user (clearing a lockout) and records
// UserReactivated. Reactivating an active user is FAILED_PRECONDITION.
// The API keys their deactivation disabled stay disabled: whoever
// reactivates a user has not thereby vouched for every partner system the
// user once gave a key, so an administrator issues new keys deliberately.
func (h Users) Reactivate(ctx context.Context, cmd ReactivateUser) (*domain.User, error) {
	move := func(_ context.Context, _ domain.Roster, actor domain.Actor, u *domain.User, now time.Time) error {
		return u.Reactivate(actor, now)
	}
	return h.changeStatus(ctx, cmd.ID, cmd.Etag, move, func(c statusChange) []Event {
		return []Event{{
			Type:       EventUserReactivated,
			CompanyID:  c.tenant,
			ResourceID: c.user.ID,
			Payload: &companyv1.UserReactivated{
				CompanyId:      c.tenant,
				UserId:         c.user.ID,
				ActorId:        c.actor.ID,
				OccurTime:      timestamp(c.user.UpdateTime),
				PreviousStatus: protoUserStatus(c.previous),
			},
		}}
	})
}

// statusChange is what a user status command did.
type statusChange struct {
	user     *domain.User
	actor    domain.Actor
	tenant   string
	previous domain.UserStatus
	// revoked lists the sessions the change revoked.
	revoked []string
	// disabled lists the API keys the change disabled.
	disabled []domain.APIKey
}

// changeStatus checks the etag of user id, runs move on it in the
// transaction that saves it, and records the events that describe the
// change in the same unit of work. move gets the unit's context, for the
// roster's queries. A change that deactivates the user disables the keys
// they created in the same unit of work.
func (h Users) changeStatus(ctx context.Context, id, tag string,
	move func(context.Context, domain.Roster, domain.Actor, *domain.User, time.Time) error,
	events func(statusChange) []Event) (*domain.User, error) {
	actor, tenant, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := usecase.CheckID("id", id); err != nil {
		return nil, err
	}
	return usecase.Change(ctx, h.r.UnitOfWork, h.r.Events, func(ctx context.Context) (*domain.User, []Event, error) {
		c := statusChange{actor: actor, tenant: tenant}
		var err error
		c.user, c.revoked, err = h.r.Store.UpdateUser(ctx, id, func(r domain.Roster, u *domain.User) error {
			if err := etag.Check(tag, u.Version); err != nil {
				return err
			}
			c.previous = u.Status
			return move(ctx, r, actor, u, h.r.Now.Stamp())
		})
		if err != nil {
			return nil, nil, err
		}
		if c.user.Status == domain.UserDeactivated && c.previous != domain.UserDeactivated {
			c.disabled, err = h.r.Store.DisableCreatorAPIKeys(ctx, c.user.ID, c.user.UpdateTime, domain.APIKeyCreatorDeactivated)
			if err != nil {
				return nil, nil, err
			}
		}
		return c.user, events(c), nil
	})
}
