package app_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// tenantUsers seeds users of company through company's events and returns
// their ids by name.
type seededTenant struct {
	id         string
	atl, bos   string // location ids
	users      map[string]string
	adminCtx   context.Context
	userEvents []bus.Delivery
}

func seedTenant(t *testing.T, w *world) *seededTenant {
	t.Helper()
	s := &seededTenant{id: newUUID(t), atl: newUUID(t), bos: newUUID(t), users: map[string]string{}}
	s.adminCtx = as(s.id, newUUID(t), "admin")
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	created := func(name string, roles []companyv1.Role, locations ...string) {
		s.users[name] = newUUID(t)
		s.userEvents = append(s.userEvents, eventOf(t, "company.user.created.v1", s.id,
			&companyv1.UserCreated{CompanyId: s.id, UserId: s.users[name], Roles: roles, AllowedLocationIds: locations}, at(0)))
	}
	wh := []companyv1.Role{companyv1.Role_ROLE_WAREHOUSE}
	created("wh-atl", wh, s.atl)
	created("wh-bos", wh, s.bos)
	created("wh-all", wh)
	created("wh-gone", wh)
	created("boss", []companyv1.Role{companyv1.Role_ROLE_ADMIN})
	created("moved", wh, s.bos)
	s.userEvents = append(s.userEvents,
		eventOf(t, "company.user.deactivated.v1", s.id, &companyv1.UserDeactivated{CompanyId: s.id, UserId: s.users["wh-gone"]}, at(10)),
		// boss becomes billing at 20; a change from 15 arrives after it
		// and must not win.
		eventOf(t, "company.user.roles_changed.v1", s.id, &companyv1.UserRolesChanged{CompanyId: s.id, UserId: s.users["boss"],
			Roles: []companyv1.Role{companyv1.Role_ROLE_BILLING}}, at(20)),
		eventOf(t, "company.user.roles_changed.v1", s.id, &companyv1.UserRolesChanged{CompanyId: s.id, UserId: s.users["boss"],
			Roles: []companyv1.Role{companyv1.Role_ROLE_TECHNICIAN}}, at(15)),
		eventOf(t, "company.user.updated.v1", s.id, &companyv1.UserUpdated{CompanyId: s.id, UserId: s.users["moved"],
			AllowedLocationIds: []string{s.atl}, Version: 2}, at(30)),
	)
	w.mustApply(t, s.userEvents...)
	return s
}

func (s *seededTenant) userCtx(name string) context.Context {
	return as(s.id, s.users[name], "warehouse")
}

func (w *world) createRule(t *testing.T, ctx context.Context, v domain.NotificationRuleValues) *domain.NotificationRule {
	t.Helper()
	r, err := w.app.NotificationRules.Create(ctx, app.CreateNotificationRule{Values: v})
	if err != nil {
		t.Fatalf("CreateNotificationRule(%+v): %v", v, err)
	}
	return r
}

// inbox lists every notification of the user of ctx: (title, resource) pairs.
func (w *world) inbox(t *testing.T, ctx context.Context) ([]string, int64) {
	t.Helper()
	p, err := w.app.Notifications.List(ctx, app.ListNotifications{})
	if err != nil {
		t.Fatalf("ListNotifications: %v", err)
	}
	var out []string
	for _, n := range p.Items {
		out = append(out, n.Title+" "+n.ResourceID)
	}
	return out, p.UnreadCount
}

func TestUserEventsFeedTheReadModel(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := seedTenant(t, w)
	ctx := as(s.id, "system")
	got := map[string]domain.Recipient{}
	users, err := w.store.ActiveRecipients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		got[u.UserID] = domain.Recipient{Roles: u.Roles, LocationIDs: u.LocationIDs, Active: u.Active}
	}
	want := map[string]domain.Recipient{
		s.users["wh-atl"]: {Roles: []string{"warehouse"}, LocationIDs: []string{s.atl}, Active: true},
		s.users["wh-bos"]: {Roles: []string{"warehouse"}, LocationIDs: []string{s.bos}, Active: true},
		s.users["wh-all"]: {Roles: []string{"warehouse"}, Active: true},
		s.users["boss"]:   {Roles: []string{"billing"}, Active: true},
		s.users["moved"]:  {Roles: []string{"warehouse"}, LocationIDs: []string{s.atl}, Active: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("active recipients (-want +got):\n%s", diff)
	}
	// Reactivation brings wh-gone back, unless it is older than the
	// deactivation.
	w.mustApply(t, eventOf(t, "company.user.reactivated.v1", s.id, &companyv1.UserReactivated{CompanyId: s.id, UserId: s.users["wh-gone"]}, t0.Add(5*time.Second)))
	if users, _ := w.store.ActiveRecipients(ctx); len(users) != 5 {
		t.Errorf("%d active after a stale reactivation, want 5", len(users))
	}
	w.mustApply(t, eventOf(t, "company.user.reactivated.v1", s.id, &companyv1.UserReactivated{CompanyId: s.id, UserId: s.users["wh-gone"]}, t0.Add(50*time.Second)))
	if users, _ := w.store.ActiveRecipients(ctx); len(users) != 6 {
		t.Errorf("%d active after reactivation, want 6", len(users))
	}
	// Another tenant's read model is its own.
	if users, _ := w.store.ActiveRecipients(as(newUUID(t), "system")); len(users) != 0 {
		t.Errorf("another tenant sees %d recipients", len(users))
	}
}

func TestEventsBecomeNotifications(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := seedTenant(t, w)
	other := seedTenant(t, w)
	w.createRule(t, s.adminCtx, domain.NotificationRuleValues{EventType: "company.location.*", Title: "Location news", RecipientRole: "warehouse", AtEventLocation: true})
	w.createRule(t, s.adminCtx, domain.NotificationRuleValues{EventType: "company.location.created.v1", Title: "New location", RecipientRole: "billing"})
	w.createRule(t, s.adminCtx, domain.NotificationRuleValues{EventType: "serials.*", Title: "Unit", AtEventLocation: true})
	w.createRule(t, other.adminCtx, domain.NotificationRuleValues{EventType: "company.*", Title: "Other tenant", RecipientRole: "warehouse"})

	created := eventOf(t, "company.location.created.v1", s.id, &companyv1.LocationCreated{CompanyId: s.id, LocationId: s.atl, Code: "ATL"}, t0.Add(time.Minute))
	// A payload type this build does not know is logged and forwarded, and
	// names no location: only users who work everywhere hear of it.
	unknown := bus.Delivery{Message: bus.Message{ID: newUUID(t), Type: "serials.unit.maintenance_due.v1", PayloadType: "ariesone.serials.v1.UnitMaintenanceDue",
		CompanyID: s.id, Source: "serials", OccurTime: t0.Add(2 * time.Minute), Payload: []byte{0x0a, 0x03, 'a', 'b', 'c'}}}
	w.mustApply(t, created, unknown, created) // the redelivery changes nothing

	tests := []struct {
		user string
		want []string
	}{
		{"wh-atl", []string{"Location news " + s.atl}},
		{"moved", []string{"Location news " + s.atl}},
		{"wh-bos", nil},
		{"wh-all", []string{"Unit ", "Location news " + s.atl}},
		{"wh-gone", nil},
		{"boss", []string{"Unit ", "New location " + s.atl}},
	}
	for _, tt := range tests {
		got, unread := w.inbox(t, s.userCtx(tt.user))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("inbox of %s (-want +got):\n%s", tt.user, diff)
		}
		if unread != int64(len(tt.want)) {
			t.Errorf("unread of %s = %d, want %d", tt.user, unread, len(tt.want))
		}
	}
	if got, _ := w.inbox(t, other.userCtx("wh-all")); len(got) != 0 {
		t.Errorf("the other tenant's users got %q", got)
	}

	// Logged once each, payload kept as received; webhooks scheduled once.
	// A payload type this build does not know has no visibility rule: it is
	// kept in the log, but listed to no one, owners included.
	page, err := w.app.Events.List(s.adminCtx, app.ListEvents{Types: []string{"serials.*", "company.location.created.v1"}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range page.Items {
		ids = append(ids, e.ID)
	}
	if diff := cmp.Diff([]string{created.ID}, ids); diff != "" {
		t.Errorf("ListEvents ids (-want +got):\n%s", diff)
	}
	if n := w.count(t, `select count(*) from events where id = $1 and payload = $2 and payload_type = $3 and source = 'serials'`,
		unknown.ID, unknown.Payload, unknown.PayloadType); n != 1 {
		t.Errorf("unknown event stored %d times as received, want once", n)
	}
	webhooked := w.webhooks.ids()
	if n := len(webhooked); n != len(s.userEvents)+len(other.userEvents)+2 {
		t.Errorf("%d webhook enqueues, want one per event", n)
	}
	if !slices.Contains(webhooked, unknown.ID) || !slices.Contains(webhooked, created.ID) {
		t.Errorf("webhooks not scheduled for the events: %v", webhooked)
	}
}

func TestConsumeRefusesUndecodableKnownPayloads(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := newUUID(t)
	bad := eventOf(t, "company.location.created.v1", a, &companyv1.LocationCreated{CompanyId: a}, t0)
	bad.Payload = []byte{0x0a, 0x05, 'a'}
	if err := w.apply(bad); err == nil {
		t.Fatal("an undecodable LocationCreated was applied")
	}
	if n := w.count(t, `select count(*) from events`); n != 0 {
		t.Errorf("%d events logged", n)
	}
	if len(w.webhooks.ids()) != 0 {
		t.Errorf("webhooks scheduled: %v", w.webhooks.ids())
	}
}

func TestConsumeDropsEventsWithoutTenant(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	d := eventOf(t, "company.signing_key.rotated.v1", "", &companyv1.SigningKeyRotated{KeyId: "k2"}, t0)
	if err := w.apply(d); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `select count(*) from events`); n != 0 || len(w.webhooks.ids()) != 0 {
		t.Errorf("%d events logged, webhooks %v", n, w.webhooks.ids())
	}
}

func TestConsumeWithoutWebhooks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.consumer = app.NewEventConsumer(app.ConsumerDeps{Tenants: w.store, Audit: w.store, Events: w.store, Recipients: w.store, Rules: w.store, Notifications: w.store})
	a := newUUID(t)
	w.mustApply(t, eventOf(t, "company.location.created.v1", a, &companyv1.LocationCreated{CompanyId: a, LocationId: newUUID(t)}, t0))
	if n := w.count(t, `select count(*) from events`); n != 1 {
		t.Errorf("%d events logged, want 1", n)
	}
}

func TestNotificationsReadAndMarked(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := seedTenant(t, w)
	w.createRule(t, s.adminCtx, domain.NotificationRuleValues{EventType: "company.location.*", Title: "Location", RecipientRole: "warehouse"})
	for i := range 3 {
		w.mustApply(t, eventOf(t, "company.location.updated.v1", s.id, &companyv1.LocationUpdated{CompanyId: s.id, LocationId: s.atl}, t0.Add(time.Duration(i)*time.Hour)))
	}
	me := s.userCtx("wh-atl")
	p, err := w.app.Notifications.List(me, app.ListNotifications{PageSize: 2})
	if err != nil || len(p.Items) != 2 || p.NextPageToken == "" || p.UnreadCount != 3 {
		t.Fatalf("first page = %+v, %v", p, err)
	}
	first := p.Items[0]
	read, err := w.app.Notifications.MarkRead(me, first.ID)
	if err != nil || read.ReadTime == nil || read.ID != first.ID {
		t.Fatalf("MarkNotificationRead = %+v, %v", read, err)
	}
	again, err := w.app.Notifications.MarkRead(me, first.ID)
	if err != nil || !again.ReadTime.Equal(*read.ReadTime) {
		t.Errorf("marking again = %+v, %v; want the first read time %v", again, err, read.ReadTime)
	}
	unread, err := w.app.Notifications.List(me, app.ListNotifications{UnreadOnly: true})
	if err != nil || len(unread.Items) != 2 || unread.UnreadCount != 2 {
		t.Errorf("unread = %+v, %v", unread, err)
	}
	for _, n := range unread.Items {
		if n.ID == first.ID {
			t.Error("a read notification is listed as unread")
		}
	}
	// Nobody else can mark it: another user, another tenant, a non-user.
	for name, ctx := range map[string]context.Context{
		"another user":   s.userCtx("wh-bos"),
		"another tenant": as(newUUID(t), s.users["wh-atl"], "warehouse"),
		"an API key":     as(s.id, "partner-system", "partner"),
	} {
		_, err := w.app.Notifications.MarkRead(ctx, first.ID)
		if errs.KindOf(err) != errs.KindNotFound {
			t.Errorf("%s: %v, want not found", name, err)
		}
	}
	_, err = w.app.Notifications.MarkRead(me, "nope")
	if diff := cmp.Diff([]string{"id"}, violations(t, err)); diff != "" {
		t.Errorf("bad id (-want +got):\n%s", diff)
	}
	// A token is bound to the filter.
	_, err = w.app.Notifications.List(me, app.ListNotifications{PageToken: p.NextPageToken, UnreadOnly: true})
	if diff := cmp.Diff([]string{"pageToken"}, violations(t, err)); diff != "" {
		t.Errorf("token with another filter (-want +got):\n%s", diff)
	}
}
