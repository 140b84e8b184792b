package grpcapi

import (
	"context"

	"google.golang.org/grpc"

	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/services/notify/internal/app"
)

// RegisterWebhooks registers WebhookService on s, backed by a's
// WebhookSubscriptions and WebhookDeliveries. Handlers
// return the application's errors unchanged; the server's interceptor chain
// maps them to status codes (platform/grpcerr).
func RegisterWebhooks(s grpc.ServiceRegistrar, a *app.Application) {
	notifyv1.RegisterWebhookServiceServer(s, &WebhookServer{app: a})
}

// WebhookServer implements WebhookService: partners' subscriptions to the
// tenant's events and the log of their deliveries.
type WebhookServer struct {
	notifyv1.UnimplementedWebhookServiceServer
	app *app.Application
}

// CreateWebhookSubscription registers a URL and returns the signing secret,
// this once (and again to a retry with the same request_id). Output-only
// fields in the request are ignored.
func (s *WebhookServer) CreateWebhookSubscription(ctx context.Context, req *notifyv1.CreateWebhookSubscriptionRequest) (*notifyv1.CreateWebhookSubscriptionResponse, error) {
	created, err := s.app.WebhookSubscriptions.Create(ctx, app.CreateWebhookSubscription{
		Values:    webhookValues(req.GetWebhookSubscription()),
		RequestID: req.GetRequestId(),
	})
	if err != nil {
		return nil, err
	}
	return &notifyv1.CreateWebhookSubscriptionResponse{
		WebhookSubscription: webhookSubscriptionToProto(created.Subscription),
		Secret:              created.Secret,
	}, nil
}

// GetWebhookSubscription returns one subscription, without its secret.
func (s *WebhookServer) GetWebhookSubscription(ctx context.Context, req *notifyv1.GetWebhookSubscriptionRequest) (*notifyv1.WebhookSubscription, error) {
	sub, err := s.app.WebhookSubscriptions.Get(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return webhookSubscriptionToProto(sub), nil
}

// ListWebhookSubscriptions returns a page of subscriptions, oldest first.
func (s *WebhookServer) ListWebhookSubscriptions(ctx context.Context, req *notifyv1.ListWebhookSubscriptionsRequest) (*notifyv1.ListWebhookSubscriptionsResponse, error) {
	p, err := s.app.WebhookSubscriptions.List(ctx, app.ListWebhookSubscriptions{
		PageSize:  req.GetPageSize(),
		PageToken: req.GetPageToken(),
	})
	if err != nil {
		return nil, err
	}
	resp := &notifyv1.ListWebhookSubscriptionsResponse{
		WebhookSubscriptions: make([]*notifyv1.WebhookSubscription, len(p.Items)),
		NextPageToken:        p.NextPageToken,
	}
	for i, sub := range p.Items {
		resp.WebhookSubscriptions[i] = webhookSubscriptionToProto(sub)
	}
	return resp, nil
}

// UpdateWebhookSubscription changes the URL or the event types, as the
// update mask says (empty: both).
func (s *WebhookServer) UpdateWebhookSubscription(ctx context.Context, req *notifyv1.UpdateWebhookSubscriptionRequest) (*notifyv1.WebhookSubscription, error) {
	fields, err := resolveWebhookMask(req.GetUpdateMask())
	if err != nil {
		return nil, err
	}
	sub, err := s.app.WebhookSubscriptions.Update(ctx, app.UpdateWebhookSubscription{
		ID:     req.GetWebhookSubscription().GetId(),
		Etag:   req.GetWebhookSubscription().GetEtag(),
		Fields: fields,
		Values: webhookValues(req.GetWebhookSubscription()),
	})
	if err != nil {
		return nil, err
	}
	return webhookSubscriptionToProto(sub), nil
}

// DeleteWebhookSubscription removes a subscription and its delivery log.
func (s *WebhookServer) DeleteWebhookSubscription(ctx context.Context, req *notifyv1.DeleteWebhookSubscriptionRequest) (*notifyv1.DeleteWebhookSubscriptionResponse, error) {
	err := s.app.WebhookSubscriptions.Delete(ctx, app.DeleteWebhookSubscription{ID: req.GetId(), Etag: req.GetEtag()})
	if err != nil {
		return nil, err
	}
	return &notifyv1.DeleteWebhookSubscriptionResponse{}, nil
}

// EnableWebhookSubscription re-enables a disabled subscription.
func (s *WebhookServer) EnableWebhookSubscription(ctx context.Context, req *notifyv1.EnableWebhookSubscriptionRequest) (*notifyv1.WebhookSubscription, error) {
	sub, err := s.app.WebhookSubscriptions.Enable(ctx, app.EnableWebhookSubscription{ID: req.GetId(), Etag: req.GetEtag()})
	if err != nil {
		return nil, err
	}
	return webhookSubscriptionToProto(sub), nil
}

// ListWebhookDeliveries returns a page of a subscription's deliveries,
// newest first, each with its attempts.
func (s *WebhookServer) ListWebhookDeliveries(ctx context.Context, req *notifyv1.ListWebhookDeliveriesRequest) (*notifyv1.ListWebhookDeliveriesResponse, error) {
	p, err := s.app.WebhookDeliveries.List(ctx, app.ListWebhookDeliveries{
		SubscriptionID: req.GetSubscriptionId(),
		PageSize:       req.GetPageSize(),
		PageToken:      req.GetPageToken(),
	})
	if err != nil {
		return nil, err
	}
	resp := &notifyv1.ListWebhookDeliveriesResponse{
		WebhookDeliveries: make([]*notifyv1.WebhookDelivery, len(p.Items)),
		NextPageToken:     p.NextPageToken,
	}
	for i, d := range p.Items {
		resp.WebhookDeliveries[i] = webhookDeliveryToProto(d)
	}
	return resp, nil
}
