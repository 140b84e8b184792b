package grpcapi

import (
	"context"

	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/services/notify/internal/app"
)

// NotificationServer implements NotificationService: each user's inbox and
// the tenant's rules.
type NotificationServer struct {
	notifyv1.UnimplementedNotificationServiceServer
	app *app.Application
}

// NewNotificationServer returns the NotificationService handlers.
func NewNotificationServer(a *app.Application) *NotificationServer {
	return &NotificationServer{app: a}
}

// ListNotifications returns one page of the caller's own notifications.
func (s *NotificationServer) ListNotifications(ctx context.Context, req *notifyv1.ListNotificationsRequest) (*notifyv1.ListNotificationsResponse, error) {
	p, err := s.app.Notifications.List(ctx, app.ListNotifications{
		PageSize:   req.GetPageSize(),
		PageToken:  req.GetPageToken(),
		UnreadOnly: req.GetUnreadOnly(),
	})
	if err != nil {
		return nil, err
	}
	resp := &notifyv1.ListNotificationsResponse{
		NextPageToken: p.NextPageToken,
		UnreadCount:   p.UnreadCount,
		Notifications: make([]*notifyv1.Notification, len(p.Items)),
	}
	for i, n := range p.Items {
		resp.Notifications[i] = notificationToProto(n)
	}
	return resp, nil
}

// MarkNotificationRead marks one of the caller's notifications read.
func (s *NotificationServer) MarkNotificationRead(ctx context.Context, req *notifyv1.MarkNotificationReadRequest) (*notifyv1.Notification, error) {
	n, err := s.app.Notifications.MarkRead(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return notificationToProto(n), nil
}

// CreateNotificationRule adds a rule; id and create_time in the request
// are ignored.
func (s *NotificationServer) CreateNotificationRule(ctx context.Context, req *notifyv1.CreateNotificationRuleRequest) (*notifyv1.NotificationRule, error) {
	r, err := s.app.NotificationRules.Create(ctx, app.CreateNotificationRule{
		Values:    notificationRuleValues(req.GetNotificationRule()),
		RequestID: req.GetRequestId(),
	})
	if err != nil {
		return nil, err
	}
	return notificationRuleToProto(r), nil
}

// GetNotificationRule returns one rule.
func (s *NotificationServer) GetNotificationRule(ctx context.Context, req *notifyv1.GetNotificationRuleRequest) (*notifyv1.NotificationRule, error) {
	r, err := s.app.NotificationRules.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return notificationRuleToProto(r), nil
}

// ListNotificationRules returns one page of the tenant's rules, oldest
// first.
func (s *NotificationServer) ListNotificationRules(ctx context.Context, req *notifyv1.ListNotificationRulesRequest) (*notifyv1.ListNotificationRulesResponse, error) {
	p, err := s.app.NotificationRules.List(ctx, app.ListNotificationRules{PageSize: req.GetPageSize(), PageToken: req.GetPageToken()})
	if err != nil {
		return nil, err
	}
	resp := &notifyv1.ListNotificationRulesResponse{NextPageToken: p.NextPageToken, NotificationRules: make([]*notifyv1.NotificationRule, len(p.Items))}
	for i, r := range p.Items {
		resp.NotificationRules[i] = notificationRuleToProto(r)
	}
	return resp, nil
}

// DeleteNotificationRule removes a rule.
func (s *NotificationServer) DeleteNotificationRule(ctx context.Context, req *notifyv1.DeleteNotificationRuleRequest) (*notifyv1.DeleteNotificationRuleResponse, error) {
	if err := s.app.NotificationRules.Delete(ctx, req.GetId()); err != nil {
		return nil, err
	}
	return &notifyv1.DeleteNotificationRuleResponse{}, nil
}
