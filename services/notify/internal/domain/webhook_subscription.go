package domain

import (
	"fmt"
	"slices"
	"time"

	"github.com/ariesone/ariesone/platform/errs"
)

// WebhookSubscriptionState says whether a subscription receives events.
type WebhookSubscriptionState string

const (
	// WebhookSubscriptionActive subscriptions get a delivery for every
	// matching event.
	WebhookSubscriptionActive WebhookSubscriptionState = "active"
	// WebhookSubscriptionDisabled subscriptions were switched off after a
	// run of failed attempts (WebhookDisableRule) and get nothing until their
	// owner enables them again. Events in between are not delivered later:
	// a receiver that was down for days must not be flooded on return.
	WebhookSubscriptionDisabled WebhookSubscriptionState = "disabled"
	// WebhookSubscriptionSuspended subscriptions lost the authority they
	// deliver with: the user who created them was deactivated, or the API
	// key that created them was revoked. They get nothing, and their pending
	// deliveries fail, until someone enables them again and lends them
	// their own authority.
	WebhookSubscriptionSuspended WebhookSubscriptionState = "suspended"
)

// Why a subscription was suspended.
const (
	WebhookSuspendedCreatorDeactivated = "CREATOR_DEACTIVATED"
	WebhookSuspendedAPIKeyRevoked      = "API_KEY_REVOKED"
	// WebhookSuspendedAuthorityUnknown marks subscriptions created before
	// subscriptions recorded whose authority they deliver with.
	WebhookSuspendedAuthorityUnknown = "AUTHORITY_UNKNOWN"
)

// WebhookErrSubscriptionSuspended is the last error of the pending
// deliveries a suspension fails.
const WebhookErrSubscriptionSuspended = "subscription suspended: the authority it delivered with has ended"

// Kinds of creator, as identity names them: a subscription created by a
// user delivers with that user's current roles; one created by an API key
// with the key's.
const (
	WebhookCreatorUser   = "user"
	WebhookCreatorAPIKey = "api_key"
)

// WebhookCreator is whose authority a subscription delivers with: who
// created it, or who last enabled it after a suspension.
type WebhookCreator struct {
	// ID is the user id or API key id.
	ID string
	// Kind is WebhookCreatorUser, WebhookCreatorAPIKey or another identity
	// kind.
	Kind string
	// Roles are the creator's roles when it created or enabled the
	// subscription. A user's current roles (the users read model) take
	// their place at delivery; an API key's roles never change.
	Roles []string
}

// ReasonWebhookSubscriptionActive is the FAILED_PRECONDITION reason for
// enabling a subscription that is not disabled.
const ReasonWebhookSubscriptionActive = "WEBHOOK_SUBSCRIPTION_ACTIVE"

// MaxWebhookEventTypes bounds the event types of one subscription, as the
// API does.
const MaxWebhookEventTypes = 50

// WebhookSubscription sends a tenant's events of some types to a partner's
// URL, signed with a secret only the partner and AriesOne hold. The secret is
// not part of the entity: it is sealed at rest by the store and opened only
// to sign a delivery or to answer a replayed create.
type WebhookSubscription struct {
	ID         string
	CompanyID  string
	URL        string
	EventTypes []string
	State      WebhookSubscriptionState
	// ConsecutiveFailures counts failed attempts since the last success,
	// across all of the subscription's deliveries.
	ConsecutiveFailures int
	// DisableTime is set while the subscription is disabled.
	DisableTime *time.Time
	// CreatorID is the user or API key whose authority it delivers with.
	CreatorID string
	// CreatorKind and CreatorRoles complete the creator; see WebhookCreator.
	CreatorKind  string
	CreatorRoles []string
	// SuspendReason says why a suspended subscription was suspended; empty
	// otherwise.
	SuspendReason string
	// Version advances with every change an owner can see through the etag:
	// the URL, the event types, the state. The failure counter moves with
	// every attempt and does not advance it, or an update could never win
	// against a failing receiver.
	Version    int64
	CreateTime time.Time
	UpdateTime time.Time
}

// WebhookSubscriptionField names a field an update may write, as the API's
// update mask spells it.
type WebhookSubscriptionField string

const (
	WebhookSubscriptionURL        WebhookSubscriptionField = "url"
	WebhookSubscriptionEventTypes WebhookSubscriptionField = "event_types"
)

// WebhookSubscriptionFields are the writable fields, in the order an implied
// update mask lists them.
var WebhookSubscriptionFields = []WebhookSubscriptionField{WebhookSubscriptionURL, WebhookSubscriptionEventTypes}

// WebhookSubscriptionValues are what a subscriber chooses.
type WebhookSubscriptionValues struct {
	URL        string
	EventTypes []string
}

// NewWebhookSubscription checks values and returns an active subscription at
// version 1. Violations name "url", "eventTypes" and "eventTypes[i]".
func NewWebhookSubscription(id, companyID string, creator WebhookCreator, v WebhookSubscriptionValues, allowInsecure bool, now time.Time) (*WebhookSubscription, error) {
	var viol errs.Violations
	viol.Merge("", CheckWebhookURL(v.URL, allowInsecure))
	viol.Merge("", checkWebhookEventTypes(v.EventTypes))
	if err := viol.Err(); err != nil {
		return nil, err
	}
	return &WebhookSubscription{
		ID:           id,
		CompanyID:    companyID,
		URL:          v.URL,
		EventTypes:   slices.Clone(v.EventTypes),
		State:        WebhookSubscriptionActive,
		CreatorID:    creator.ID,
		CreatorKind:  creator.Kind,
		CreatorRoles: slices.Clone(creator.Roles),
		Version:      1,
		CreateTime:   now,
		UpdateTime:   now,
	}, nil
}

// Update writes fields from values. A disabled subscription may be updated
// (fixing the URL is the usual reason it was disabled) and stays disabled
// until enabled. Violations name the fields as NewWebhookSubscription does.
func (s *WebhookSubscription) Update(fields []WebhookSubscriptionField, v WebhookSubscriptionValues, allowInsecure bool, now time.Time) error {
	var viol errs.Violations
	next := *s
	for _, f := range fields {
		switch f {
		case WebhookSubscriptionURL:
			viol.Merge("", CheckWebhookURL(v.URL, allowInsecure))
			next.URL = v.URL
		case WebhookSubscriptionEventTypes:
			viol.Merge("", checkWebhookEventTypes(v.EventTypes))
			next.EventTypes = slices.Clone(v.EventTypes)
		default:
			return fmt.Errorf("webhook subscription: field %q is not writable", f)
		}
	}
	if err := viol.Err(); err != nil {
		return err
	}
	next.UpdateTime = now
	*s = next
	return nil
}

// Enable turns a disabled or suspended subscription back on with a clean
// failure count; deliveries resume with the next event. A suspended
// subscription lost its creator's authority, so it takes by's: from now on
// it delivers what by may see. Enabling an active subscription is
// FAILED_PRECONDITION: it is not what the caller thinks it is.
func (s *WebhookSubscription) Enable(by WebhookCreator, now time.Time) error {
	switch s.State {
	case WebhookSubscriptionDisabled:
	case WebhookSubscriptionSuspended:
		s.CreatorID, s.CreatorKind, s.CreatorRoles = by.ID, by.Kind, slices.Clone(by.Roles)
	default:
		return errs.FailedPrecondition(ReasonWebhookSubscriptionActive, "the webhook subscription is neither disabled nor suspended")
	}
	s.State = WebhookSubscriptionActive
	s.ConsecutiveFailures = 0
	s.DisableTime = nil
	s.SuspendReason = ""
	s.UpdateTime = now
	return nil
}

// Suspend stops a subscription whose creator's authority ended, for
// reason; it reports false when it was suspended already. A disabled
// subscription is suspended too: enabling it must now lend it authority.
func (s *WebhookSubscription) Suspend(reason string, now time.Time) bool {
	if s.State == WebhookSubscriptionSuspended {
		return false
	}
	s.State = WebhookSubscriptionSuspended
	s.SuspendReason = reason
	s.DisableTime = nil
	s.UpdateTime = now
	return true
}

// Wants reports whether an event of eventType is delivered to s now.
func (s *WebhookSubscription) Wants(eventType string) bool {
	return s.State == WebhookSubscriptionActive && len(s.EventTypes) > 0 && MatchAnyEventType(s.EventTypes, eventType)
}

// WebhookDisableRule switches a subscription off after After consecutive
// failed attempts, counted across its deliveries: a receiver that has
// answered nothing but errors for that long is gone or broken, and retrying
// every event for it only costs both sides. Its owner enables it again.
type WebhookDisableRule struct {
	After int
}

// ShouldDisable reports whether consecutiveFailures reached the threshold.
// A rule with no threshold never disables.
func (r WebhookDisableRule) ShouldDisable(consecutiveFailures int) bool {
	return r.After > 0 && consecutiveFailures >= r.After
}

// RecordAttemptOutcome counts one finished attempt: a success clears the
// failure run; a failure extends it and, when the rule says so, disables an
// active subscription (version advanced, DisableTime set). It reports
// whether this attempt disabled it.
func (s *WebhookSubscription) RecordAttemptOutcome(succeeded bool, rule WebhookDisableRule, now time.Time) (disabled bool) {
	if succeeded {
		s.ConsecutiveFailures = 0
		return false
	}
	s.ConsecutiveFailures++
	if s.State != WebhookSubscriptionActive || !rule.ShouldDisable(s.ConsecutiveFailures) {
		return false
	}
	s.State = WebhookSubscriptionDisabled
	t := now
	s.DisableTime = &t
	s.UpdateTime = now
	s.Version++
	return true
}

// Field violation descriptions of the event types.
const (
	WebhookEventTypesRequired  = "must list at least one event type"
	WebhookEventTypesTooMany   = "must list at most 50 event types"
	WebhookEventTypeMalformed  = `must be an event type such as "company.location.created.v1" or a prefix such as "company.*"`
	WebhookEventTypeRepeated   = "repeats an earlier event type"
	webhookEventTypesField     = "eventTypes"
	webhookEventTypeFieldIndex = "eventTypes[%d]"
)

// checkWebhookEventTypes requires one to MaxWebhookEventTypes distinct,
// well-formed patterns. An empty list is refused although MatchAnyEventType
// reads it as "everything": a partner must say what it wants, so a new kind
// of event (perhaps carrying PHI) never reaches it unasked.
func checkWebhookEventTypes(types []string) error {
	var v errs.Violations
	switch {
	case len(types) == 0:
		v.Add(webhookEventTypesField, WebhookEventTypesRequired)
		return v.Err()
	case len(types) > MaxWebhookEventTypes:
		v.Add(webhookEventTypesField, WebhookEventTypesTooMany)
		return v.Err()
	}
	for i, t := range types {
		switch {
		case !ValidEventTypePattern(t):
			v.Add(fmt.Sprintf(webhookEventTypeFieldIndex, i), WebhookEventTypeMalformed)
		case slices.Contains(types[:i], t):
			v.Add(fmt.Sprintf(webhookEventTypeFieldIndex, i), WebhookEventTypeRepeated)
		}
	}
	return v.Err()
}
