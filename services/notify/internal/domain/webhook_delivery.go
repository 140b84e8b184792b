package domain

import "time"

// WebhookDeliveryState is where one event stands with one subscription.
type WebhookDeliveryState string

const (
	// WebhookDeliveryPending deliveries wait for their next attempt.
	WebhookDeliveryPending WebhookDeliveryState = "pending"
	// WebhookDeliverySucceeded: the receiver answered 2xx.
	WebhookDeliverySucceeded WebhookDeliveryState = "succeeded"
	// WebhookDeliveryFailed: every attempt failed, or the subscription was
	// disabled first.
	WebhookDeliveryFailed WebhookDeliveryState = "failed"
)

// WebhookErrSubscriptionDisabled is why a pending delivery failed without
// running out of attempts: its subscription was disabled.
const WebhookErrSubscriptionDisabled = "subscription disabled"

// WebhookDelivery is one event on its way to one subscription.
type WebhookDelivery struct {
	ID             string
	CompanyID      string
	SubscriptionID string
	EventID        string
	EventType      string
	// Body is the exact JSON every attempt POSTs (RenderWebhookBody).
	Body  []byte
	State WebhookDeliveryState
	// Attempts counts the attempts made so far.
	Attempts int
	// NextAttemptTime is when the next attempt is due; nil unless pending.
	NextAttemptTime *time.Time
	// LastError is the error of the last failed attempt, or why the
	// delivery failed without one (WebhookErrSubscriptionDisabled).
	LastError  string
	CreateTime time.Time
	// AttemptLog lists the attempts, oldest first, when the reader asked
	// for them.
	AttemptLog []WebhookAttempt
}

// WebhookAttempt is one POST of a delivery and what came of it.
type WebhookAttempt struct {
	// Number is 1 for the first attempt.
	Number int
	// Time is when the request started.
	Time time.Time
	// HTTPStatus is the receiver's status code; 0 when it did not answer.
	HTTPStatus int
	// Error says why the attempt failed ("timeout", "HTTP 500"); empty on
	// success.
	Error string
	// Duration is how long the attempt took.
	Duration time.Duration
}

// Succeeded reports whether the receiver acknowledged: any 2xx, and
// nothing else (a redirect is not followed, so it is a failure).
func (a WebhookAttempt) Succeeded() bool {
	return a.Error == "" && a.HTTPStatus >= 200 && a.HTTPStatus <= 299
}

// NewWebhookDelivery is a pending delivery of event e to subscription sub,
// due at once, with the body rendered for it.
func NewWebhookDelivery(id string, sub *WebhookSubscription, e Event, body []byte, now time.Time) *WebhookDelivery {
	due := now
	return &WebhookDelivery{
		ID:              id,
		CompanyID:       sub.CompanyID,
		SubscriptionID:  sub.ID,
		EventID:         e.ID,
		EventType:       e.Type,
		Body:            body,
		State:           WebhookDeliveryPending,
		NextAttemptTime: &due,
		CreateTime:      now,
	}
}

// WebhookRetryPolicy decides what a failed attempt leads to.
type WebhookRetryPolicy struct {
	Schedule WebhookRetrySchedule
	// MaxAttempts is how many attempts a delivery gets before it fails.
	MaxAttempts int
}

// RecordAttempt numbers attempt a as the delivery's next and applies its
// outcome; jitter is drawn uniformly from [0, 1) by the caller.
//
//   - Success: the delivery succeeded, whatever state it was in (a
//     subscription disabled while this attempt was in flight cannot undo
//     that the receiver has the event).
//   - Failure of a pending delivery: it fails for good after
//     policy.MaxAttempts attempts; otherwise its next attempt is due after
//     the retry schedule's delay, counted from the end of this one.
//   - Failure of a delivery no longer pending (finished by another attempt
//     or by a disable): logged, nothing else changes.
//
// It returns a with its number set, for the attempt log.
func (d *WebhookDelivery) RecordAttempt(a WebhookAttempt, policy WebhookRetryPolicy, jitter float64) WebhookAttempt {
	d.Attempts++
	a.Number = d.Attempts
	switch {
	case a.Succeeded():
		d.State = WebhookDeliverySucceeded
		d.NextAttemptTime = nil
		d.LastError = ""
	case d.State != WebhookDeliveryPending:
	case d.Attempts >= policy.MaxAttempts:
		d.State = WebhookDeliveryFailed
		d.NextAttemptTime = nil
		d.LastError = a.Error
	default:
		next := a.Time.Add(a.Duration).Add(policy.Schedule.Delay(d.Attempts, jitter))
		d.NextAttemptTime = &next
		d.LastError = a.Error
	}
	return a
}

// Abandon fails a pending delivery without another attempt, for reason
// (WebhookErrSubscriptionDisabled). A delivery no longer pending is left
// as it is; the result says whether it changed.
func (d *WebhookDelivery) Abandon(reason string) bool {
	if d.State != WebhookDeliveryPending {
		return false
	}
	d.State = WebhookDeliveryFailed
	d.NextAttemptTime = nil
	d.LastError = reason
	return true
}
