package grpcapi_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/auth"
	"github.com/ariesone/ariesone/platform/auth/authtest"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/keyring/keyringtest"
	"github.com/ariesone/ariesone/platform/page/pagetest"
	"github.com/ariesone/ariesone/platform/revocation"
	"github.com/ariesone/ariesone/platform/server/servertest"
	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
	"github.com/ariesone/ariesone/services/notify/internal/grpcapi"
	"github.com/ariesone/ariesone/services/notify/internal/store"
	"github.com/ariesone/ariesone/services/notify/internal/store/storetest"
)

// visibilityHarness is the whole of notify's event delivery on one
// database: the consumer logging events and scheduling webhooks, the live
// hub, and the three channels served over loopback gRPC.
type visibilityHarness struct {
	rpc      *rpcHarness
	webhooks *app.Application
	client   notifyv1.WebhookServiceClient
}

func newVisibilityHarness(t *testing.T) *visibilityHarness {
	t.Helper()
	db := storetest.New(t)
	s := store.New(db.App)
	ring := keyringtest.New(t)
	h := &rpcHarness{db: db, live: app.NewLiveEvents(64), keys: authtest.NewKeySet(t)}
	a := app.NewApplication(app.Deps{Store: s, Webhooks: store.NewWebhookStore(db.App), Live: h.live, Pages: pagetest.Sealer(t, ring), Keyring: ring})
	h.consumer = app.NewEventConsumer(app.ConsumerDeps{Tenants: s, Audit: s, Events: s, Recipients: s, Rules: s, Notifications: s, Webhooks: a.WebhookDeliveries})
	srv := servertest.New(t, "notify", h.keys)
	grpcapi.Register(srv.GRPC(), a, true)
	grpcapi.RegisterWebhooks(srv.GRPC(), a)
	conn := servertest.Start(t, srv)
	h.events = notifyv1.NewEventServiceClient(conn)
	return &visibilityHarness{rpc: h, webhooks: a, client: notifyv1.NewWebhookServiceClient(conn)}
}

// roleView is what one channel showed a role: the event types, and the
// patient id of the unit event ("" when cleared, "-" when not shown).
type roleView struct {
	Types       []string
	UnitPatient string
}

// TestEventsPerRoleAgreeAcrossChannels publishes one event of each kind a
// tenant produces, then asks each role's three channels what they showed:
// the live stream, a webhook subscription it made, and the event log. The
// three agree, and a partner never sees staff, session, patient or
// coverage events, nor the patient a unit went to.
func TestEventsPerRoleAgreeAcrossChannels(t *testing.T) {
	t.Parallel()
	v := newVisibilityHarness(t)
	h := v.rpc
	tenant, patient := rpcID(t), rpcID(t)
	roles := []string{auth.RoleOwner, auth.RoleIntake, auth.RoleWarehouse, auth.RolePartner, auth.RoleAuditor}

	// Every role watches and subscribes before anything happens.
	streams := map[string]notifyv1.EventService_WatchEventsClient{}
	subscriptions := map[string]string{}
	for _, role := range roles {
		ctx, cancel := context.WithCancel(h.as(tenant, rpcID(t), role))
		t.Cleanup(cancel)
		stream, err := h.events.WatchEvents(ctx, &notifyv1.WatchEventsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Header(); err != nil && auth.Permits([]string{role}, "events.watch") {
			t.Fatalf("%s: %v", role, err)
		}
		streams[role] = stream
		subscriptions[role] = subscribe(t, v, tenant, role)
	}

	at := rpcT0
	next := func() time.Time { at = at.Add(time.Second); return at }
	published := []bus.Delivery{
		rpcEvent(t, "company.location.created.v1", tenant, &companyv1.LocationCreated{CompanyId: tenant, LocationId: rpcID(t), Code: "ATL"}, next()),
		rpcEvent(t, "company.user.created.v1", tenant, &companyv1.UserCreated{CompanyId: tenant, UserId: rpcID(t), Email: "staff@acme.test"}, next()),
		rpcEvent(t, "company.session.started.v1", tenant, &companyv1.SessionStarted{CompanyId: tenant, SessionId: rpcID(t), ClientIp: "203.0.113.7", UserAgent: "curl/8"}, next()),
		rpcEvent(t, "company.api_key.created.v1", tenant, &companyv1.ApiKeyCreated{CompanyId: tenant, ApiKeyId: rpcID(t), ClientName: "Acme Billing"}, next()),
		rpcEvent(t, "clinical.patient.created.v1", tenant, &clinicalv1.PatientCreated{CompanyId: tenant, PatientId: patient}, next()),
		rpcEvent(t, "clinical.coverage.created.v1", tenant, &clinicalv1.CoverageCreated{CompanyId: tenant, CoverageId: rpcID(t), PatientId: patient}, next()),
		rpcEvent(t, "serials.item.created.v1", tenant, &serialsv1.ItemCreated{CompanyId: tenant, ItemId: rpcID(t), Hcpcs: "E0601"}, next()),
		rpcEvent(t, "serials.unit.transitioned.v1", tenant, &serialsv1.UnitTransitioned{CompanyId: tenant, UnitId: rpcID(t), SerialNumber: "S1", PatientId: patient}, next()),
		rpcEvent(t, "serials.stock.low.v1", tenant, &serialsv1.StockLow{CompanyId: tenant, WarehouseId: rpcID(t), OnHand: 1}, next()),
	}
	h.apply(t, published...)
	for _, d := range published {
		h.live.Publish(liveEventOf(d.Message))
	}

	want := map[string]roleView{
		auth.RoleOwner: {Types: []string{"company.location.created.v1", "company.user.created.v1", "company.session.started.v1",
			"company.api_key.created.v1", "clinical.patient.created.v1", "clinical.coverage.created.v1", "serials.item.created.v1",
			"serials.unit.transitioned.v1", "serials.stock.low.v1"}, UnitPatient: patient},
		auth.RoleIntake: {Types: []string{"company.location.created.v1", "clinical.patient.created.v1", "clinical.coverage.created.v1",
			"serials.item.created.v1"}, UnitPatient: "-"},
		auth.RoleWarehouse: {Types: []string{"company.location.created.v1", "serials.item.created.v1", "serials.unit.transitioned.v1",
			"serials.stock.low.v1"}},
		auth.RolePartner: {Types: []string{"company.location.created.v1", "serials.item.created.v1", "serials.unit.transitioned.v1"}},
		auth.RoleAuditor: {Types: []string{"company.location.created.v1", "company.user.created.v1", "company.session.started.v1",
			"company.api_key.created.v1", "clinical.patient.created.v1", "clinical.coverage.created.v1", "serials.item.created.v1",
			"serials.unit.transitioned.v1", "serials.stock.low.v1"}, UnitPatient: patient},
	}
	for _, role := range roles {
		t.Run(role, func(t *testing.T) {
			channels := map[string]roleView{
				"webhooks": webhookView(t, v, subscriptions[role]),
			}
			if auth.Permits([]string{role}, "events.watch") {
				channels["WatchEvents"] = streamView(t, streams[role], len(want[role].Types))
			} else {
				_, err := streams[role].Recv()
				expectCode(t, err, codes.PermissionDenied)
			}
			if auth.Permits([]string{role}, "events.read") {
				channels["ListEvents"] = listView(t, h, tenant, role)
			} else {
				_, err := h.events.ListEvents(h.as(tenant, rpcID(t), role), &notifyv1.ListEventsRequest{})
				expectCode(t, err, codes.PermissionDenied)
			}
			for channel, got := range channels {
				if diff := cmp.Diff(want[role], got); diff != "" {
					t.Errorf("%s over %s (-want +got):\n%s", role, channel, diff)
				}
			}
		})
	}
}

// subscribe makes a subscription to every event of the tenant with role's
// authority. Roles without webhooks.write cannot make one over the API, so
// the use case is called with a principal of that role: what matters here
// is whose authority the deliveries carry.
func subscribe(t *testing.T, v *visibilityHarness, tenant, role string) string {
	t.Helper()
	ctx := identity.NewContext(context.Background(), identity.Principal{
		Subject: rpcID(t), CompanyID: tenant, Roles: []string{role}, Kind: identity.KindAPIKey,
	})
	created, err := v.webhooks.WebhookSubscriptions.Create(ctx, app.CreateWebhookSubscription{
		Values: domain.WebhookSubscriptionValues{URL: "https://hooks.partner.example/in", EventTypes: []string{"company.*", "clinical.*", "serials.*"}},
	})
	if err != nil {
		t.Fatalf("subscribe %s: %v", role, err)
	}
	return created.Subscription.ID
}

func liveEventOf(m bus.Message) domain.Event {
	return domain.Event{ID: m.ID, Type: m.Type, PayloadType: m.PayloadType, CompanyID: m.CompanyID, Source: m.Source, OccurTime: m.OccurTime, Payload: m.Payload}
}

func streamView(t *testing.T, stream notifyv1.EventService_WatchEventsClient, n int) roleView {
	t.Helper()
	var events []*notifyv1.Event
	for range n {
		e, err := stream.Recv()
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		events = append(events, e)
	}
	return viewOf(t, events)
}

func listView(t *testing.T, h *rpcHarness, tenant, role string) roleView {
	t.Helper()
	resp, err := h.events.ListEvents(h.as(tenant, rpcID(t), role), &notifyv1.ListEventsRequest{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	events := resp.GetEvents()
	slices.Reverse(events) // newest first: back to the order they happened
	return viewOf(t, events)
}

// viewOf reads the types and the unit's patient from events, checking on
// the way that no channel ever carries a sign-in's address.
func viewOf(t *testing.T, events []*notifyv1.Event) roleView {
	t.Helper()
	view := roleView{UnitPatient: "-"}
	for _, e := range events {
		view.Types = append(view.Types, e.GetType())
		msg, err := e.GetPayload().UnmarshalNew()
		if err != nil {
			t.Fatalf("%s payload: %v", e.GetType(), err)
		}
		switch m := msg.(type) {
		case *serialsv1.UnitTransitioned:
			view.UnitPatient = m.GetPatientId()
		case *companyv1.SessionStarted:
			if m.GetClientIp() != "" || m.GetUserAgent() != "" {
				t.Errorf("a sign-in's address reached a subscriber: %v", m)
			}
		}
	}
	return view
}

func webhookView(t *testing.T, v *visibilityHarness, subscriptionID string) roleView {
	t.Helper()
	rows, err := v.rpc.db.Super.Query(context.Background(),
		`select event_type, body from webhook_deliveries where subscription_id = $1 order by event_id`, subscriptionID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	view := roleView{UnitPatient: "-"}
	for rows.Next() {
		var typ string
		var body []byte
		if err := rows.Scan(&typ, &body); err != nil {
			t.Fatal(err)
		}
		view.Types = append(view.Types, typ)
		var parsed struct {
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal(body, &parsed); err != nil {
			t.Fatalf("body %s: %v", body, err)
		}
		switch typ {
		case "serials.unit.transitioned.v1":
			view.UnitPatient, _ = parsed.Data["patientId"].(string)
		case "company.session.started.v1":
			if _, ok := parsed.Data["clientIp"]; ok {
				t.Errorf("a sign-in's address reached a webhook: %s", body)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return view
}

// TestWebhookFollowsItsCreatorsAuthority: a user's subscription delivers
// with the user's current roles, stops (suspended, pending deliveries
// failed) when the user is deactivated, and an API key's stops when the
// key is revoked; enabling it again lends it the enabler's authority.
func TestWebhookFollowsItsCreatorsAuthority(t *testing.T) {
	t.Parallel()
	v := newVisibilityHarness(t)
	h := v.rpc
	tenant, user, key, owner, patient := rpcID(t), rpcID(t), rpcID(t), rpcID(t), rpcID(t)
	at := rpcT0
	next := func() time.Time { at = at.Add(time.Second); return at }
	h.apply(t, rpcEvent(t, "company.user.created.v1", tenant, &companyv1.UserCreated{CompanyId: tenant, UserId: user,
		Roles: []companyv1.Role{companyv1.Role_ROLE_ADMIN}}, next()))

	everything := &notifyv1.WebhookSubscription{Url: "https://hooks.partner.example/in", EventTypes: []string{"clinical.*", "serials.*", "company.location.*"}}
	byUser, err := v.client.CreateWebhookSubscription(h.as(tenant, user, auth.RoleAdmin), &notifyv1.CreateWebhookSubscriptionRequest{WebhookSubscription: everything})
	if err != nil {
		t.Fatal(err)
	}
	keyCtx := h.asKind(tenant, key, identity.KindAPIKey, auth.RolePartner)
	byKey, err := v.client.CreateWebhookSubscription(keyCtx, &notifyv1.CreateWebhookSubscriptionRequest{WebhookSubscription: everything})
	if err != nil {
		t.Fatal(err)
	}
	patientEvent := func() bus.Delivery {
		return rpcEvent(t, "clinical.patient.created.v1", tenant, &clinicalv1.PatientCreated{CompanyId: tenant, PatientId: patient}, next())
	}
	unitEvent := func() bus.Delivery {
		return rpcEvent(t, "serials.unit.transitioned.v1", tenant, &serialsv1.UnitTransitioned{CompanyId: tenant, UnitId: rpcID(t), PatientId: patient}, next())
	}
	userID, keyID := byUser.GetWebhookSubscription().GetId(), byKey.GetWebhookSubscription().GetId()

	h.apply(t, patientEvent(), unitEvent())
	if diff := cmp.Diff(roleView{Types: []string{"clinical.patient.created.v1", "serials.unit.transitioned.v1"}, UnitPatient: patient}, webhookView(t, v, userID)); diff != "" {
		t.Errorf("admin's subscription (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(roleView{Types: []string{"serials.unit.transitioned.v1"}}, webhookView(t, v, keyID)); diff != "" {
		t.Errorf("partner key's subscription (-want +got):\n%s", diff)
	}

	// The user becomes a warehouse clerk: no patients from now on.
	h.apply(t, rpcEvent(t, "company.user.roles_changed.v1", tenant, &companyv1.UserRolesChanged{CompanyId: tenant, UserId: user,
		Roles: []companyv1.Role{companyv1.Role_ROLE_WAREHOUSE}}, next()), patientEvent(), unitEvent())
	if diff := cmp.Diff(roleView{Types: []string{"clinical.patient.created.v1", "serials.unit.transitioned.v1", "serials.unit.transitioned.v1"}},
		webhookView(t, v, userID)); diff != "" {
		t.Errorf("after the role change (-want +got):\n%s", diff)
	}

	// Deactivated: suspended at once, its pending deliveries failed.
	h.apply(t, rpcEvent(t, "company.user.deactivated.v1", tenant, &companyv1.UserDeactivated{CompanyId: tenant, UserId: user}, next()))
	h.apply(t, rpcEvent(t, "company.api_key.revoked.v1", tenant, &companyv1.ApiKeyRevoked{CompanyId: tenant, ApiKeyId: key}, next()))
	h.apply(t, unitEvent())
	ownerCtx := h.as(tenant, owner, auth.RoleOwner)
	for id, reason := range map[string]string{userID: "CREATOR_DEACTIVATED", keyID: "API_KEY_REVOKED"} {
		got, err := v.client.GetWebhookSubscription(ownerCtx, &notifyv1.GetWebhookSubscriptionRequest{Id: id})
		if err != nil {
			t.Fatal(err)
		}
		if got.GetState() != notifyv1.WebhookSubscriptionState_WEBHOOK_SUBSCRIPTION_STATE_SUSPENDED || got.GetSuspendReason() != reason {
			t.Errorf("subscription %s: state %s reason %q, want suspended for %s", id, got.GetState(), got.GetSuspendReason(), reason)
		}
		var pending, failed int
		if err := h.db.Super.QueryRow(context.Background(), `select count(*) filter (where state = 'pending'), count(*) filter (where state = 'failed')
			from webhook_deliveries where subscription_id = $1`, id).Scan(&pending, &failed); err != nil {
			t.Fatal(err)
		}
		if pending != 0 || failed == 0 {
			t.Errorf("subscription %s: %d pending and %d failed deliveries, want none pending", id, pending, failed)
		}
	}
	if n := len(webhookView(t, v, keyID).Types); n != 2 {
		t.Errorf("the revoked key's subscription has %d deliveries, want the 2 from before", n)
	}

	// The owner takes the key's subscription over: it delivers with the
	// owner's authority from the next event.
	enabled, err := v.client.EnableWebhookSubscription(ownerCtx, &notifyv1.EnableWebhookSubscriptionRequest{Id: keyID})
	if err != nil {
		t.Fatal(err)
	}
	if enabled.GetCreatorId() != owner || enabled.GetState() != notifyv1.WebhookSubscriptionState_WEBHOOK_SUBSCRIPTION_STATE_ACTIVE || enabled.GetSuspendReason() != "" {
		t.Errorf("enabled = %v", enabled)
	}
	h.apply(t, patientEvent())
	if got := webhookView(t, v, keyID).Types; !slices.Contains(got, "clinical.patient.created.v1") {
		t.Errorf("after the owner enabled it: %v, want the patient event", got)
	}
}

// asKind is as for a principal of another kind (an API key's token).
func (h *rpcHarness) asKind(company, subject string, kind identity.Kind, roles ...string) context.Context {
	claims := authtest.Claims(subject, company, roles...)
	claims.Kind = string(kind)
	return authtest.Bearer(h.keys.Mint(claims))
}

// streamHarness serves WatchEvents with revocations checked, fed by the
// test.
func newStreamHarness(t *testing.T) (*rpcHarness, *revocation.Set) {
	t.Helper()
	db := storetest.New(t)
	s := store.New(db.App)
	revoked := revocation.Trusted(revocation.Config{})
	h := &rpcHarness{db: db, live: app.NewLiveEvents(64), keys: authtest.NewKeySet(t)}
	h.consumer = app.NewEventConsumer(app.ConsumerDeps{Tenants: s, Audit: s, Events: s, Recipients: s, Rules: s, Notifications: s})
	a := app.NewApplication(app.Deps{Store: s, Live: h.live, Revocations: revoked,
		Pages: pagetest.Sealer(t, keyringtest.New(t)), Keyring: keyringtest.New(t)})
	srv := servertest.New(t, "notify", h.keys)
	grpcapi.Register(srv.GRPC(), a, true)
	h.events = notifyv1.NewEventServiceClient(servertest.Start(t, srv))
	return h, revoked
}

// watchWith opens a stream with claims' token.
func (h *rpcHarness) watchWith(t *testing.T, ctx context.Context, claims *auth.Claims, req *notifyv1.WatchEventsRequest) notifyv1.EventService_WatchEventsClient {
	t.Helper()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+h.keys.Mint(claims))
	stream, err := h.events.WatchEvents(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Header(); err != nil {
		t.Fatal(err)
	}
	return stream
}

// TestStreamEndsAtExpiryAndResumesWithoutGapOrDuplicate: a token that
// expires in 2 s ends its stream with UNAUTHENTICATED TOKEN_EXPIRED; the
// client reconnects with a fresh token and resume_after, and gets what
// happened in between, then live events, each once.
func TestStreamEndsAtExpiryAndResumesWithoutGapOrDuplicate(t *testing.T) {
	t.Parallel()
	h, _ := newStreamHarness(t)
	tenant, user := rpcID(t), rpcID(t)
	n := 0
	happen := func() bus.Delivery {
		n++
		d := rpcEvent(t, "company.location.created.v1", tenant, &companyv1.LocationCreated{CompanyId: tenant, LocationId: rpcID(t)}, rpcT0.Add(time.Duration(n)*time.Second))
		h.apply(t, d)
		h.live.Publish(liveEventOf(d.Message))
		return d
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	short := authtest.Claims(user, tenant, auth.RolePartner)
	short.ExpiresAt = jwt.NewNumericDate(time.Now().Add(2 * time.Second))
	first := h.watchWith(t, ctx, short, &notifyv1.WatchEventsRequest{})
	var want, got []string
	for range 3 {
		want = append(want, happen().ID)
	}
	var last string
	for {
		e, err := first.Recv()
		if err != nil {
			grpcerrtest.WantReason(t, err, codes.Unauthenticated, app.ReasonTokenExpired)
			break
		}
		got, last = append(got, e.GetId()), e.GetId()
	}
	// While the client is away.
	for range 2 {
		want = append(want, happen().ID)
	}
	second := h.watchWith(t, ctx, authtest.Claims(user, tenant, auth.RolePartner), &notifyv1.WatchEventsRequest{ResumeAfter: last})
	want = append(want, happen().ID) // live again
	for len(got) < len(want) {
		e, err := second.Recv()
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		got = append(got, e.GetId())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events across the reconnect (-want +got):\n%s", diff)
	}
	// Nothing more: a duplicate would arrive now.
	quiet, stop := context.WithTimeout(ctx, 300*time.Millisecond)
	defer stop()
	dup := h.watchWith(t, quiet, authtest.Claims(user, tenant, auth.RolePartner), &notifyv1.WatchEventsRequest{ResumeAfter: want[len(want)-1]})
	if e, err := dup.Recv(); err == nil {
		t.Errorf("resuming after the last event delivered %s again", e.GetId())
	}

	_, err := h.events.WatchEvents(h.as(tenant, user, auth.RolePartner), &notifyv1.WatchEventsRequest{ResumeAfter: rpcID(t)})
	if err == nil {
		_, err = mustStream(h.events.WatchEvents(h.as(tenant, user, auth.RolePartner), &notifyv1.WatchEventsRequest{ResumeAfter: rpcID(t)})).Recv()
	}
	expectFields(t, err, "resumeAfter")
}

func mustStream(s notifyv1.EventService_WatchEventsClient, err error) notifyv1.EventService_WatchEventsClient {
	if err != nil {
		panic(err)
	}
	return s
}

// TestStreamEndsWithinSecondsOfRevocation: a logout (the session's
// revocation) and a key revocation each end the affected stream, and only
// it.
func TestStreamEndsWithinSecondsOfRevocation(t *testing.T) {
	t.Parallel()
	h, revoked := newStreamHarness(t)
	tenant := rpcID(t)
	tests := []struct {
		name   string
		claims func() *auth.Claims
		revoke revocation.Revocation
	}{
		{"logout", func() *auth.Claims {
			c := authtest.Claims("u-1", tenant, auth.RoleAdmin)
			c.SessionID = "s-logout"
			return c
		}, revocation.Revocation{SessionID: "s-logout"}},
		{"key revocation", func() *auth.Claims {
			c := authtest.Claims("k-1", tenant, auth.RolePartner)
			c.Kind = string(identity.KindAPIKey)
			return c
		}, revocation.Revocation{Subject: "k-1"}},
	}
	bystander := h.watchWith(t, context.Background(), authtest.Claims("u-2", tenant, auth.RoleAdmin), &notifyv1.WatchEventsRequest{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			stream := h.watchWith(t, ctx, tt.claims(), &notifyv1.WatchEventsRequest{})
			r := tt.revoke
			r.Time = time.Now()
			revoked.Add(r)
			_, err := stream.Recv()
			// Not within 5 s would be DEADLINE_EXCEEDED.
			grpcerrtest.WantReason(t, err, codes.Unauthenticated, revocation.ReasonTokenRevoked)
		})
	}
	// The bystander's stream still delivers.
	d := rpcEvent(t, "company.location.created.v1", tenant, &companyv1.LocationCreated{CompanyId: tenant}, rpcT0)
	h.live.Publish(liveEventOf(d.Message))
	if e, err := bystander.Recv(); err != nil || e.GetId() != d.ID {
		t.Errorf("bystander got %v, %v", e, err)
	}
}
