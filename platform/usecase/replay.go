package usecase

import (
	"context"
	"sync/atomic"
)

// Replays. A create repeated with its idempotency key answers with what the
// first request created, and the caller's client may need to know which
// happened: FHIR's conditional create answers 200 for a match and 201 for a
// creation, and a partner reconciling its retries wants the same. The
// transport puts a note in the context (WithReplayNote), Create marks it
// when the store replays, and the transport reads it after the call (the
// gRPC server turns it into a response header).

type replayKey struct{}

// WithReplayNote returns ctx carrying a note that Create marks when it
// answers with a replay, and the function that reads it.
func WithReplayNote(ctx context.Context) (context.Context, func() bool) {
	note := new(atomic.Bool)
	return context.WithValue(ctx, replayKey{}, note), note.Load
}

// NoteReplay marks ctx's note, if it carries one: Create calls it, and so
// does a create that keeps its own idempotency store.
func NoteReplay(ctx context.Context) {
	if note, ok := ctx.Value(replayKey{}).(*atomic.Bool); ok {
		note.Store(true)
	}
}
