package grpcapi_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/platform/grpcerr"
	"github.com/ariesone/ariesone/platform/grpcerr/grpcerrtest"
	"github.com/ariesone/ariesone/services/notify/internal/app"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
	"github.com/ariesone/ariesone/services/notify/internal/webhook/webhooktest"
)

// Two tenants, as UUIDs like the ones company issues.
const (
	webhookCompanyA = "0195f3a2-0000-7000-8000-00000000000a"
	webhookCompanyB = "0195f3a2-0000-7000-8000-00000000000b"
)

// webhookTenants are the callers of one harness: owners of A and B, and
// users of A in roles that may not write webhooks or read them at all.
type webhookTenants struct {
	a, b, auditorA, technicianA, partnerA context.Context
}

func newWebhookHarness(t *testing.T, opts webhooktest.Options) (*webhooktest.Harness, webhookTenants) {
	t.Helper()
	h := webhooktest.New(t, opts)
	return h, webhookTenants{
		a:           h.As(webhookCompanyA, "user-a", "owner"),
		b:           h.As(webhookCompanyB, "user-b", "owner"),
		auditorA:    h.As(webhookCompanyA, "auditor-a", "auditor"),
		technicianA: h.As(webhookCompanyA, "tech-a", "technician"),
		partnerA:    h.As(webhookCompanyA, "partner-a", "partner"),
	}
}

func partnerSubscription() *notifyv1.WebhookSubscription {
	return &notifyv1.WebhookSubscription{
		Url:        "https://hooks.partner.example/ariesone",
		EventTypes: []string{"company.location.*", "company.user.created.v1"},
	}
}

func createSubscription(t *testing.T, h *webhooktest.Harness, ctx context.Context) *notifyv1.CreateWebhookSubscriptionResponse {
	t.Helper()
	resp, err := h.Client.CreateWebhookSubscription(ctx, &notifyv1.CreateWebhookSubscriptionRequest{WebhookSubscription: partnerSubscription()})
	if err != nil {
		t.Fatalf("CreateWebhookSubscription: %v", err)
	}
	return resp
}

// wantViolations fails the test unless err is INVALID_ARGUMENT with exactly
// these "field: description" violations.
func wantViolations(t *testing.T, err error, want ...string) {
	t.Helper()
	grpcerrtest.WantCode(t, err, codes.InvalidArgument)
	var got []string
	for _, v := range grpcerr.FieldViolations(status.Convert(err)) {
		got = append(got, v.Field+": "+v.Description)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
}

// wantViolatedFields is wantViolations on field names only, for the
// violations protovalidate words.
func wantViolatedFields(t *testing.T, err error, want ...string) {
	t.Helper()
	grpcerrtest.WantCode(t, err, codes.InvalidArgument)
	var got []string
	for _, v := range grpcerr.FieldViolations(status.Convert(err)) {
		got = append(got, v.Field)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("violated fields (-want +got):\n%s", diff)
	}
}

func TestCreateWebhookSubscriptionShowsTheSecretOnce(t *testing.T) {
	t.Parallel()
	h, c := newWebhookHarness(t, webhooktest.Options{})
	created := createSubscription(t, h, c.a)
	sub := created.GetWebhookSubscription()

	if !domain.IsWebhookSecret(created.GetSecret()) {
		t.Errorf("secret %q is not a whsec_ secret", created.GetSecret())
	}
	if _, err := uuid.Parse(sub.GetId()); err != nil || sub.GetEtag() != `"1"` || sub.GetCreatorId() != "user-a" ||
		sub.GetState() != notifyv1.WebhookSubscriptionState_WEBHOOK_SUBSCRIPTION_STATE_ACTIVE ||
		sub.GetCreateTime() == nil || sub.GetDisableTime() != nil || sub.GetConsecutiveFailures() != 0 {
		t.Errorf("created subscription = %v", sub)
	}

	got, err := h.Client.GetWebhookSubscription(c.a, &notifyv1.GetWebhookSubscriptionRequest{Id: sub.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(sub, got) {
		t.Errorf("Get = %v, want what Create returned, %v", got, sub)
	}
	list, err := h.Client.ListWebhookSubscriptions(c.a, &notifyv1.ListWebhookSubscriptionsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.GetWebhookSubscriptions()) != 1 || !proto.Equal(sub, list.GetWebhookSubscriptions()[0]) {
		t.Errorf("List = %v", list)
	}
	// The secret is nowhere in what Get and List return, in either encoding.
	for _, m := range []proto.Message{got, list} {
		bin, _ := proto.Marshal(m)
		js, _ := protojson.Marshal(m)
		if bytes.Contains(bin, []byte(created.GetSecret())) || bytes.Contains(js, []byte(created.GetSecret())) {
			t.Errorf("%T carries the secret", m)
		}
	}
	assertSecretSealed(t, h, sub.GetId(), created.GetSecret())
}

// assertSecretSealed checks, behind the back of row-level security, that no
// table holds the secret in clear and that the stored ciphertext opens to
// it only with the subscription's id and column as associated data.
func assertSecretSealed(t *testing.T, h *webhooktest.Harness, id, secret string) {
	t.Helper()
	ctx := context.Background()
	var sealed []byte
	if err := h.DB.Super.QueryRow(ctx, `select secret_ciphertext from webhook_subscriptions where id = $1`, id).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte(secret)) {
		t.Error("secret_ciphertext holds the secret in clear")
	}
	if opened, err := h.Ring.DecryptString(sealed, id, app.WebhookSecretColumn); err != nil || opened != secret {
		t.Errorf("sealed secret opens to %q, %v", opened, err)
	}
	if _, err := h.Ring.DecryptString(sealed, uuid.NewString(), app.WebhookSecretColumn); err == nil {
		t.Error("the sealed secret opens for another subscription id")
	}
	var leaks int
	err := h.DB.Super.QueryRow(ctx, `
		select (select count(*) from webhook_subscriptions where position($1::bytea in convert_to(url || array_to_string(event_types, ','), 'UTF8')) > 0)
		     + (select count(*) from idempotency_keys where position($1::bytea in coalesce(response, ''::bytea)) > 0
		                                                 or position($1::bytea in request_hash) > 0)`,
		[]byte(secret)).Scan(&leaks)
	if err != nil {
		t.Fatal(err)
	}
	if leaks != 0 {
		t.Errorf("the secret is stored in clear in %d rows", leaks)
	}
}

func TestCreateWebhookSubscriptionIdempotentReplayReturnsTheSameSecret(t *testing.T) {
	t.Parallel()
	h, c := newWebhookHarness(t, webhooktest.Options{})
	key := uuid.NewString()
	req := &notifyv1.CreateWebhookSubscriptionRequest{WebhookSubscription: partnerSubscription(), RequestId: key}

	first, err := h.Client.CreateWebhookSubscription(c.a, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.Client.CreateWebhookSubscription(c.a, req)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(first, again) {
		t.Errorf("replay = %v, want the first response %v", again, first)
	}
	assertSecretSealed(t, h, first.GetWebhookSubscription().GetId(), first.GetSecret())

	// The same key for a different request is the client's error.
	other := partnerSubscription()
	other.Url = "https://other.partner.example/"
	_, err = h.Client.CreateWebhookSubscription(c.a, &notifyv1.CreateWebhookSubscriptionRequest{WebhookSubscription: other, RequestId: key})
	wantViolatedFields(t, err, "requestId")
	// Keys are per tenant: B's use of the same key creates B's own.
	fromB, err := h.Client.CreateWebhookSubscription(c.b, req)
	if err != nil || fromB.GetWebhookSubscription().GetId() == first.GetWebhookSubscription().GetId() || fromB.GetSecret() == first.GetSecret() {
		t.Errorf("B with A's request id: %v, %v", fromB, err)
	}

	list, err := h.Client.ListWebhookSubscriptions(c.a, &notifyv1.ListWebhookSubscriptionsRequest{})
	if err != nil || len(list.GetWebhookSubscriptions()) != 1 {
		t.Errorf("A has %d subscriptions (%v), want 1", len(list.GetWebhookSubscriptions()), err)
	}
}

func TestCreateWebhookSubscriptionInvalid(t *testing.T) {
	t.Parallel()
	h, c := newWebhookHarness(t, webhooktest.Options{})
	create := func(edit func(*notifyv1.WebhookSubscription)) error {
		s := partnerSubscription()
		edit(s)
		_, err := h.Client.CreateWebhookSubscription(c.a, &notifyv1.CreateWebhookSubscriptionRequest{WebhookSubscription: s})
		return err
	}
	tests := []struct {
		name string
		edit func(*notifyv1.WebhookSubscription)
		want []string
	}{
		{name: "plain http", edit: func(s *notifyv1.WebhookSubscription) { s.Url = "http://hooks.partner.example/" },
			want: []string{"webhookSubscription.url: " + domain.WebhookURLHTTPSRequired}},
		{name: "credentials and fragment", edit: func(s *notifyv1.WebhookSubscription) { s.Url = "https://u:p@hooks.partner.example/#x" },
			want: []string{"webhookSubscription.url: " + domain.WebhookURLUserinfo, "webhookSubscription.url: " + domain.WebhookURLFragment}},
		{name: "not http", edit: func(s *notifyv1.WebhookSubscription) { s.Url = "ftp://hooks.partner.example/" },
			want: []string{"webhookSubscription.url: " + domain.WebhookURLNotAbsolute}},
		{name: "no url, no event types", edit: func(s *notifyv1.WebhookSubscription) { s.Url, s.EventTypes = "", nil },
			want: []string{"webhookSubscription.url: " + domain.WebhookURLRequired, "webhookSubscription.eventTypes: " + domain.WebhookEventTypesRequired}},
		{name: "a prefix pattern not at the end", edit: func(s *notifyv1.WebhookSubscription) { s.EventTypes = []string{"company.*", "company.*.created.v1"} },
			// protovalidate's pattern catches it first; same field.
			want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := create(tt.edit)
			if tt.want == nil {
				wantViolatedFields(t, err, "webhookSubscription.eventTypes[1]")
				return
			}
			wantViolations(t, err, tt.want...)
		})
	}
	// Shape rules of the proto, enforced before the handler.
	err := create(func(s *notifyv1.WebhookSubscription) { s.Url = "not a url" })
	wantViolatedFields(t, err, "webhookSubscription.url")
	err = create(func(s *notifyv1.WebhookSubscription) { s.EventTypes = []string{"company.*", "company.*"} })
	wantViolatedFields(t, err, "webhookSubscription.eventTypes")
}

func TestUpdateWebhookSubscription(t *testing.T) {
	t.Parallel()
	h, c := newWebhookHarness(t, webhooktest.Options{})
	sub := createSubscription(t, h, c.a).GetWebhookSubscription()

	got, err := h.Client.UpdateWebhookSubscription(c.a, &notifyv1.UpdateWebhookSubscriptionRequest{
		WebhookSubscription: &notifyv1.WebhookSubscription{
			Id: sub.GetId(), Etag: sub.GetEtag(), Url: "https://not-written.example/", EventTypes: []string{"company.*"},
		},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"event_types", "id"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetUrl() != sub.GetUrl() || !cmp.Equal(got.GetEventTypes(), []string{"company.*"}) || got.GetEtag() != `"2"` {
		t.Errorf("after update: %v", got)
	}

	stale := &notifyv1.UpdateWebhookSubscriptionRequest{WebhookSubscription: &notifyv1.WebhookSubscription{
		Id: sub.GetId(), Etag: sub.GetEtag(), Url: "https://new.partner.example/", EventTypes: []string{"company.*"},
	}}
	_, err = h.Client.UpdateWebhookSubscription(c.a, stale)
	grpcerrtest.WantCode(t, err, codes.Aborted)

	_, err = h.Client.UpdateWebhookSubscription(c.a, &notifyv1.UpdateWebhookSubscriptionRequest{
		WebhookSubscription: &notifyv1.WebhookSubscription{Id: sub.GetId(), Url: "https://new.partner.example/", EventTypes: []string{"company.*"}},
		UpdateMask:          &fieldmaskpb.FieldMask{Paths: []string{"state", "url"}},
	})
	wantViolatedFields(t, err, "updateMask")

	_, err = h.Client.UpdateWebhookSubscription(c.a, &notifyv1.UpdateWebhookSubscriptionRequest{
		WebhookSubscription: &notifyv1.WebhookSubscription{Id: sub.GetId(), Etag: got.GetEtag(), Url: "http://new.partner.example/", EventTypes: []string{"company.*"}},
	})
	wantViolations(t, err, "webhookSubscription.url: "+domain.WebhookURLHTTPSRequired)

	// No etag means no check.
	got, err = h.Client.UpdateWebhookSubscription(c.a, &notifyv1.UpdateWebhookSubscriptionRequest{
		WebhookSubscription: &notifyv1.WebhookSubscription{Id: sub.GetId(), Url: "https://new.partner.example/", EventTypes: []string{"company.*"}},
		UpdateMask:          &fieldmaskpb.FieldMask{Paths: []string{"url"}},
	})
	if err != nil || got.GetUrl() != "https://new.partner.example/" || got.GetEtag() != `"3"` {
		t.Errorf("update without etag: %v, %v", got, err)
	}
}

func TestDeleteAndEnableWebhookSubscription(t *testing.T) {
	t.Parallel()
	h, c := newWebhookHarness(t, webhooktest.Options{})
	sub := createSubscription(t, h, c.a).GetWebhookSubscription()

	_, err := h.Client.EnableWebhookSubscription(c.a, &notifyv1.EnableWebhookSubscriptionRequest{Id: sub.GetId()})
	grpcerrtest.WantCode(t, err, codes.FailedPrecondition)

	_, err = h.Client.DeleteWebhookSubscription(c.a, &notifyv1.DeleteWebhookSubscriptionRequest{Id: sub.GetId(), Etag: `"7"`})
	grpcerrtest.WantCode(t, err, codes.Aborted)
	_, err = h.Client.DeleteWebhookSubscription(c.a, &notifyv1.DeleteWebhookSubscriptionRequest{Id: sub.GetId(), Etag: "garbage"})
	wantViolatedFields(t, err, "etag")
	if _, err := h.Client.DeleteWebhookSubscription(c.a, &notifyv1.DeleteWebhookSubscriptionRequest{Id: sub.GetId(), Etag: sub.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	_, err = h.Client.GetWebhookSubscription(c.a, &notifyv1.GetWebhookSubscriptionRequest{Id: sub.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
	_, err = h.Client.DeleteWebhookSubscription(c.a, &notifyv1.DeleteWebhookSubscriptionRequest{Id: sub.GetId()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
}

func TestWebhookSubscriptionsAreTenantScoped(t *testing.T) {
	t.Parallel()
	h, c := newWebhookHarness(t, webhooktest.Options{})
	sub := createSubscription(t, h, c.a).GetWebhookSubscription()
	id := sub.GetId()

	calls := map[string]func() error{
		"Get": func() error {
			_, err := h.Client.GetWebhookSubscription(c.b, &notifyv1.GetWebhookSubscriptionRequest{Id: id})
			return err
		},
		"Update": func() error {
			_, err := h.Client.UpdateWebhookSubscription(c.b, &notifyv1.UpdateWebhookSubscriptionRequest{
				WebhookSubscription: &notifyv1.WebhookSubscription{Id: id, Url: "https://evil.example/", EventTypes: []string{"company.*"}}})
			return err
		},
		"Delete": func() error {
			_, err := h.Client.DeleteWebhookSubscription(c.b, &notifyv1.DeleteWebhookSubscriptionRequest{Id: id})
			return err
		},
		"Enable": func() error {
			_, err := h.Client.EnableWebhookSubscription(c.b, &notifyv1.EnableWebhookSubscriptionRequest{Id: id})
			return err
		},
		"ListWebhookDeliveries": func() error {
			_, err := h.Client.ListWebhookDeliveries(c.b, &notifyv1.ListWebhookDeliveriesRequest{SubscriptionId: id})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) { grpcerrtest.WantCode(t, call(), codes.NotFound) })
	}
	list, err := h.Client.ListWebhookSubscriptions(c.b, &notifyv1.ListWebhookSubscriptionsRequest{})
	if err != nil || len(list.GetWebhookSubscriptions()) != 0 {
		t.Errorf("B lists %v, %v; want nothing", list, err)
	}
	// A's subscription is untouched.
	got, err := h.Client.GetWebhookSubscription(c.a, &notifyv1.GetWebhookSubscriptionRequest{Id: id})
	if err != nil || !proto.Equal(got, sub) {
		t.Errorf("A's subscription after B's attempts: %v, %v", got, err)
	}
}

func TestWebhookPermissions(t *testing.T) {
	t.Parallel()
	h, c := newWebhookHarness(t, webhooktest.Options{})
	sub := createSubscription(t, h, c.a).GetWebhookSubscription()
	req := &notifyv1.CreateWebhookSubscriptionRequest{WebhookSubscription: partnerSubscription()}

	for name, ctx := range map[string]context.Context{"technician": c.technicianA, "auditor": c.auditorA} {
		t.Run(name+" may not write", func(t *testing.T) {
			_, err := h.Client.CreateWebhookSubscription(ctx, req)
			grpcerrtest.WantCode(t, err, codes.PermissionDenied)
			_, err = h.Client.EnableWebhookSubscription(ctx, &notifyv1.EnableWebhookSubscriptionRequest{Id: sub.GetId()})
			grpcerrtest.WantCode(t, err, codes.PermissionDenied)
			_, err = h.Client.DeleteWebhookSubscription(ctx, &notifyv1.DeleteWebhookSubscriptionRequest{Id: sub.GetId()})
			grpcerrtest.WantCode(t, err, codes.PermissionDenied)
		})
	}
	_, err := h.Client.GetWebhookSubscription(c.technicianA, &notifyv1.GetWebhookSubscriptionRequest{Id: sub.GetId()})
	grpcerrtest.WantCode(t, err, codes.PermissionDenied)
	if _, err := h.Client.GetWebhookSubscription(c.auditorA, &notifyv1.GetWebhookSubscriptionRequest{Id: sub.GetId()}); err != nil {
		t.Errorf("auditor reads: %v", err)
	}
	if _, err := h.Client.CreateWebhookSubscription(c.partnerA, req); err != nil {
		t.Errorf("partner creates: %v", err)
	}
	_, err = h.Client.ListWebhookSubscriptions(context.Background(), &notifyv1.ListWebhookSubscriptionsRequest{})
	grpcerrtest.WantCode(t, err, codes.Unauthenticated)
}

func TestListWebhookSubscriptionsPaginates(t *testing.T) {
	t.Parallel()
	h, c := newWebhookHarness(t, webhooktest.Options{})
	var want []string
	for range 5 {
		want = append(want, createSubscription(t, h, c.a).GetWebhookSubscription().GetId())
	}
	var got []string
	token := ""
	for pages := 1; ; pages++ {
		resp, err := h.Client.ListWebhookSubscriptions(c.a, &notifyv1.ListWebhookSubscriptionsRequest{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		for _, s := range resp.GetWebhookSubscriptions() {
			got = append(got, s.GetId())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
		if pages > 3 {
			t.Fatal("pagination does not end")
		}
		// A token is the tenant's own.
		_, err = h.Client.ListWebhookSubscriptions(c.b, &notifyv1.ListWebhookSubscriptionsRequest{PageSize: 2, PageToken: token})
		wantViolatedFields(t, err, "pageToken")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ids across pages, oldest first (-want +got):\n%s", diff)
	}
	_, err := h.Client.ListWebhookSubscriptions(c.a, &notifyv1.ListWebhookSubscriptionsRequest{PageToken: "garbage"})
	wantViolatedFields(t, err, "pageToken")
}

func TestListWebhookDeliveriesNewestFirstAndPaginated(t *testing.T) {
	t.Parallel()
	h, c := newWebhookHarness(t, webhooktest.Options{})
	sub := createSubscription(t, h, c.a).GetWebhookSubscription()
	other := createSubscription(t, h, c.a).GetWebhookSubscription()

	var events []string
	for i := range 5 {
		e := domain.Event{
			ID: uuid.NewString(), Type: "company.location.created.v1", PayloadType: "ariesone.company.v1.LocationCreated",
			CompanyID: webhookCompanyA, Source: "company", OccurTime: time.Now().UTC(),
		}
		if i == 2 {
			e.Type = "company.company.updated.v1" // matches neither subscription
		} else {
			events = append([]string{e.ID}, events...)
		}
		if err := h.App.WebhookDeliveries.EnqueueWebhookDeliveries(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		// A redelivered event schedules nothing twice.
		if err := h.App.WebhookDeliveries.EnqueueWebhookDeliveries(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}

	var got []string
	token := ""
	for pages := 1; ; pages++ {
		resp, err := h.Client.ListWebhookDeliveries(c.a, &notifyv1.ListWebhookDeliveriesRequest{SubscriptionId: sub.GetId(), PageSize: 3, PageToken: token})
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		for _, d := range resp.GetWebhookDeliveries() {
			if d.GetSubscriptionId() != sub.GetId() || d.GetState() != notifyv1.WebhookDeliveryState_WEBHOOK_DELIVERY_STATE_PENDING ||
				d.GetNextAttemptTime() == nil || len(d.GetAttempts()) != 0 {
				t.Errorf("delivery %v", d)
			}
			got = append(got, d.GetEventId())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
		if pages > 3 {
			t.Fatal("pagination does not end")
		}
		// A token belongs to its subscription.
		_, err = h.Client.ListWebhookDeliveries(c.a, &notifyv1.ListWebhookDeliveriesRequest{SubscriptionId: other.GetId(), PageToken: token})
		wantViolatedFields(t, err, "pageToken")
	}
	if diff := cmp.Diff(events, got); diff != "" {
		t.Errorf("event ids, newest first (-want +got):\n%s", diff)
	}
	_, err := h.Client.ListWebhookDeliveries(c.a, &notifyv1.ListWebhookDeliveriesRequest{SubscriptionId: uuid.NewString()})
	grpcerrtest.WantCode(t, err, codes.NotFound)
}

func TestEnqueueWebhookDeliveriesJoinsTheCallersTransaction(t *testing.T) {
	t.Parallel()
	h, c := newWebhookHarness(t, webhooktest.Options{})
	sub := createSubscription(t, h, c.a).GetWebhookSubscription()
	e := domain.Event{ID: uuid.NewString(), Type: "company.user.created.v1", PayloadType: "ariesone.company.v1.UserCreated", Payload: []byte{}, CompanyID: webhookCompanyA, OccurTime: time.Now()}

	// The consumer's unit of work rolls back: so do the deliveries.
	errRollback := fmt.Errorf("consumer failed later")
	err := h.DB.App.InTx(webhooktest.Principal(webhookCompanyA, "consumer"), func(ctx context.Context) error {
		if err := h.App.WebhookDeliveries.EnqueueWebhookDeliveries(ctx, e); err != nil {
			return err
		}
		return errRollback
	})
	if err != errRollback {
		t.Fatalf("InTx = %v", err)
	}
	resp, err := h.Client.ListWebhookDeliveries(c.a, &notifyv1.ListWebhookDeliveriesRequest{SubscriptionId: sub.GetId()})
	if err != nil || len(resp.GetWebhookDeliveries()) != 0 {
		t.Fatalf("after rollback: %v, %v; want no delivery", resp, err)
	}
	// An event of another tenant finds none of A's subscriptions.
	if err := h.App.WebhookDeliveries.EnqueueWebhookDeliveries(context.Background(), domain.Event{
		ID: e.ID, Type: e.Type, CompanyID: webhookCompanyB, OccurTime: e.OccurTime}); err != nil {
		t.Fatal(err)
	}
	// Committed: one delivery with the rendered body.
	err = h.DB.App.InTx(webhooktest.Principal(webhookCompanyA, "consumer"), func(ctx context.Context) error {
		return h.App.WebhookDeliveries.EnqueueWebhookDeliveries(ctx, e)
	})
	if err != nil {
		t.Fatal(err)
	}
	var body string
	if err := h.DB.Super.QueryRow(context.Background(), `select convert_from(body, 'UTF8') from webhook_deliveries`).Scan(&body); err != nil {
		t.Fatalf("one delivery: %v", err)
	}
	if !strings.Contains(body, `"id":"`+e.ID+`"`) || !strings.Contains(body, `"companyId":"`+webhookCompanyA+`"`) {
		t.Errorf("body %s", body)
	}
}
