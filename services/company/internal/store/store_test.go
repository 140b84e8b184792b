package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ariesone/ariesone/platform/contact"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/services/company/internal/domain"
	"github.com/ariesone/ariesone/services/company/internal/store"
	"github.com/ariesone/ariesone/services/company/internal/store/storetest"
)

var now = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// tenant is one seeded company with its owner, and a context acting as
// that owner.
type tenant struct {
	company *domain.Company
	owner   *domain.User
	ctx     context.Context
}

func newID(t *testing.T) string {
	t.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	return id.String()
}

func seed(t *testing.T, s *store.Store, code string) tenant {
	t.Helper()
	c, err := domain.NewCompany(newID(t), code, code+" Medical Supply", now)
	if err != nil {
		t.Fatal(err)
	}
	u, err := domain.NewUser(newID(t), c.ID, domain.UserProfile{Email: "owner@" + code + ".example", GivenName: "Olive", FamilyName: "Owner"},
		[]domain.Role{domain.RoleOwner}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCompanyWithOwner(context.Background(), c, u, "$argon2id$not-a-real-hash"); err != nil {
		t.Fatalf("CreateCompanyWithOwner: %v", err)
	}
	return tenant{company: c, owner: u, ctx: storetest.As(c.ID, u.ID, "owner")}
}

func newLocation(t *testing.T, tn tenant, code string) *domain.Location {
	t.Helper()
	l, err := domain.NewLocation(newID(t), tn.company.ID, domain.LocationValues{
		Code:     code,
		Name:     "Branch " + code,
		Type:     domain.LocationBranch,
		Address:  contact.Address{Line1: "1 Main St", City: "Atlanta", State: "GA", PostalCode: "30301"},
		TimeZone: "America/New_York",
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func createLocation(t *testing.T, s *store.Store, tn tenant, code string) *domain.Location {
	t.Helper()
	l, _, err := s.CreateLocation(tn.ctx, newLocation(t, tn, code), "", nil)
	if err != nil {
		t.Fatalf("CreateLocation %s: %v", code, err)
	}
	return l
}

func wantKind(t *testing.T, err error, kind errs.Kind) {
	t.Helper()
	if got := errs.KindOf(err); err == nil || got != kind {
		t.Fatalf("err = %v (kind %v), want kind %v", err, got, kind)
	}
}

func TestEveryTenantTableHasRowLevelSecurity(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	problems, err := postgres.CheckRowLevelSecurity(context.Background(), db.Super, storetest.Schema)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Errorf("tables without row-level security: %q", problems)
	}
	// companies has no company_id column, so the platform check skips it;
	// it is its own tenant and must be protected all the same.
	var enabled, forced bool
	err = db.Super.QueryRow(context.Background(),
		`select relrowsecurity, relforcerowsecurity from pg_class where oid = 'company.companies'::regclass`).Scan(&enabled, &forced)
	if err != nil || !enabled || !forced {
		t.Errorf("companies: row level security enabled %v, forced %v (%v)", enabled, forced, err)
	}
}

func TestCompanyIDForCode(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	a := seed(t, s, "acme")
	ctx := context.Background()

	id, found, err := s.CompanyIDForCode(ctx, "acme")
	if err != nil || !found || id != a.company.ID {
		t.Errorf("CompanyIDForCode(acme) = %q, %v, %v; want %q", id, found, err, a.company.ID)
	}
	if _, found, err := s.CompanyIDForCode(ctx, "nobody"); err != nil || found {
		t.Errorf("CompanyIDForCode(nobody) found %v, %v", found, err)
	}

	// Only the runtime role may call it: PUBLIC's default EXECUTE is gone.
	other := pgtest(t, db)
	var can bool
	if err := db.Super.QueryRow(ctx, `select has_function_privilege($1, 'company.company_id_for_code(text)', 'execute')`, other).Scan(&can); err != nil || can {
		t.Errorf("a role outside company_app may execute company_id_for_code: %v, %v", can, err)
	}
}

// pgtest creates a login role with no grants, named for the test's
// database so it is dropped with it.
func pgtest(t *testing.T, db *storetest.DB) string {
	t.Helper()
	var name string
	if err := db.Super.QueryRow(context.Background(), `select current_database() || '_other'`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Super.Exec(context.Background(), "create role "+pgx.Identifier{name}.Sanitize()+" login"); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestCreateCompanyCodeIsUnique(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	seed(t, s, "acme")
	c, _ := domain.NewCompany(newID(t), "acme", "Another Acme", now)
	u, _ := domain.NewUser(newID(t), c.ID, domain.UserProfile{Email: "x@y.example", GivenName: "X", FamilyName: "Y"}, []domain.Role{domain.RoleOwner}, now)
	wantKind(t, s.CreateCompanyWithOwner(context.Background(), c, u, "h"), errs.KindAlreadyExists)
}

func TestCompanyGetAndUpdate(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	a := seed(t, s, "acme")

	got, err := s.GetCompany(a.ctx, a.company.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Code != "acme" || got.Version != 1 || got.TaxonomyCode != domain.DefaultTaxonomyCode || !got.CreateTime.Equal(now) {
		t.Errorf("GetCompany = %+v", got)
	}
	updated, err := s.UpdateCompany(a.ctx, a.company.ID, func(c *domain.Company) error {
		c.DisplayName = "Acme"
		return nil
	})
	if err != nil || updated.Version != 2 {
		t.Fatalf("UpdateCompany = %+v, %v", updated, err)
	}
	refused := errors.New("refused")
	if _, err := s.UpdateCompany(a.ctx, a.company.ID, func(*domain.Company) error { return refused }); !errors.Is(err, refused) {
		t.Errorf("UpdateCompany with a refusing fn = %v", err)
	}
	got, _ = s.GetCompany(a.ctx, a.company.ID)
	if got.DisplayName != "Acme" || got.Version != 2 {
		t.Errorf("after update: %+v", got)
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	a := seed(t, s, "acme")
	b := seed(t, s, "bravo")
	locA := createLocation(t, s, a, "ATL-01")

	_, err := s.GetLocation(b.ctx, locA.ID)
	wantKind(t, err, errs.KindNotFound)
	_, err = s.UpdateLocation(b.ctx, locA.ID, func(*domain.Location) error { return nil })
	wantKind(t, err, errs.KindNotFound)
	_, err = s.GetUser(b.ctx, a.owner.ID)
	wantKind(t, err, errs.KindNotFound)
	_, _, err = s.UpdateUser(b.ctx, a.owner.ID, func(domain.Roster, *domain.User) error { return nil })
	wantKind(t, err, errs.KindNotFound)
	_, err = s.GetCompany(b.ctx, a.company.ID)
	wantKind(t, err, errs.KindNotFound)

	locs, err := s.ListLocations(b.ctx, "", true, "", 100)
	if err != nil || len(locs) != 0 {
		t.Errorf("B lists A's locations: %d, %v", len(locs), err)
	}
	users, err := s.ListUsers(b.ctx, "", true, "", 100)
	if err != nil || len(users) != 1 || users[0].ID != b.owner.ID {
		t.Errorf("B's user list = %v, %v; want only B's owner", users, err)
	}

	// B cannot plant a row in A's tenant: the policy's WITH CHECK refuses.
	planted := newLocation(t, a, "EVIL-1")
	if _, _, err := s.CreateLocation(b.ctx, planted, "", nil); err == nil {
		t.Error("B created a location carrying A's company id")
	}
	// Without a tenant nothing is visible.
	_, err = s.GetLocation(context.Background(), locA.ID)
	wantKind(t, err, errs.KindNotFound)
	// A's roster does not know B's locations.
	locB := createLocation(t, s, b, "BOS-01")
	_, _, err = s.UpdateUser(a.ctx, a.owner.ID, func(r domain.Roster, _ *domain.User) error {
		unknown, err := r.UnknownLocations(a.ctx, []string{locA.ID, locB.ID})
		if err != nil {
			return err
		}
		if len(unknown) != 1 || unknown[0] != locB.ID {
			t.Errorf("UnknownLocations = %v, want only B's location", unknown)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLocationLifecycle(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	a := seed(t, s, "acme")
	l := createLocation(t, s, a, "ATL-01")

	got, err := s.GetLocation(a.ctx, l.ID)
	if err != nil || got.Code != "ATL-01" || got.Version != 1 || got.Deleted() {
		t.Fatalf("GetLocation = %+v, %v", got, err)
	}
	got, err = s.UpdateLocation(a.ctx, l.ID, func(l *domain.Location) error { return l.Delete(now) })
	if err != nil || !got.Deleted() || got.Version != 2 {
		t.Fatalf("delete: %+v, %v", got, err)
	}
	// A deleted location's code stays reserved.
	_, _, err = s.CreateLocation(a.ctx, newLocation(t, a, "ATL-01"), "", nil)
	wantKind(t, err, errs.KindAlreadyExists)

	live, _ := s.ListLocations(a.ctx, "", false, "", 10)
	all, _ := s.ListLocations(a.ctx, "", true, "", 10)
	if len(live) != 0 || len(all) != 1 {
		t.Errorf("lists: %d live, %d with deleted; want 0 and 1", len(live), len(all))
	}
	got, err = s.UpdateLocation(a.ctx, l.ID, func(l *domain.Location) error { return l.Undelete(now) })
	if err != nil || got.Deleted() || got.Version != 3 {
		t.Fatalf("undelete: %+v, %v", got, err)
	}
	// Renaming onto another location's code collides.
	createLocation(t, s, a, "ATL-02")
	_, err = s.UpdateLocation(a.ctx, l.ID, func(l *domain.Location) error { l.Code = "ATL-02"; return nil })
	wantKind(t, err, errs.KindAlreadyExists)
}

func TestListLocationsOrderAndFilter(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	a := seed(t, s, "acme")
	for _, code := range []string{"C-1", "A-1", "B-1"} {
		createLocation(t, s, a, code)
	}
	w := newLocation(t, a, "W-1")
	w.Type = domain.LocationWarehouse
	if _, _, err := s.CreateLocation(a.ctx, w, "", nil); err != nil {
		t.Fatal(err)
	}
	codes := func(ls []*domain.Location) (out []string) {
		for _, l := range ls {
			out = append(out, l.Code)
		}
		return out
	}
	all, _ := s.ListLocations(a.ctx, "", false, "", 10)
	after, _ := s.ListLocations(a.ctx, "", false, "A-1", 2)
	warehouses, _ := s.ListLocations(a.ctx, domain.LocationWarehouse, false, "", 10)
	if got := codes(all); len(got) != 4 || got[0] != "A-1" || got[3] != "W-1" {
		t.Errorf("all = %v", got)
	}
	if got := codes(after); len(got) != 2 || got[0] != "B-1" || got[1] != "C-1" {
		t.Errorf("after A-1, limit 2 = %v", got)
	}
	if got := codes(warehouses); len(got) != 1 || got[0] != "W-1" {
		t.Errorf("warehouses = %v", got)
	}
}

func TestCreateLocationIdempotency(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	a := seed(t, s, "acme")
	key := uuid.NewString()

	first, replayed, err := s.CreateLocation(a.ctx, newLocation(t, a, "ATL-01"), key, []byte("hash-1"))
	if err != nil || replayed {
		t.Fatalf("first: %v, replayed %v", err, replayed)
	}
	again, replayed, err := s.CreateLocation(a.ctx, newLocation(t, a, "ATL-01"), key, []byte("hash-1"))
	if err != nil || !replayed || again.ID != first.ID {
		t.Fatalf("retry = %v, replayed %v, %v; want the first location replayed", again, replayed, err)
	}
	_, _, err = s.CreateLocation(a.ctx, newLocation(t, a, "ATL-02"), key, []byte("hash-2"))
	wantKind(t, err, errs.KindInvalid)
	// The same key in another tenant is another key.
	b := seed(t, s, "bravo")
	if _, replayed, err := s.CreateLocation(b.ctx, newLocation(t, b, "ATL-01"), key, []byte("hash-1")); err != nil || replayed {
		t.Errorf("B reusing A's key: %v, replayed %v", err, replayed)
	}
}

func TestUsers(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	a := seed(t, s, "acme")
	ctx := a.ctx

	mk := func(email string, roles ...domain.Role) *domain.User {
		u, err := domain.NewUser(newID(t), a.company.ID, domain.UserProfile{Email: email, GivenName: "G", FamilyName: "F"}, roles, now)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	noCheck := func(domain.Roster) error { return nil }
	bob, _, err := s.CreateUser(ctx, mk("Bob@acme.example", domain.RoleIntake), "h", "", nil, noCheck)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.CreateUser(ctx, mk("bob@ACME.example", domain.RoleAdmin), "h", "", nil, noCheck)
	wantKind(t, err, errs.KindAlreadyExists)
	refused := errors.New("no")
	if _, _, err := s.CreateUser(ctx, mk("carol@acme.example", domain.RoleAdmin), "h", "", nil, func(domain.Roster) error { return refused }); !errors.Is(err, refused) {
		t.Errorf("refusing check: %v", err)
	}
	carol, _, err := s.CreateUser(ctx, mk("carol@acme.example", domain.RoleOwner, domain.RoleAdmin), "h", "", nil, noCheck)
	if err != nil {
		t.Fatal(err)
	}

	got, err := s.GetUser(ctx, bob.ID)
	if err != nil || got.Email != "Bob@acme.example" || len(got.Roles) != 1 || got.Roles[0] != domain.RoleIntake || got.Status != domain.UserActive {
		t.Errorf("GetUser = %+v, %v", got, err)
	}
	// Ordered case-insensitively by email: Bob, carol, owner.
	page1, _ := s.ListUsers(ctx, "", false, "", 2)
	page2, _ := s.ListUsers(ctx, "", false, page1[1].ID, 2)
	owners, _ := s.ListUsers(ctx, domain.RoleOwner, false, "", 10)
	if len(page1) != 2 || page1[0].ID != bob.ID || page1[1].ID != carol.ID || len(page2) != 1 || page2[0].ID != a.owner.ID {
		t.Errorf("pages: %v / %v", page1, page2)
	}
	if len(owners) != 2 {
		t.Errorf("owners = %d, want 2", len(owners))
	}

	// The roster counts active owners; a deactivation is saved and
	// deactivated users leave the default list.
	u, revoked, err := s.UpdateUser(ctx, carol.ID, func(r domain.Roster, u *domain.User) error {
		n, err := r.ActiveOwners(ctx)
		if err != nil {
			return err
		}
		return u.Deactivate(domain.Actor{ID: a.owner.ID, Roles: []string{"owner"}}, n, now)
	})
	if err != nil || u.Status != domain.UserDeactivated || u.Version != 2 || len(revoked) != 0 {
		t.Fatalf("deactivate: %+v, %v, %v", u, revoked, err)
	}
	if listed, _ := s.ListUsers(ctx, "", false, "", 10); len(listed) != 2 {
		t.Errorf("default list has %d users, want 2 (deactivated hidden)", len(listed))
	}

	// Reactivating a locked user clears the lockout the sign-in code set.
	if _, err := db.Super.Exec(context.Background(),
		`update users set status = 'locked', failed_login_count = 5, locked_until = now() + interval '1 hour' where id = $1`, bob.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UpdateUser(ctx, bob.ID, func(_ domain.Roster, u *domain.User) error {
		return u.Reactivate(domain.Actor{ID: a.owner.ID, Roles: []string{"owner"}}, now)
	}); err != nil {
		t.Fatal(err)
	}
	var failed int
	var lockedUntil *time.Time
	if err := db.Super.QueryRow(context.Background(), `select failed_login_count, locked_until from users where id = $1`, bob.ID).Scan(&failed, &lockedUntil); err != nil {
		t.Fatal(err)
	}
	if failed != 0 || lockedUntil != nil {
		t.Errorf("after reactivation: failed_login_count %d, locked_until %v", failed, lockedUntil)
	}
}

func TestFindUserByEmail(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	a := seed(t, s, "acme")
	u, found, err := s.FindUserByEmail(context.Background(), a.company.ID, "OWNER@acme.example")
	if err != nil || !found || u.ID != a.owner.ID {
		t.Errorf("FindUserByEmail = %v, %v, %v", u, found, err)
	}
	if _, found, err := s.FindUserByEmail(context.Background(), a.company.ID, "nobody@acme.example"); found || err != nil {
		t.Errorf("unknown email: found %v, %v", found, err)
	}
}

func TestDeactivationRevokesSessions(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	a := seed(t, s, "acme")
	u, err := domain.NewUser(newID(t), a.company.ID, domain.UserProfile{Email: "ana@acme.example", GivenName: "A", FamilyName: "L"}, []domain.Role{domain.RoleIntake}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateUser(a.ctx, u, "h", "", nil, func(domain.Roster) error { return nil }); err != nil {
		t.Fatal(err)
	}
	session := newID(t)
	if _, err := db.Super.Exec(context.Background(), `
		insert into sessions (id, company_id, user_id, create_time, last_seen_time, idle_timeout, expire_time)
		values ($1, $2, $3, now(), now(), interval '30 minutes', now() + interval '12 hours')`, session, a.company.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	owner := domain.Actor{ID: a.owner.ID, Roles: []string{"owner"}}

	// A profile edit revokes nothing.
	_, revoked, err := s.UpdateUser(a.ctx, u.ID, func(_ domain.Roster, u *domain.User) error {
		return u.UpdateProfile(owner, []domain.UserField{domain.UserGivenName}, domain.UserProfile{GivenName: "Ana"}, now)
	})
	if err != nil || len(revoked) != 0 {
		t.Fatalf("profile edit: revoked %v, %v", revoked, err)
	}
	_, revoked, err = s.UpdateUser(a.ctx, u.ID, func(_ domain.Roster, u *domain.User) error {
		return u.Deactivate(owner, 1, now)
	})
	if err != nil || len(revoked) != 1 || revoked[0] != session {
		t.Fatalf("deactivate: revoked %v, %v; want [%s]", revoked, err, session)
	}
	var reason string
	if err := db.Super.QueryRow(context.Background(), `select revoke_reason from sessions where id = $1`, session).Scan(&reason); err != nil || reason != "user_deactivated" {
		t.Errorf("session revoke_reason = %q, %v", reason, err)
	}
}

// TestUserChangesAreSerialisedPerCompany holds one owner's demotion open
// after it counted the owners, and shows that a second demotion waits for
// it and then sees the new count: two owners cannot demote each other at
// once and leave the company without one.
func TestUserChangesAreSerialisedPerCompany(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := store.New(db.App)
	a := seed(t, s, "acme")
	second, err := domain.NewUser(newID(t), a.company.ID, domain.UserProfile{Email: "second@acme.example", GivenName: "S", FamilyName: "O"}, []domain.Role{domain.RoleOwner}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateUser(a.ctx, second, "h", "", nil, func(domain.Roster) error { return nil }); err != nil {
		t.Fatal(err)
	}
	demote := func(actorID string, counted chan<- struct{}, release <-chan struct{}) func(domain.Roster, *domain.User) error {
		return func(r domain.Roster, u *domain.User) error {
			n, err := r.ActiveOwners(a.ctx)
			if err != nil {
				return err
			}
			if counted != nil {
				close(counted)
				<-release
			}
			return u.SetRoles(domain.Actor{ID: actorID, Roles: []string{"owner"}}, []domain.Role{domain.RoleAdmin}, n, now)
		}
	}

	counted, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		_, _, err := s.UpdateUser(a.ctx, second.ID, demote(a.owner.ID, counted, release))
		first <- err
	}()
	<-counted
	other := make(chan error, 1)
	go func() {
		_, _, err := s.UpdateUser(a.ctx, a.owner.ID, demote(second.ID, nil, nil))
		other <- err
	}()
	select {
	case err := <-other:
		close(release)
		<-first
		t.Fatalf("the second change ran while the first was open: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first demotion: %v", err)
	}
	if err := <-other; errs.KindOf(err) != errs.KindFailedPrecondition {
		t.Fatalf("second demotion: %v, want the last-owner refusal", err)
	}
}
