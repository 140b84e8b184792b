package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
	"github.com/ariesone/ariesone/services/notify/internal/webhook"
	"github.com/ariesone/ariesone/services/notify/internal/webhook/webhooktest"
)

const companyA = "0195f3a2-0000-7000-8000-00000000000a"

// waitLimit bounds every wait for the dispatcher: generous, so a slow
// machine passes, and bounded, so a broken dispatcher fails rather than
// hangs.
const waitLimit = 30 * time.Second

// eventually polls cond until it holds, failing the test with cond's last
// explanation when waitLimit passes first.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not the case after %v: %s", what, waitLimit, why)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startDispatcher runs a dispatcher on the harness's store until the test
// ends, and returns the registry holding its metrics.
func startDispatcher(t *testing.T, h *webhooktest.Harness, s webhook.Settings) *prometheus.Registry {
	t.Helper()
	reg := prometheus.NewRegistry()
	d, err := webhook.NewDispatcher(webhook.DispatcherConfig{
		Queue:      h.Store,
		Keyring:    h.Ring,
		Settings:   s,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registerer: reg,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitLimit):
			t.Error("Run did not return after its context ended")
		}
	})
	return reg
}

// metric returns the value of a counter or gauge in reg (summed over label
// sets that carry labels, when given, e.g. "outcome", "succeeded").
func metric(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, l := range m.GetLabel() {
					if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue metrics
				}
			}
			total += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return total
}

// publish hands an event to the enqueuer as the event consumer does.
func publish(t *testing.T, h *webhooktest.Harness, eventType string, payload proto.Message) domain.Event {
	t.Helper()
	b, err := proto.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	e := domain.Event{
		ID:          uuid.NewString(),
		Type:        eventType,
		PayloadType: string(proto.MessageName(payload)),
		CompanyID:   companyA,
		Source:      "company",
		OccurTime:   time.Now().UTC().Truncate(time.Microsecond),
		Payload:     b,
	}
	err = h.DB.App.InTx(webhooktest.Principal(companyA, "consumer"), func(ctx context.Context) error {
		return h.App.WebhookDeliveries.EnqueueWebhookDeliveries(ctx, e)
	})
	if err != nil {
		t.Fatalf("enqueue %s: %v", eventType, err)
	}
	return e
}

func subscribe(t *testing.T, h *webhooktest.Harness, ctx context.Context, r *receiver, eventTypes ...string) *notifyv1.WebhookSubscription {
	t.Helper()
	resp, err := h.Client.CreateWebhookSubscription(ctx, &notifyv1.CreateWebhookSubscriptionRequest{
		WebhookSubscription: &notifyv1.WebhookSubscription{Url: r.URL(), EventTypes: eventTypes},
	})
	if err != nil {
		t.Fatalf("CreateWebhookSubscription: %v", err)
	}
	r.setSecret(resp.GetSecret())
	return resp.GetWebhookSubscription()
}

func deliveries(t *testing.T, h *webhooktest.Harness, ctx context.Context, subscriptionID string) []*notifyv1.WebhookDelivery {
	t.Helper()
	resp, err := h.Client.ListWebhookDeliveries(ctx, &notifyv1.ListWebhookDeliveriesRequest{SubscriptionId: subscriptionID, PageSize: 100})
	if err != nil {
		t.Fatalf("ListWebhookDeliveries: %v", err)
	}
	return resp.GetWebhookDeliveries()
}

// TestWebhookDeliveryRetriesDisablesAndResumes is the delivery contract end
// to end: signed POSTs a receiver verifies on its own, retries with growing
// waits while it fails and success once it recovers, a subscription whose
// receiver never recovers disabled with its pending deliveries failed, and
// Enable bringing it back. Every attempt is visible through
// ListWebhookDeliveries.
func TestWebhookDeliveryRetriesDisablesAndResumes(t *testing.T) {
	t.Parallel()
	h := webhooktest.New(t, webhooktest.Options{AllowInsecureTargets: true})
	owner := h.As(companyA, "owner-a", "owner")
	settings := webhook.Settings{
		Timeout:              5 * time.Second,
		MaxAttempts:          8,
		RetryBase:            50 * time.Millisecond,
		RetryMax:             time.Second,
		DisableAfter:         5,
		AllowInsecureTargets: true,
	}
	reg := startDispatcher(t, h, settings)
	schedule := settings.RetryPolicy().Schedule

	// A receiver that fails four times, then recovers.
	const failures = 4
	flaky := newReceiver(t, failures)
	flakySub := subscribe(t, h, owner, flaky, "company.location.*")
	e1 := publish(t, h, "company.location.created.v1", &companyv1.LocationCreated{
		CompanyId: companyA, LocationId: uuid.NewString(), Code: "ATL-01", Name: "Atlanta",
		Type: companyv1.LocationType_LOCATION_TYPE_BRANCH, OccurTime: timestamppb.Now(),
	})
	eventually(t, "the delivery succeeds and is recorded", func() (bool, string) {
		ds := deliveries(t, h, owner, flakySub.GetId())
		return len(ds) == 1 && ds[0].GetState() == notifyv1.WebhookDeliveryState_WEBHOOK_DELIVERY_STATE_SUCCEEDED, fmt.Sprint(ds)
	})

	got := flaky.requests()
	if len(got) != failures+1 {
		t.Fatalf("flaky receiver got %d requests, want %d", len(got), failures+1)
	}
	for i, r := range got {
		if r.sigErr != nil {
			t.Errorf("request %d: signature does not verify: %v", i+1, r.sigErr)
		}
		if r.eventID != e1.ID || r.eventType != e1.Type || r.body != got[0].body {
			t.Errorf("request %d: event %s %s, body %s; want the same event and bytes every time", i+1, r.eventID, r.eventType, r.body)
		}
		if want := map[bool]int{true: 500, false: 204}[i < failures]; r.status != want {
			t.Errorf("request %d answered %d, want %d", i+1, r.status, want)
		}
	}
	var body struct {
		ID, Type, CompanyID, Source, OccurTime string
		Data                                   map[string]any
	}
	if err := json.Unmarshal([]byte(got[0].body), &body); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	if body.ID != e1.ID || body.Type != e1.Type || body.CompanyID != companyA || body.Source != "company" ||
		body.Data["code"] != "ATL-01" || body.Data["type"] != "LOCATION_TYPE_BRANCH" {
		t.Errorf("body = %+v", body)
	}
	// Each wait is at least the schedule's floor for that attempt, and the
	// floors double: the retries spread out.
	for i := 1; i < len(got); i++ {
		gap, floor := got[i].at.Sub(got[i-1].at), schedule.Floor(i)
		t.Logf("wait after attempt %d: %v (floor %v, nominal %v)", i, gap, floor, schedule.Nominal(i))
		if gap < floor {
			t.Errorf("wait after attempt %d = %v, shorter than the schedule's floor %v", i, gap, floor)
		}
		if i > 1 && floor <= schedule.Floor(i-1) {
			t.Errorf("floor after attempt %d (%v) does not exceed the one before (%v)", i, floor, schedule.Floor(i-1))
		}
	}
	d := deliveries(t, h, owner, flakySub.GetId())[0]
	if d.GetEventId() != e1.ID || d.GetNextAttemptTime() != nil || len(d.GetAttempts()) != failures+1 {
		t.Fatalf("delivery = %v", d)
	}
	for i, a := range d.GetAttempts() {
		wantStatus, wantErr := int32(500), "HTTP 500"
		if i == failures {
			wantStatus, wantErr = 204, ""
		}
		if a.GetNumber() != int32(i+1) || a.GetHttpStatus() != wantStatus || a.GetError() != wantErr || a.GetAttemptTime() == nil || a.GetDuration() == nil {
			t.Errorf("attempt %d = %v", i+1, a)
		}
		if i > 0 && !a.GetAttemptTime().AsTime().After(d.GetAttempts()[i-1].GetAttemptTime().AsTime()) {
			t.Errorf("attempt %d is not after attempt %d", i+1, i)
		}
	}
	sub, err := h.Client.GetWebhookSubscription(owner, &notifyv1.GetWebhookSubscriptionRequest{Id: flakySub.GetId()})
	if err != nil || sub.GetConsecutiveFailures() != 0 || sub.GetState() != notifyv1.WebhookSubscriptionState_WEBHOOK_SUBSCRIPTION_STATE_ACTIVE {
		t.Errorf("flaky subscription after success: %v, %v", sub, err)
	}

	// A receiver that never recovers: two deliveries fail in turn until the
	// run of failures reaches the threshold.
	dead := newReceiver(t, -1)
	deadSub := subscribe(t, h, owner, dead, "company.user.*")
	for range 2 {
		publish(t, h, "company.user.created.v1", &companyv1.UserCreated{CompanyId: companyA, UserId: uuid.NewString()})
	}
	eventually(t, "the subscription is disabled, its deliveries failed and every attempt recorded", func() (bool, string) {
		s, err := h.Client.GetWebhookSubscription(owner, &notifyv1.GetWebhookSubscriptionRequest{Id: deadSub.GetId()})
		if err != nil {
			return false, err.Error()
		}
		ds := deliveries(t, h, owner, deadSub.GetId())
		recorded := 0
		for _, d := range ds {
			if d.GetState() != notifyv1.WebhookDeliveryState_WEBHOOK_DELIVERY_STATE_FAILED {
				return false, fmt.Sprintf("delivery %s is %v", d.GetId(), d.GetState())
			}
			recorded += len(d.GetAttempts())
		}
		return s.GetState() == notifyv1.WebhookSubscriptionState_WEBHOOK_SUBSCRIPTION_STATE_DISABLED && len(ds) == 2 &&
				recorded == len(dead.requests()),
			fmt.Sprintf("subscription %v; %d deliveries, %d attempts recorded, %d received", s, len(ds), recorded, len(dead.requests()))
	})
	disabled, err := h.Client.GetWebhookSubscription(owner, &notifyv1.GetWebhookSubscriptionRequest{Id: deadSub.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if disabled.GetDisableTime() == nil || disabled.GetConsecutiveFailures() < int32(settings.DisableAfter) || disabled.GetEtag() != `"2"` {
		t.Errorf("disabled subscription = %v", disabled)
	}
	attempts := 0
	for _, d := range deliveries(t, h, owner, deadSub.GetId()) {
		if d.GetNextAttemptTime() != nil {
			t.Errorf("failed delivery %s still has a next attempt", d.GetId())
		}
		for _, a := range d.GetAttempts() {
			attempts++
			if a.GetHttpStatus() != 500 || a.GetError() != "HTTP 500" {
				t.Errorf("attempt %v", a)
			}
		}
	}
	// The threshold, plus at most the one attempt in flight when it was hit.
	if attempts < settings.DisableAfter || attempts > settings.DisableAfter+1 {
		t.Errorf("%d attempts before the subscription was disabled, want %d (or one more in flight)", attempts, settings.DisableAfter)
	}
	if got := metric(t, reg, "ariesone_webhook_subscriptions_disabled_total"); got != 1 {
		t.Errorf("disabled subscriptions metric = %v, want 1", got)
	}

	// Nothing is scheduled while it is disabled.
	publish(t, h, "company.user.created.v1", &companyv1.UserCreated{CompanyId: companyA, UserId: uuid.NewString()})
	if n := len(deliveries(t, h, owner, deadSub.GetId())); n != 2 {
		t.Errorf("%d deliveries after an event for a disabled subscription, want 2", n)
	}

	// The owner fixes the receiver and enables the subscription; the next
	// event is delivered.
	dead.recover()
	enabled, err := h.Client.EnableWebhookSubscription(owner, &notifyv1.EnableWebhookSubscriptionRequest{Id: deadSub.GetId(), Etag: disabled.GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	if enabled.GetState() != notifyv1.WebhookSubscriptionState_WEBHOOK_SUBSCRIPTION_STATE_ACTIVE || enabled.GetConsecutiveFailures() != 0 || enabled.GetDisableTime() != nil {
		t.Errorf("enabled = %v", enabled)
	}
	e5 := publish(t, h, "company.user.created.v1", &companyv1.UserCreated{CompanyId: companyA, UserId: uuid.NewString()})
	eventually(t, "the event after Enable is delivered", func() (bool, string) {
		for _, d := range deliveries(t, h, owner, deadSub.GetId()) {
			if d.GetEventId() == e5.ID {
				return d.GetState() == notifyv1.WebhookDeliveryState_WEBHOOK_DELIVERY_STATE_SUCCEEDED, fmt.Sprint(d)
			}
		}
		return false, "no delivery of the event yet"
	})
	last := dead.requests()[len(dead.requests())-1]
	if last.eventID != e5.ID || last.status != 204 || last.sigErr != nil {
		t.Errorf("last request to the recovered receiver: %+v", last)
	}
	// The user events never went to the location subscription.
	if n := len(flaky.requests()); n != failures+1 {
		t.Errorf("flaky receiver got %d requests, want %d", n, failures+1)
	}
	if got := metric(t, reg, "ariesone_webhook_attempts_total", "outcome", "succeeded"); got != 2 {
		t.Errorf("succeeded attempts metric = %v, want 2", got)
	}
	if got := metric(t, reg, "ariesone_webhook_attempts_total", "outcome", "http_error"); got != float64(failures+attempts) {
		t.Errorf("http_error attempts metric = %v, want %d", got, failures+attempts)
	}
}

// TestWebhookDispatcherRefusesLoopbackTargets points an https subscription
// (acceptable as a URL) at a receiver on 127.0.0.1 with insecure targets
// not allowed: the dispatcher's guard refuses the connection, the receiver
// never hears of it, and the refused attempt is logged like any failure.
func TestWebhookDispatcherRefusesLoopbackTargets(t *testing.T) {
	t.Parallel()
	h := webhooktest.New(t, webhooktest.Options{})
	owner := h.As(companyA, "owner-a", "owner")
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Fatalf("test server at %s, want https on 127.0.0.1", srv.URL)
	}
	reg := startDispatcher(t, h, webhook.Settings{Timeout: 5 * time.Second, RetryBase: time.Hour, RetryMax: time.Hour})

	resp, err := h.Client.CreateWebhookSubscription(owner, &notifyv1.CreateWebhookSubscriptionRequest{
		WebhookSubscription: &notifyv1.WebhookSubscription{Url: srv.URL + "/hook", EventTypes: []string{"company.*"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	publish(t, h, "company.user.created.v1", &companyv1.UserCreated{CompanyId: companyA, UserId: uuid.NewString()})
	eventually(t, "the refused attempt is recorded", func() (bool, string) {
		ds := deliveries(t, h, owner, resp.GetWebhookSubscription().GetId())
		return len(ds) == 1 && len(ds[0].GetAttempts()) == 1, fmt.Sprint(ds)
	})
	a := deliveries(t, h, owner, resp.GetWebhookSubscription().GetId())[0].GetAttempts()[0]
	if a.GetError() != "destination address not allowed" || a.GetHttpStatus() != 0 {
		t.Errorf("attempt = %v", a)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback receiver got %d requests", n)
	}
	if got := metric(t, reg, "ariesone_webhook_attempts_total", "outcome", "blocked"); got != 1 {
		t.Errorf("blocked attempts metric = %v, want 1", got)
	}
}

// TestWebhookEnqueueWakesTheDispatcher leaves the dispatcher nothing but
// the enqueue's NOTIFY to learn of new work from: its poll interval is an
// hour.
func TestWebhookEnqueueWakesTheDispatcher(t *testing.T) {
	t.Parallel()
	h := webhooktest.New(t, webhooktest.Options{AllowInsecureTargets: true})
	owner := h.As(companyA, "owner-a", "owner")
	r := newReceiver(t, 0)
	subscribe(t, h, owner, r, "company.user.*")
	startDispatcher(t, h, webhook.Settings{PollInterval: time.Hour, AllowInsecureTargets: true})

	for i := range 3 {
		e := publish(t, h, "company.user.created.v1", &companyv1.UserCreated{CompanyId: companyA, UserId: uuid.NewString()})
		eventually(t, fmt.Sprintf("event %d is delivered", i+1), func() (bool, string) {
			got := r.requests()
			return len(got) == i+1 && got[i].eventID == e.ID && got[i].sigErr == nil, fmt.Sprintf("%+v", got)
		})
	}
}
