package grpcapi

import (
	"google.golang.org/grpc"

	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/services/notify/internal/app"
)

// Register adds AuditService, NotificationService and EventService to s.
// realTimeUpdates is FEATURE_REAL_TIME_UPDATES: off, WatchEvents answers
// FAILED_PRECONDITION. WebhookService registers on its own
// (RegisterWebhooks).
func Register(s grpc.ServiceRegistrar, a *app.Application, realTimeUpdates bool) {
	notifyv1.RegisterAuditServiceServer(s, NewAuditServer(a))
	notifyv1.RegisterNotificationServiceServer(s, NewNotificationServer(a))
	notifyv1.RegisterEventServiceServer(s, NewEventServer(a, realTimeUpdates))
}
