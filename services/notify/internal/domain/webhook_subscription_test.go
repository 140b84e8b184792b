package domain_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

var webhookNow = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

var testCreator = domain.WebhookCreator{ID: "u-1", Kind: domain.WebhookCreatorUser, Roles: []string{"admin"}}

func newTestSubscription(t *testing.T) *domain.WebhookSubscription {
	t.Helper()
	s, err := domain.NewWebhookSubscription("s-1", "c-1", testCreator, domain.WebhookSubscriptionValues{
		URL:        "https://hooks.partner.example/in",
		EventTypes: []string{"company.location.*", "company.user.created.v1"},
	}, false, webhookNow)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewWebhookSubscription(t *testing.T) {
	s := newTestSubscription(t)
	want := &domain.WebhookSubscription{
		ID: "s-1", CompanyID: "c-1", URL: "https://hooks.partner.example/in",
		EventTypes: []string{"company.location.*", "company.user.created.v1"},
		State:      domain.WebhookSubscriptionActive, CreatorID: "u-1", CreatorKind: "user", CreatorRoles: []string{"admin"}, Version: 1,
		CreateTime: webhookNow, UpdateTime: webhookNow,
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestNewWebhookSubscriptionViolations(t *testing.T) {
	tests := []struct {
		name   string
		values domain.WebhookSubscriptionValues
		want   []string
	}{
		{name: "nothing", values: domain.WebhookSubscriptionValues{}, want: []string{
			"url: " + domain.WebhookURLRequired, "eventTypes: " + domain.WebhookEventTypesRequired}},
		{name: "bad patterns and a repeat", values: domain.WebhookSubscriptionValues{
			URL:        "https://h.example/",
			EventTypes: []string{"company.*", "Company.User", "company.*", "*", "company.*.created"},
		}, want: []string{
			"eventTypes[1]: " + domain.WebhookEventTypeMalformed,
			"eventTypes[2]: " + domain.WebhookEventTypeRepeated,
			"eventTypes[3]: " + domain.WebhookEventTypeMalformed,
			"eventTypes[4]: " + domain.WebhookEventTypeMalformed,
		}},
		{name: "too many", values: domain.WebhookSubscriptionValues{URL: "https://h.example/", EventTypes: manyEventTypes(51)},
			want: []string{"eventTypes: " + domain.WebhookEventTypesTooMany}},
		{name: "too long a pattern", values: domain.WebhookSubscriptionValues{URL: "https://h.example/", EventTypes: []string{"a." + strings.Repeat("b", 199)}},
			want: []string{"eventTypes[0]: " + domain.WebhookEventTypeMalformed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := domain.NewWebhookSubscription("s-1", "c-1", testCreator, tt.values, false, webhookNow)
			if diff := cmp.Diff(tt.want, webhookViolations(t, err)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := domain.NewWebhookSubscription("s-1", "c-1", testCreator, domain.WebhookSubscriptionValues{
		URL: "https://h.example/", EventTypes: manyEventTypes(50)}, false, webhookNow); err != nil {
		t.Errorf("50 event types: %v", err)
	}
}

func manyEventTypes(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("company.thing%d.*", i)
	}
	return out
}

func TestWebhookSubscriptionUpdate(t *testing.T) {
	s := newTestSubscription(t)
	later := webhookNow.Add(time.Hour)
	err := s.Update([]domain.WebhookSubscriptionField{domain.WebhookSubscriptionEventTypes},
		domain.WebhookSubscriptionValues{URL: "not written", EventTypes: []string{"company.*"}}, false, later)
	if err != nil {
		t.Fatal(err)
	}
	if s.URL != "https://hooks.partner.example/in" || !cmp.Equal(s.EventTypes, []string{"company.*"}) || !s.UpdateTime.Equal(later) {
		t.Errorf("after update: %+v", s)
	}

	before := *s
	err = s.Update(domain.WebhookSubscriptionFields, domain.WebhookSubscriptionValues{URL: "http://h.example/", EventTypes: nil}, false, later.Add(time.Hour))
	if diff := cmp.Diff([]string{"url: " + domain.WebhookURLHTTPSRequired, "eventTypes: " + domain.WebhookEventTypesRequired}, webhookViolations(t, err)); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&before, s); diff != "" {
		t.Errorf("a refused update changed the subscription (-before +after):\n%s", diff)
	}
}

func TestWebhookSubscriptionDisableAndEnable(t *testing.T) {
	s := newTestSubscription(t)
	rule := domain.WebhookDisableRule{After: 3}

	if err := s.Enable(testCreator, webhookNow); errs.KindOf(err) != errs.KindFailedPrecondition {
		t.Fatalf("Enable of an active subscription = %v, want failed precondition", err)
	}
	steps := []struct {
		succeeded    bool
		wantDisabled bool
		wantFailures int
		wantState    domain.WebhookSubscriptionState
		wantVersion  int64
	}{
		{succeeded: false, wantFailures: 1, wantState: domain.WebhookSubscriptionActive, wantVersion: 1},
		{succeeded: false, wantFailures: 2, wantState: domain.WebhookSubscriptionActive, wantVersion: 1},
		{succeeded: true, wantFailures: 0, wantState: domain.WebhookSubscriptionActive, wantVersion: 1},
		{succeeded: false, wantFailures: 1, wantState: domain.WebhookSubscriptionActive, wantVersion: 1},
		{succeeded: false, wantFailures: 2, wantState: domain.WebhookSubscriptionActive, wantVersion: 1},
		{succeeded: false, wantDisabled: true, wantFailures: 3, wantState: domain.WebhookSubscriptionDisabled, wantVersion: 2},
		// An attempt in flight when it was disabled counts, but disables nothing twice.
		{succeeded: false, wantFailures: 4, wantState: domain.WebhookSubscriptionDisabled, wantVersion: 2},
	}
	for i, st := range steps {
		at := webhookNow.Add(time.Duration(i) * time.Minute)
		disabled := s.RecordAttemptOutcome(st.succeeded, rule, at)
		if disabled != st.wantDisabled || s.ConsecutiveFailures != st.wantFailures || s.State != st.wantState || s.Version != st.wantVersion {
			t.Fatalf("step %d: disabled=%t failures=%d state=%s version=%d; want %t %d %s %d", i, disabled,
				s.ConsecutiveFailures, s.State, s.Version, st.wantDisabled, st.wantFailures, st.wantState, st.wantVersion)
		}
		if st.wantDisabled && (s.DisableTime == nil || !s.DisableTime.Equal(at)) {
			t.Fatalf("step %d: DisableTime = %v, want %v", i, s.DisableTime, at)
		}
	}
	if s.Wants("company.location.created.v1") {
		t.Error("a disabled subscription wants events")
	}

	enableAt := webhookNow.Add(time.Hour)
	if err := s.Enable(testCreator, enableAt); err != nil {
		t.Fatal(err)
	}
	if s.State != domain.WebhookSubscriptionActive || s.ConsecutiveFailures != 0 || s.DisableTime != nil || !s.UpdateTime.Equal(enableAt) {
		t.Errorf("after Enable: %+v", s)
	}
	if !s.Wants("company.location.created.v1") || s.Wants("company.company.updated.v1") {
		t.Error("Wants does not follow the event types")
	}
}

func TestWebhookDisableRule(t *testing.T) {
	tests := []struct {
		after, failures int
		want            bool
	}{
		{after: 20, failures: 19, want: false},
		{after: 20, failures: 20, want: true},
		{after: 20, failures: 21, want: true},
		{after: 1, failures: 1, want: true},
		{after: 0, failures: 1000, want: false},
	}
	for _, tt := range tests {
		if got := (domain.WebhookDisableRule{After: tt.after}).ShouldDisable(tt.failures); got != tt.want {
			t.Errorf("ShouldDisable(after %d, %d failures) = %t, want %t", tt.after, tt.failures, got, tt.want)
		}
	}
}

// TestWebhookSubscriptionSuspendAndEnable: a suspension stops an active or
// disabled subscription once; enabling it lends it the enabler's
// authority, while enabling a merely disabled one keeps its creator.
func TestWebhookSubscriptionSuspendAndEnable(t *testing.T) {
	partner := domain.WebhookCreator{ID: "k-9", Kind: domain.WebhookCreatorAPIKey, Roles: []string{"partner"}}
	tests := []struct {
		name        string
		disabled    bool
		wantCreator domain.WebhookCreator
	}{
		{"active", false, partner},
		{"disabled", true, partner},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSubscription(t)
			if tt.disabled {
				s.RecordAttemptOutcome(false, domain.WebhookDisableRule{After: 1}, webhookNow)
			}
			if !s.Suspend(domain.WebhookSuspendedCreatorDeactivated, webhookNow) {
				t.Fatal("Suspend reported nothing suspended")
			}
			if s.Suspend(domain.WebhookSuspendedAPIKeyRevoked, webhookNow) {
				t.Error("a second Suspend suspended again")
			}
			if s.State != domain.WebhookSubscriptionSuspended || s.SuspendReason != domain.WebhookSuspendedCreatorDeactivated || s.DisableTime != nil {
				t.Fatalf("after Suspend: %+v", s)
			}
			if s.Wants("company.location.created.v1") {
				t.Error("a suspended subscription wants events")
			}
			if err := s.Enable(partner, webhookNow.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			got := domain.WebhookCreator{ID: s.CreatorID, Kind: s.CreatorKind, Roles: s.CreatorRoles}
			if diff := cmp.Diff(tt.wantCreator, got); diff != "" || s.State != domain.WebhookSubscriptionActive || s.SuspendReason != "" {
				t.Errorf("after Enable: state %s reason %q, creator (-want +got):\n%s", s.State, s.SuspendReason, diff)
			}
		})
	}
	s := newTestSubscription(t)
	s.RecordAttemptOutcome(false, domain.WebhookDisableRule{After: 1}, webhookNow)
	if err := s.Enable(partner, webhookNow); err != nil || s.CreatorID != testCreator.ID {
		t.Errorf("enabling a disabled subscription: %v, creator %q; want the creator kept", err, s.CreatorID)
	}
}
