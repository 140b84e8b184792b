package audit

import (
	"context"
	"sync"

	"google.golang.org/grpc/codes"

	"github.com/ariesone/ariesone/platform/grpcerr"
)

// A call's record names resources by the id fields of its request and
// response. A record written inside the call's transaction is built before
// the response exists, so the id of a resource the call creates would be
// missing; NoteResource lets the code that knows it (the event recorder,
// which names the resource of every event) add it.

type notedKey struct{}

// notedResources holds the ids noted during one call, and the outcome
// the call announced before its change committed.
type notedResources struct {
	mu      sync.Mutex
	ids     map[string]string
	outcome codes.Code
	failed  bool
}

func withNotedResources(ctx context.Context) (context.Context, *notedResources) {
	n := &notedResources{}
	return context.WithValue(ctx, notedKey{}, n), n
}

// NoteResource adds name=id to the audit record of the call ctx belongs to,
// unless the record already names that field. Outside an audited call it
// does nothing. Only ids belong here, never other values.
func NoteResource(ctx context.Context, name, id string) {
	n, ok := ctx.Value(notedKey{}).(*notedResources)
	if !ok || name == "" || id == "" {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ids == nil {
		n.ids = make(map[string]string)
	}
	if _, seen := n.ids[name]; !seen {
		n.ids[name] = id
	}
}

// NoteOutcome tells the audit record written in the call's transaction that
// the call will end with err although its change commits: a refused
// sign-in commits its failure count, a reused refresh token commits the
// session's revocation, and their records must say UNAUTHENTICATED, not
// OK. Outside an audited call, or with a nil err, it does nothing.
func NoteOutcome(ctx context.Context, err error) {
	n, ok := ctx.Value(notedKey{}).(*notedResources)
	if !ok || err == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.outcome, n.failed = grpcerr.ToStatus(err).Code(), true
}

// committedOutcome is the code of a record written at commit: OK unless
// the call announced otherwise.
func (n *notedResources) committedOutcome() codes.Code {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.failed {
		return n.outcome
	}
	return codes.OK
}

// mergeInto adds the noted ids to resources where the request and response
// did not name the field, returning the (possibly new) map.
func (n *notedResources) mergeInto(resources map[string]string) map[string]string {
	n.mu.Lock()
	defer n.mu.Unlock()
	for name, id := range n.ids {
		if _, ok := resources[name]; ok {
			continue
		}
		if resources == nil {
			resources = make(map[string]string)
		}
		resources[name] = id
	}
	return resources
}
