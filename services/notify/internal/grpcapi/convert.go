package grpcapi

import (
	"encoding/hex"
	"time"

	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// anyTypeURLPrefix makes a payload's type URL from its full proto name, as
// anypb does, so clients unpack payloads with their own registries.
const anyTypeURLPrefix = "type.googleapis.com/"

func auditRecordToProto(r *domain.AuditRecord) *notifyv1.AuditRecord {
	return &notifyv1.AuditRecord{
		Id:           r.ID,
		Sequence:     r.Sequence,
		Service:      r.Service,
		Method:       r.Method,
		ActorId:      r.ActorID,
		ActorKind:    r.ActorKind,
		Resources:    r.Resources,
		Code:         r.Code,
		ClientAddr:   r.ClientAddr,
		RequestId:    r.RequestID,
		CallTime:     timestamppb.New(r.CallTime),
		Duration:     durationpb.New(r.Duration),
		RecordTime:   timestamppb.New(r.RecordTime),
		PreviousHash: hex.EncodeToString(r.PreviousHash),
		Hash:         hex.EncodeToString(r.Hash),
	}
}

// eventToProto carries the payload as received: an Any whose type URL
// names the payload's message.
func eventToProto(e domain.Event) *notifyv1.Event {
	return &notifyv1.Event{
		Id:        e.ID,
		Type:      e.Type,
		CompanyId: e.CompanyID,
		Source:    e.Source,
		OccurTime: timestamppb.New(e.OccurTime),
		Payload:   &anypb.Any{TypeUrl: anyTypeURLPrefix + e.PayloadType, Value: e.Payload},
	}
}

func notificationToProto(n *domain.Notification) *notifyv1.Notification {
	return &notifyv1.Notification{
		Id:         n.ID,
		UserId:     n.UserID,
		RuleId:     n.RuleID,
		EventId:    n.EventID,
		EventType:  n.EventType,
		Title:      n.Title,
		ResourceId: n.ResourceID,
		CreateTime: timestamppb.New(n.CreateTime),
		ReadTime:   timestampIfSet(n.ReadTime),
	}
}

func timestampIfSet(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return timestamppb.New(*t)
}

func notificationRuleValues(r *notifyv1.NotificationRule) domain.NotificationRuleValues {
	return domain.NotificationRuleValues{
		EventType:       r.GetEventType(),
		Title:           r.GetTitle(),
		RecipientRole:   r.GetRecipientRole(),
		AtEventLocation: r.GetAtEventLocation(),
	}
}

func notificationRuleToProto(r *domain.NotificationRule) *notifyv1.NotificationRule {
	return &notifyv1.NotificationRule{
		Id:              r.ID,
		EventType:       r.EventType,
		Title:           r.Title,
		RecipientRole:   r.RecipientRole,
		AtEventLocation: r.AtEventLocation,
		CreateTime:      timestamppb.New(r.CreateTime),
	}
}
