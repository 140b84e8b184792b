package domain_test

import (
	"testing"
	"time"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

func TestWebhookAttemptSucceeded(t *testing.T) {
	tests := []struct {
		a    domain.WebhookAttempt
		want bool
	}{
		{a: domain.WebhookAttempt{HTTPStatus: 200}, want: true},
		{a: domain.WebhookAttempt{HTTPStatus: 204}, want: true},
		{a: domain.WebhookAttempt{HTTPStatus: 299}, want: true},
		{a: domain.WebhookAttempt{HTTPStatus: 301, Error: "HTTP 301"}, want: false},
		{a: domain.WebhookAttempt{HTTPStatus: 500, Error: "HTTP 500"}, want: false},
		{a: domain.WebhookAttempt{Error: "timeout"}, want: false},
		{a: domain.WebhookAttempt{HTTPStatus: 199}, want: false},
	}
	for _, tt := range tests {
		if got := tt.a.Succeeded(); got != tt.want {
			t.Errorf("%+v.Succeeded() = %t, want %t", tt.a, got, tt.want)
		}
	}
}

func TestWebhookDeliveryRecordAttempt(t *testing.T) {
	sub := newTestSubscription(t)
	e := domain.Event{ID: "e-1", Type: "company.location.created.v1"}
	policy := domain.WebhookRetryPolicy{
		Schedule:    domain.WebhookRetrySchedule{Base: 30 * time.Second, Max: time.Hour},
		MaxAttempts: 3,
	}
	d := domain.NewWebhookDelivery("d-1", sub, e, []byte("{}"), webhookNow)
	if d.State != domain.WebhookDeliveryPending || d.NextAttemptTime == nil || !d.NextAttemptTime.Equal(webhookNow) ||
		d.SubscriptionID != "s-1" || d.CompanyID != "c-1" || d.EventID != "e-1" {
		t.Fatalf("new delivery: %+v", d)
	}

	failAt := webhookNow.Add(time.Second)
	a := d.RecordAttempt(domain.WebhookAttempt{Time: failAt, HTTPStatus: 500, Error: "HTTP 500", Duration: 2 * time.Second}, policy, 0)
	if a.Number != 1 || d.Attempts != 1 || d.State != domain.WebhookDeliveryPending || d.LastError != "HTTP 500" {
		t.Fatalf("after a failure: attempt %+v, delivery %+v", a, d)
	}
	// Equal jitter with r = 0: half the nominal 30s, from the end of the attempt.
	if want := failAt.Add(2*time.Second + 15*time.Second); !d.NextAttemptTime.Equal(want) {
		t.Errorf("next attempt %v, want %v", d.NextAttemptTime, want)
	}

	a = d.RecordAttempt(domain.WebhookAttempt{Time: failAt.Add(time.Minute), Error: "timeout"}, policy, 0.999)
	if a.Number != 2 || d.State != domain.WebhookDeliveryPending {
		t.Fatalf("second failure: %+v", d)
	}
	a = d.RecordAttempt(domain.WebhookAttempt{Time: failAt.Add(2 * time.Minute), Error: "connection refused"}, policy, 0.5)
	if a.Number != 3 || d.State != domain.WebhookDeliveryFailed || d.NextAttemptTime != nil || d.LastError != "connection refused" {
		t.Fatalf("after the last attempt: %+v", d)
	}

	// An attempt in flight when the delivery failed is logged; a success
	// still counts, because the receiver has the event.
	a = d.RecordAttempt(domain.WebhookAttempt{Time: failAt.Add(3 * time.Minute), Error: "timeout"}, policy, 0)
	if a.Number != 4 || d.State != domain.WebhookDeliveryFailed {
		t.Fatalf("late failure: %+v", d)
	}
	a = d.RecordAttempt(domain.WebhookAttempt{Time: failAt.Add(4 * time.Minute), HTTPStatus: 202}, policy, 0)
	if a.Number != 5 || d.State != domain.WebhookDeliverySucceeded || d.LastError != "" || d.NextAttemptTime != nil {
		t.Fatalf("late success: %+v", d)
	}
}
