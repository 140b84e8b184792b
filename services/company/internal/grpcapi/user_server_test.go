package grpcapi_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/company/internal/app"
	"github.com/ariesone/ariesone/services/company/internal/domain"
)

const password = "a long enough password"

func newUser(email string, roles ...companyv1.Role) *companyv1.CreateUserRequest {
	return &companyv1.CreateUserRequest{
		User:     &companyv1.User{Email: email, GivenName: "Ana", FamilyName: "Lopez"},
		Roles:    roles,
		Password: password,
	}
}

func (h *harness) createUser(t *testing.T, ctx context.Context, email string, roles ...companyv1.Role) *companyv1.User {
	t.Helper()
	u, err := h.users.CreateUser(ctx, newUser(email, roles...))
	if err != nil {
		t.Fatalf("CreateUser %s: %v", email, err)
	}
	return u
}

// actAs returns a context calling as user u of tenant tn.
func (h *harness) actAs(tn tenant, u *companyv1.User) context.Context {
	roles := make([]string, len(u.GetRoles()))
	for i, r := range u.GetRoles() {
		roles[i] = string(roleName(r))
	}
	return h.as(tn.companyID, u.GetId(), roles...)
}

func roleName(r companyv1.Role) domain.Role {
	return map[companyv1.Role]domain.Role{
		companyv1.Role_ROLE_OWNER: domain.RoleOwner, companyv1.Role_ROLE_ADMIN: domain.RoleAdmin,
		companyv1.Role_ROLE_INTAKE: domain.RoleIntake, companyv1.Role_ROLE_BILLING: domain.RoleBilling,
	}[r]
}

func TestCreateAndGetUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	loc := h.createLocation(t, a.owner, "ATL-01")

	req := newUser("Ana.Lopez@Acme.example", companyv1.Role_ROLE_INTAKE, companyv1.Role_ROLE_ADMIN)
	req.User.AllowedLocationIds = []string{loc.GetId()}
	req.User.Roles = []companyv1.Role{companyv1.Role_ROLE_OWNER} // output only: ignored
	u, err := h.users.CreateUser(a.owner, req)
	if err != nil {
		t.Fatal(err)
	}
	wantRoles := []companyv1.Role{companyv1.Role_ROLE_ADMIN, companyv1.Role_ROLE_INTAKE}
	if u.GetEmail() != "Ana.Lopez@Acme.example" || !cmp.Equal(wantRoles, u.GetRoles()) || u.GetStatus() != companyv1.UserStatus_USER_STATUS_ACTIVE ||
		!cmp.Equal([]string{loc.GetId()}, u.GetAllowedLocationIds()) || u.GetEtag() != `"1"` || u.GetLastLoginTime() != nil {
		t.Errorf("CreateUser = %v", u)
	}
	got, err := h.users.GetUser(a.owner, &companyv1.GetUserRequest{Id: u.GetId()})
	if err != nil || got.GetEmail() != u.GetEmail() {
		t.Errorf("GetUser = %v, %v", got, err)
	}
	// The password is stored only as an argon2id hash.
	var hash string
	if err := h.db.Super.QueryRow(context.Background(), `select password_hash from users where id = $1`, u.GetId()).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if ok, _, err := domain.VerifyPassword(hash, password); err != nil || !ok {
		t.Errorf("stored hash does not verify the password: %v", err)
	}

	// Emails are unique per company, compared case-insensitively.
	_, err = h.users.CreateUser(a.owner, newUser("ana.lopez@acme.EXAMPLE", companyv1.Role_ROLE_BILLING))
	grpcerrtest.WantCode(t, err, codes.AlreadyExists)
}

func TestCreateUserRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	b := h.bootstrap(t, "bravo")
	locB := h.createLocation(t, b.owner, "BOS-01")
	admin := h.createUser(t, a.owner, "admin@acme.example", companyv1.Role_ROLE_ADMIN)
	intake := h.createUser(t, a.owner, "intake@acme.example", companyv1.Role_ROLE_INTAKE)

	// intake lacks users.write: refused by the method's rule.
	_, err := h.users.CreateUser(h.actAs(a, intake), newUser("x@acme.example", companyv1.Role_ROLE_INTAKE))
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	// admin holds users.write but may not create an owner: PERMISSION_DENIED
	// with reason OWNER_REQUIRED (a matter of authority, not of state).
	_, err = h.users.CreateUser(h.actAs(a, admin), newUser("x@acme.example", companyv1.Role_ROLE_OWNER))
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	if _, err := h.users.CreateUser(h.actAs(a, admin), newUser("x@acme.example", companyv1.Role_ROLE_BILLING)); err != nil {
		t.Errorf("admin creates a billing user: %v", err)
	}

	// Another company's location, or a made-up one, is not an allowed
	// location: reported, never revealed.
	req := newUser("y@acme.example", companyv1.Role_ROLE_INTAKE)
	req.User.AllowedLocationIds = []string{locB.GetId(), uuid.NewString()}
	_, err = h.users.CreateUser(a.owner, req)
	grpcerrtest.WantInvalid(t, err, "user.allowedLocationIds[0]", "user.allowedLocationIds[1]")

	tests := []struct {
		name   string
		req    *companyv1.CreateUserRequest
		fields []string
	}{
		{name: "short password", req: &companyv1.CreateUserRequest{User: &companyv1.User{Email: "z@acme.example", GivenName: "Z", FamilyName: "Z"}, Roles: []companyv1.Role{companyv1.Role_ROLE_INTAKE}, Password: "short"}, fields: []string{"password"}},
		{name: "no roles", req: &companyv1.CreateUserRequest{User: &companyv1.User{Email: "z@acme.example", GivenName: "Z", FamilyName: "Z"}, Password: password}, fields: []string{"roles"}},
		{name: "missing profile", req: &companyv1.CreateUserRequest{User: &companyv1.User{}, Roles: []companyv1.Role{companyv1.Role_ROLE_INTAKE}, Password: password}, fields: []string{"user.email", "user.givenName", "user.familyName"}},
		{name: "bad email", req: &companyv1.CreateUserRequest{User: &companyv1.User{Email: "not-an-email", GivenName: "Z", FamilyName: "Z"}, Roles: []companyv1.Role{companyv1.Role_ROLE_INTAKE}, Password: password}, fields: []string{"user.email"}},
		{name: "blank password", req: &companyv1.CreateUserRequest{User: &companyv1.User{Email: "z@acme.example", GivenName: "Z", FamilyName: "Z"}, Roles: []companyv1.Role{companyv1.Role_ROLE_INTAKE}, Password: "              "}, fields: []string{"password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.users.CreateUser(a.owner, tt.req)
			grpcerrtest.WantInvalid(t, err, tt.fields...)
		})
	}
}

func TestCreateUserIdempotent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	req := newUser("ana@acme.example", companyv1.Role_ROLE_INTAKE)
	req.RequestId = uuid.NewString()

	first, err := h.users.CreateUser(a.owner, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.users.CreateUser(a.owner, req)
	if err != nil || again.GetId() != first.GetId() {
		t.Fatalf("retry = %v, %v", again.GetId(), err)
	}
	// The password is part of the request: a retry with another one is
	// another request.
	req.Password = "another long password"
	_, err = h.users.CreateUser(a.owner, req)
	grpcerrtest.WantInvalid(t, err, "requestId")
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	loc := h.createLocation(t, a.owner, "ATL-01")
	u := h.createUser(t, a.owner, "ana@acme.example", companyv1.Role_ROLE_INTAKE)

	got, err := h.users.UpdateUser(a.owner, &companyv1.UpdateUserRequest{
		User:       &companyv1.User{Id: u.GetId(), GivenName: "Anabel", AllowedLocationIds: []string{loc.GetId()}, Etag: u.GetEtag()},
		UpdateMask: mask("given_name", "allowed_location_ids"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetGivenName() != "Anabel" || got.GetFamilyName() != "Lopez" || !cmp.Equal([]string{loc.GetId()}, got.GetAllowedLocationIds()) || got.GetEtag() != `"2"` {
		t.Errorf("UpdateUser = %v", got)
	}

	update := func(user *companyv1.User, paths ...string) error {
		user.Id = u.GetId()
		_, err := h.users.UpdateUser(a.owner, &companyv1.UpdateUserRequest{User: user, UpdateMask: mask(paths...)})
		return err
	}
	// A profile edit can never grant a role or change status or email.
	grpcerrtest.WantInvalid(t, update(&companyv1.User{Roles: []companyv1.Role{companyv1.Role_ROLE_OWNER}}, "roles"), "updateMask")
	grpcerrtest.WantInvalid(t, update(&companyv1.User{Email: "new@acme.example"}, "email"), "updateMask")
	grpcerrtest.WantInvalid(t, update(&companyv1.User{}, "status", "last_login_time"), "updateMask", "updateMask")
	grpcerrtest.WantCode(t, update(&companyv1.User{GivenName: "x", Etag: u.GetEtag()}, "given_name"), codes.Aborted)
	grpcerrtest.WantInvalid(t, update(&companyv1.User{AllowedLocationIds: []string{uuid.NewString()}}, "allowed_location_ids"), "user.allowedLocationIds[0]")
	// Deleted locations cannot be newly allowed.
	if _, err := h.locations.DeleteLocation(a.owner, &companyv1.DeleteLocationRequest{Id: loc.GetId()}); err != nil {
		t.Fatal(err)
	}
	grpcerrtest.WantInvalid(t, update(&companyv1.User{AllowedLocationIds: []string{loc.GetId()}}, "allowed_location_ids"), "user.allowedLocationIds[0]")
	// An empty mask writes every profile field, so both names are needed.
	grpcerrtest.WantInvalid(t, update(&companyv1.User{GivenName: "Only"}), "user.familyName")
}

func TestSetUserRolesAndLastOwner(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	admin := h.createUser(t, a.owner, "admin@acme.example", companyv1.Role_ROLE_ADMIN)
	intake := h.createUser(t, a.owner, "intake@acme.example", companyv1.Role_ROLE_INTAKE)
	asAdmin := h.actAs(a, admin)
	setRoles := func(ctx context.Context, id string, roles ...companyv1.Role) (*companyv1.User, error) {
		return h.users.SetUserRoles(ctx, &companyv1.SetUserRolesRequest{Id: id, Roles: roles})
	}

	got, err := setRoles(asAdmin, intake.GetId(), companyv1.Role_ROLE_BILLING, companyv1.Role_ROLE_INTAKE)
	if err != nil || !cmp.Equal([]companyv1.Role{companyv1.Role_ROLE_INTAKE, companyv1.Role_ROLE_BILLING}, got.GetRoles()) {
		t.Fatalf("admin sets intake+billing: %v, %v", got.GetRoles(), err)
	}
	// Owner is granted and removed only by owners: PERMISSION_DENIED.
	_, err = setRoles(asAdmin, intake.GetId(), companyv1.Role_ROLE_OWNER)
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = setRoles(asAdmin, admin.GetId(), companyv1.Role_ROLE_OWNER, companyv1.Role_ROLE_ADMIN)
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	_, err = setRoles(asAdmin, a.ownerID, companyv1.Role_ROLE_ADMIN)
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)

	// The last active owner cannot give up owner: FAILED_PRECONDITION.
	_, err = setRoles(a.owner, a.ownerID, companyv1.Role_ROLE_ADMIN)
	grpcerrtest.WantCode(t, err, codes.FailedPrecondition)
	if reason := errorReason(err); reason != domain.ReasonLastOwner {
		t.Errorf("reason = %q, want %s", reason, domain.ReasonLastOwner)
	}
	// With a second owner, the first may step down.
	if _, err := setRoles(a.owner, admin.GetId(), companyv1.Role_ROLE_OWNER); err != nil {
		t.Fatalf("owner promotes admin: %v", err)
	}
	if _, err := setRoles(a.owner, a.ownerID, companyv1.Role_ROLE_ADMIN); err != nil {
		t.Fatalf("owner steps down while another owner remains: %v", err)
	}
	secondOwner := h.as(a.companyID, admin.GetId(), "owner")
	_, err = setRoles(secondOwner, admin.GetId(), companyv1.Role_ROLE_ADMIN)
	grpcerrtest.WantCode(t, err, codes.FailedPrecondition)

	_, err = setRoles(a.owner, intake.GetId(), 0)
	grpcerrtest.WantInvalid(t, err, "roles[0]")
	_, err = h.users.SetUserRoles(a.owner, &companyv1.SetUserRolesRequest{Id: intake.GetId(), Roles: []companyv1.Role{companyv1.Role_ROLE_AUDITOR}, Etag: `"1"`})
	grpcerrtest.WantCode(t, err, codes.Aborted)

	var changes []string
	for _, e := range h.events.Events() {
		if e.Type == app.EventUserRolesChanged {
			changes = append(changes, e.ResourceID)
		}
	}
	if diff := cmp.Diff([]string{intake.GetId(), admin.GetId(), a.ownerID}, changes); diff != "" {
		t.Errorf("UserRolesChanged events for (-want +got):\n%s", diff)
	}
}

func TestDeactivateAndReactivateUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	admin := h.createUser(t, a.owner, "admin@acme.example", companyv1.Role_ROLE_ADMIN)
	intake := h.createUser(t, a.owner, "intake@acme.example", companyv1.Role_ROLE_INTAKE)
	asAdmin := h.actAs(a, admin)

	_, err := h.users.DeactivateUser(asAdmin, &companyv1.DeactivateUserRequest{Id: admin.GetId()})
	grpcerrtest.WantCode(t, err, codes.FailedPrecondition) // not oneself
	_, err = h.users.DeactivateUser(asAdmin, &companyv1.DeactivateUserRequest{Id: a.ownerID})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied) // only owners touch owners
	_, err = h.users.DeactivateUser(asAdmin, &companyv1.DeactivateUserRequest{Id: intake.GetId(), Etag: `"9"`})
	grpcerrtest.WantCode(t, err, codes.Aborted)

	got, err := h.users.DeactivateUser(asAdmin, &companyv1.DeactivateUserRequest{Id: intake.GetId(), Etag: intake.GetEtag()})
	if err != nil || got.GetStatus() != companyv1.UserStatus_USER_STATUS_DEACTIVATED {
		t.Fatalf("DeactivateUser = %v, %v", got, err)
	}
	_, err = h.users.DeactivateUser(asAdmin, &companyv1.DeactivateUserRequest{Id: intake.GetId()})
	grpcerrtest.WantCode(t, err, codes.FailedPrecondition)

	listed, _ := h.users.ListUsers(a.owner, &companyv1.ListUsersRequest{})
	withDeactivated, _ := h.users.ListUsers(a.owner, &companyv1.ListUsersRequest{ShowDeactivated: true})
	if len(listed.GetUsers()) != 2 || len(withDeactivated.GetUsers()) != 3 {
		t.Errorf("lists: %d, %d with deactivated; want 2 and 3", len(listed.GetUsers()), len(withDeactivated.GetUsers()))
	}

	got, err = h.users.ReactivateUser(asAdmin, &companyv1.ReactivateUserRequest{Id: intake.GetId()})
	if err != nil || got.GetStatus() != companyv1.UserStatus_USER_STATUS_ACTIVE {
		t.Fatalf("ReactivateUser = %v, %v", got, err)
	}
	_, err = h.users.ReactivateUser(asAdmin, &companyv1.ReactivateUserRequest{Id: intake.GetId()})
	grpcerrtest.WantCode(t, err, codes.FailedPrecondition)

	types := h.events.Types()
	if diff := cmp.Diff([]string{app.EventUserDeactivated, app.EventUserReactivated}, types[len(types)-2:]); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestListUsers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	b := h.bootstrap(t, "bravo")
	for i := range 4 {
		h.createUser(t, a.owner, fmt.Sprintf("user%d@acme.example", 4-i), companyv1.Role_ROLE_TECHNICIAN)
	}
	h.createUser(t, a.owner, "Billing@acme.example", companyv1.Role_ROLE_BILLING)

	var emails []string
	token := ""
	for range 10 {
		resp, err := h.users.ListUsers(a.owner, &companyv1.ListUsersRequest{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range resp.GetUsers() {
			emails = append(emails, u.GetEmail())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	want := []string{"Billing@acme.example", "owner@acme.example", "user1@acme.example", "user2@acme.example", "user3@acme.example", "user4@acme.example"}
	if diff := cmp.Diff(want, emails); diff != "" {
		t.Errorf("emails across pages (-want +got):\n%s", diff)
	}

	techs, err := h.users.ListUsers(a.owner, &companyv1.ListUsersRequest{Role: companyv1.Role_ROLE_TECHNICIAN})
	if err != nil || len(techs.GetUsers()) != 4 {
		t.Errorf("technicians: %d, %v", len(techs.GetUsers()), err)
	}
	// Another company sees only its own users, and not A's by id.
	resp, err := h.users.ListUsers(b.owner, &companyv1.ListUsersRequest{ShowDeactivated: true})
	if err != nil || len(resp.GetUsers()) != 1 || resp.GetUsers()[0].GetId() != b.ownerID {
		t.Errorf("bravo's list = %v, %v", resp.GetUsers(), err)
	}
	_, err = h.users.GetUser(b.owner, &companyv1.GetUserRequest{Id: a.ownerID})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = h.users.DeactivateUser(b.owner, &companyv1.DeactivateUserRequest{Id: a.ownerID})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = h.users.SetUserRoles(b.owner, &companyv1.SetUserRolesRequest{Id: a.ownerID, Roles: []companyv1.Role{companyv1.Role_ROLE_AUDITOR}})
	grpcerrtest.WantCode(t, err, codes.NotFound)
}

// errorReason returns the ErrorInfo reason of a status error.
func errorReason(err error) string {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(interface{ GetReason() string }); ok {
			return info.GetReason()
		}
	}
	return ""
}

// TestOwnersDemotingEachOtherAtOnce races two owners removing each other's
// owner role. Changes to a company's users are serialised, so exactly one
// wins and the company keeps an owner.
func TestOwnersDemotingEachOtherAtOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := h.bootstrap(t, "acme")
	second := h.createUser(t, a.owner, "second@acme.example", companyv1.Role_ROLE_OWNER)
	asSecond := h.as(a.companyID, second.GetId(), "owner")

	errc := make(chan error, 2)
	demote := func(ctx context.Context, id string) {
		_, err := h.users.SetUserRoles(ctx, &companyv1.SetUserRolesRequest{Id: id, Roles: []companyv1.Role{companyv1.Role_ROLE_ADMIN}})
		errc <- err
	}
	go demote(a.owner, second.GetId())
	go demote(asSecond, a.ownerID)
	var codesSeen []codes.Code
	for range 2 {
		codesSeen = append(codesSeen, status.Code(<-errc))
	}
	if !(slices.Contains(codesSeen, codes.OK) && slices.Contains(codesSeen, codes.FailedPrecondition)) {
		t.Errorf("codes = %v, want one OK and one FailedPrecondition", codesSeen)
	}
	owners, err := h.users.ListUsers(a.owner, &companyv1.ListUsersRequest{Role: companyv1.Role_ROLE_OWNER})
	if err != nil || len(owners.GetUsers()) != 1 {
		t.Errorf("owners left: %d, %v; want 1", len(owners.GetUsers()), err)
	}
}
