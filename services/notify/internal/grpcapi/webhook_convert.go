package grpcapi

import (
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/platform/etag"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

func webhookValues(s *notifyv1.WebhookSubscription) domain.WebhookSubscriptionValues {
	return domain.WebhookSubscriptionValues{URL: s.GetUrl(), EventTypes: slices.Clone(s.GetEventTypes())}
}

var webhookSubscriptionStates = map[domain.WebhookSubscriptionState]notifyv1.WebhookSubscriptionState{
	domain.WebhookSubscriptionActive:    notifyv1.WebhookSubscriptionState_WEBHOOK_SUBSCRIPTION_STATE_ACTIVE,
	domain.WebhookSubscriptionDisabled:  notifyv1.WebhookSubscriptionState_WEBHOOK_SUBSCRIPTION_STATE_DISABLED,
	domain.WebhookSubscriptionSuspended: notifyv1.WebhookSubscriptionState_WEBHOOK_SUBSCRIPTION_STATE_SUSPENDED,
}

var webhookDeliveryStates = map[domain.WebhookDeliveryState]notifyv1.WebhookDeliveryState{
	domain.WebhookDeliveryPending:   notifyv1.WebhookDeliveryState_WEBHOOK_DELIVERY_STATE_PENDING,
	domain.WebhookDeliverySucceeded: notifyv1.WebhookDeliveryState_WEBHOOK_DELIVERY_STATE_SUCCEEDED,
	domain.WebhookDeliveryFailed:    notifyv1.WebhookDeliveryState_WEBHOOK_DELIVERY_STATE_FAILED,
}

// webhookSubscriptionToProto renders a subscription; the secret is not
// part of it and never leaves through this path.
func webhookSubscriptionToProto(s *domain.WebhookSubscription) *notifyv1.WebhookSubscription {
	return &notifyv1.WebhookSubscription{
		Id:                  s.ID,
		Url:                 s.URL,
		EventTypes:          slices.Clone(s.EventTypes),
		State:               webhookSubscriptionStates[s.State],
		ConsecutiveFailures: int32(min(s.ConsecutiveFailures, 1<<31-1)),
		DisableTime:         optionalTimestamp(s.DisableTime),
		CreateTime:          timestamppb.New(s.CreateTime),
		UpdateTime:          timestamppb.New(s.UpdateTime),
		CreatorId:           s.CreatorID,
		SuspendReason:       s.SuspendReason,
		Etag:                etag.FromVersion(s.Version),
	}
}

func webhookDeliveryToProto(d *domain.WebhookDelivery) *notifyv1.WebhookDelivery {
	out := &notifyv1.WebhookDelivery{
		Id:              d.ID,
		SubscriptionId:  d.SubscriptionID,
		EventId:         d.EventID,
		EventType:       d.EventType,
		State:           webhookDeliveryStates[d.State],
		NextAttemptTime: optionalTimestamp(d.NextAttemptTime),
		CreateTime:      timestamppb.New(d.CreateTime),
		Attempts:        make([]*notifyv1.WebhookAttempt, len(d.AttemptLog)),
	}
	for i, a := range d.AttemptLog {
		out.Attempts[i] = &notifyv1.WebhookAttempt{
			Number:      int32(a.Number),
			AttemptTime: timestamppb.New(a.Time),
			HttpStatus:  int32(a.HTTPStatus),
			Error:       a.Error,
			Duration:    durationpb.New(a.Duration),
		}
	}
	return out
}

func optionalTimestamp(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return timestamppb.New(*t)
}
