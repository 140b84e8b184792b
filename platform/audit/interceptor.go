package audit

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	middleware "github.com/grpc-ecosystem/go-grpc-middleware/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ariesone/ariesone/platform/clientip"
	"github.com/ariesone/ariesone/platform/grpcerr"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/requestid"
)

// Skip reports methods that are not audited (health checks and reflection,
// which carry no business meaning and would drown the trail).
type Skip func(fullMethod string) bool

// Durable reports the methods whose successful answer discloses protected
// health information: the record of such an answer must be durable before
// the answer leaves.
type Durable func(fullMethod string) bool

// Option configures an interceptor.
type Option func(*options)

type options struct {
	durable Durable
}

// DurableWhen makes the unary interceptor hold the successful answer of
// every method durable reports until the sink, when it is a Committer, has
// made the call's record durable. When the sink cannot, the caller gets
// UNAVAILABLE instead of the answer: no PHI leaves without its record.
func DurableWhen(durable Durable) Option {
	return func(o *options) { o.durable = durable }
}

// UnaryServerInterceptor writes one record per call to sink. It must wrap
// authentication so that denied calls are recorded with whatever identity was
// established before the denial.
func UnaryServerInterceptor(sink Sink, skip Skip, opts ...Option) grpc.UnaryServerInterceptor {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	committer, _ := sink.(Committer)
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		if skip != nil && skip(info.FullMethod) {
			return handler(ctx, req)
		}
		var commit Committer
		if committer != nil && o.durable != nil && o.durable(info.FullMethod) {
			commit = committer
		}
		ctx, finish := begin(ctx, sink, commit, info.FullMethod, req)
		defer finish(&err, &resp)
		return handler(ctx, req)
	}
}

// errNotAudited is what a caller gets instead of a PHI answer whose record
// could not be made durable.
var errNotAudited = status.Error(codes.Unavailable,
	"the answer was withheld because its audit record could not be written; retry the call")

// Resource names of a stream's two records: a stream that the service
// accepted is recorded when it opens ({"stream": "opened"}, outcome OK),
// since a disclosure that lasts hours must not wait for its end to be
// known, and again when it ends ({"stream": "ended"} with the outcome). A
// stream refused before it opened has one record, like any refused call.
const (
	StreamResource = "stream"
	StreamOpened   = "opened"
	StreamEnded    = "ended"
)

// StreamServerInterceptor records a stream when the service accepts it (its
// first header or message) and when it ends.
func StreamServerInterceptor(sink Sink, skip Skip) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		if skip != nil && skip(info.FullMethod) {
			return handler(srv, ss)
		}
		ctx, slot := identity.WithSlot(ss.Context())
		ctx, noted := withNotedResources(ctx)
		start := time.Now()
		opened := &openingStream{WrappedServerStream: middleware.WrapServerStream(ss)}
		opened.WrappedContext = ctx
		opened.open = func() {
			r := build(ctx, slot, noted, info.FullMethod, start, codes.OK, nil, nil)
			r.Resources = withPhase(r.Resources, StreamOpened)
			r.Duration = 0
			sink.Write(ctx, r)
		}
		defer func() {
			code := codes.Internal
			p := recover()
			if p == nil {
				code = grpcerr.ToStatus(err).Code()
			}
			r := build(ctx, slot, noted, info.FullMethod, start, code, nil, nil)
			if opened.wasOpened() {
				r.Resources = withPhase(r.Resources, StreamEnded)
			}
			sink.Write(ctx, r)
			if p != nil {
				panic(p)
			}
		}()
		return handler(srv, opened)
	}
}

func withPhase(resources map[string]string, phase string) map[string]string {
	if resources == nil {
		resources = map[string]string{}
	}
	resources[StreamResource] = phase
	return resources
}

// openingStream writes the opening record before the stream's first
// header or message leaves.
type openingStream struct {
	*middleware.WrappedServerStream
	once sync.Once
	open func()
	done bool
	mu   sync.Mutex
}

func (s *openingStream) opening() {
	s.once.Do(func() {
		s.open()
		s.mu.Lock()
		s.done = true
		s.mu.Unlock()
	})
}

func (s *openingStream) wasOpened() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done
}

func (s *openingStream) SendHeader(md metadata.MD) error {
	s.opening()
	return s.WrappedServerStream.SendHeader(md)
}

func (s *openingStream) SendMsg(m any) error {
	s.opening()
	return s.WrappedServerStream.SendMsg(m)
}

// begin opens the record of one call. The returned finish must be deferred
// directly (so its recover sees a panic): it writes the record with the
// call's outcome read through the pointers, and when the call is panicking
// it records INTERNAL and lets the panic continue to the recovery
// interceptor.
//
// A sink that can write inside the call's own transaction (TxBinder) gets
// the chance here, before the handler runs: the record it writes at commit
// says OK, since the call's change committed, unless the call announced a
// refusal that commits (NoteOutcome).
//
// With commit set (a method that discloses PHI) a successful answer is held
// until commit has made its record durable, and replaced by UNAVAILABLE when
// it cannot; other outcomes disclose nothing and are written as usual.
func begin(ctx context.Context, sink Sink, commit Committer, method string, req any) (context.Context, func(err *error, resp *any)) {
	ctx, slot := identity.WithSlot(ctx)
	ctx, noted := withNotedResources(ctx)
	start := time.Now()
	if binder, ok := sink.(TxBinder); ok {
		ctx = binder.Bind(ctx, func() Record {
			return build(ctx, slot, noted, method, start, noted.committedOutcome(), req, nil)
		})
	}
	return ctx, func(err *error, resp *any) {
		if p := recover(); p != nil {
			sink.Write(ctx, build(ctx, slot, noted, method, start, codes.Internal, req, nil))
			panic(p)
		}
		var response any
		if resp != nil {
			response = *resp
		}
		code := grpcerr.ToStatus(*err).Code()
		r := build(ctx, slot, noted, method, start, code, req, response)
		if commit == nil || code != codes.OK {
			sink.Write(ctx, r)
			return
		}
		if cerr := commit.Commit(ctx, r); cerr != nil {
			*resp, *err = nil, errNotAudited
		}
	}
}

func build(ctx context.Context, slot *identity.Slot, noted *notedResources, method string, start time.Time, code codes.Code, req, resp any) Record {
	r := Record{
		Time:      start,
		RequestID: requestid.FromContext(ctx),
		Method:    method,
		Code:      codeName(code),
		Duration:  time.Since(start),
	}
	if p, ok := slot.Principal(); ok {
		r.Actor, r.ActorKind, r.CompanyID = p.Subject, string(p.Kind), p.CompanyID
	}
	if ip := clientip.FromContext(ctx); ip != "" {
		r.ClientAddr = ip
	} else if pr, ok := peer.FromContext(ctx); ok && pr.Addr != nil {
		r.ClientAddr = pr.Addr.String()
	}
	r.Resources = resourceIDs(req, resp)
	r.Resources = noted.mergeInto(r.Resources)
	return r
}

// codeName renders a code the way google.rpc.Code names it: "NOT_FOUND".
func codeName(c codes.Code) string {
	switch c {
	case codes.OK:
		return "OK"
	case codes.Canceled:
		return "CANCELLED"
	}
	s := c.String()
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && ch >= 'A' && ch <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(ch)
	}
	return strings.ToUpper(b.String())
}

// resourceIDs collects the top-level identifier fields of the request and the
// response: string fields named "id" or ending in "_id" (but not
// "request_id", which is an idempotency key, not a resource) whose value is
// a UUID, the form of every resource id. Only ids are recorded, never other
// values, so no PHI can reach the trail this way: an identifier that is PHI
// and happens to be named like an id (a patient's medicaid_id, a policy's
// member_id) is not a UUID and stays out.
func resourceIDs(msgs ...any) map[string]string {
	var out map[string]string
	for _, m := range msgs {
		pm, ok := m.(proto.Message)
		if !ok || pm == nil {
			continue
		}
		r := pm.ProtoReflect()
		if !r.IsValid() {
			continue
		}
		r.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			if fd.Kind() != protoreflect.StringKind || fd.IsList() || fd.IsMap() {
				return true
			}
			name := string(fd.Name())
			if name != "id" && (!strings.HasSuffix(name, "_id") || name == "request_id") {
				return true
			}
			if !isUUID(v.String()) {
				return true
			}
			if out == nil {
				out = make(map[string]string)
			}
			if _, seen := out[name]; !seen {
				out[name] = v.String()
			}
			return true
		})
	}
	return out
}

// isUUID reports whether s is a UUID in canonical form.
func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
