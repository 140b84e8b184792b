package server

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/ariesone/ariesone/platform/usecase"
)

// HeaderReplayed is the response metadata a create sets when it answered a
// repeated idempotency key with what the first request created. The REST
// edge passes it on as Idempotent-Replayed; FHIR's conditional create
// answers 200 instead of 201 for it.
const HeaderReplayed = "idempotent-replayed"

// replayHeader gives each unary call a replay note (usecase.WithReplayNote)
// and, when the call replayed a create, sets HeaderReplayed on its answer.
func replayHeader(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	ctx, replayed := usecase.WithReplayNote(ctx)
	resp, err := handler(ctx, req)
	if err == nil && replayed() {
		_ = grpc.SetHeader(ctx, metadata.Pairs(HeaderReplayed, "true"))
	}
	return resp, err
}
