package grpcapi

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	notifyv1 "github.com/ariesone/ariesone/gen/go/ariesone/notify/v1"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/notify/internal/app"
)

// ReasonFeatureDisabled is the ErrorInfo reason of WatchEvents while
// FEATURE_REAL_TIME_UPDATES is off.
const ReasonFeatureDisabled = "FEATURE_DISABLED"

// EventServer implements EventService: the tenant's event log and the live
// stream.
type EventServer struct {
	notifyv1.UnimplementedEventServiceServer
	app             *app.Application
	realTimeUpdates bool
}

// NewEventServer returns the EventService handlers; realTimeUpdates turns
// WatchEvents on.
func NewEventServer(a *app.Application, realTimeUpdates bool) *EventServer {
	return &EventServer{app: a, realTimeUpdates: realTimeUpdates}
}

// ListEvents returns one page of the tenant's events, newest first.
func (s *EventServer) ListEvents(ctx context.Context, req *notifyv1.ListEventsRequest) (*notifyv1.ListEventsResponse, error) {
	p, err := s.app.Events.List(ctx, app.ListEvents{PageSize: req.GetPageSize(), PageToken: req.GetPageToken(), Types: req.GetTypes()})
	if err != nil {
		return nil, err
	}
	resp := &notifyv1.ListEventsResponse{NextPageToken: p.NextPageToken, Events: make([]*notifyv1.Event, len(p.Items))}
	for i, e := range p.Items {
		resp.Events[i] = eventToProto(*e)
	}
	return resp, nil
}

// WatchEvents streams the tenant's events the caller may see (after
// replaying those since resume_after) until the client hangs up, its token
// expires or is revoked (UNAUTHENTICATED), the watcher falls behind
// (RESOURCE_EXHAUSTED: reconnect), or the service stops (UNAVAILABLE).
func (s *EventServer) WatchEvents(req *notifyv1.WatchEventsRequest, stream grpc.ServerStreamingServer[notifyv1.Event]) error {
	if !s.realTimeUpdates {
		return errs.FailedPrecondition(ReasonFeatureDisabled, "live events are turned off; the operator enables them with FEATURE_REAL_TIME_UPDATES")
	}
	ctx := stream.Context()
	events, err := s.app.Events.Watch(ctx, app.WatchEvents{Types: req.GetTypes(), ResumeAfter: req.GetResumeAfter()})
	if err != nil {
		return err
	}
	defer events.Close()
	// Headers go out once the watcher is registered: a client that has
	// them knows every event from then on reaches it.
	if err := stream.SendHeader(metadata.MD{}); err != nil {
		return err
	}
	for {
		e, err := events.Next(ctx)
		if err != nil {
			return err
		}
		if err := stream.Send(eventToProto(e)); err != nil {
			return err
		}
	}
}
