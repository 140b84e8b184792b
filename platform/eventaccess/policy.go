// Package eventaccess decides which domain events a subscriber may see, and
// what of them. Each event message declares, in its proto, the permission
// needed to see it (ariesone.auth.v1.event) and, per field, who sees that
// field (ariesone.auth.v1.event_field): cleared, masked like the API masks
// PHI, or withheld from everyone. The live stream, webhook deliveries and
// the event log all ask this package, with the subscriber's current roles,
// so the three channels can never disagree about who sees what.
//
// It fails closed: a payload type this build does not know, a message
// without a rule, or bytes that do not decode as their declared type are
// delivered to nobody.
package eventaccess

import (
	"slices"
	"sort"
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	authv1 "github.com/ariesone/ariesone/gen/go/ariesone/auth/v1"
	"github.com/ariesone/ariesone/platform/auth"
)

// Policy holds the visibility rules of every event message in a registry.
// It is built once at start and is safe for concurrent use.
type Policy struct {
	types  protoregistry.MessageTypeResolver
	events map[protoreflect.FullName]*eventRule
	// fields caches the field rules of every message type met while
	// redacting, nested ones included, by full name.
	fields sync.Map // protoreflect.FullName -> *messageFields
}

// eventRule is what one event message declares.
type eventRule struct {
	permission string
	// fields are the message's field rules, at any depth.
	fields *messageFields
	// fieldPermissions are the distinct permissions its field rules name,
	// sorted: a subscriber's grants of them select one view of the event.
	fieldPermissions []string
}

// NewPolicy reads the rules of every message with an event rule in files;
// types resolves payload type names to messages (protoregistry.GlobalTypes
// with the API packages linked in).
func NewPolicy(files *protoregistry.Files, types protoregistry.MessageTypeResolver) *Policy {
	p := &Policy{types: types, events: map[protoreflect.FullName]*eventRule{}}
	files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		msgs := fd.Messages()
		for i := range msgs.Len() {
			md := msgs.Get(i)
			rule, ok := EventRuleOf(md)
			if !ok {
				continue
			}
			fields := p.fieldsOf(md)
			p.events[md.FullName()] = &eventRule{
				permission:       rule.GetPermission(),
				fields:           fields,
				fieldPermissions: p.permissionsOf(fields),
			}
		}
		return true
	})
	return p
}

// EventRuleOf returns the event rule md declares; ok is false when it
// declares none, or one without a permission (which grants nothing).
func EventRuleOf(md protoreflect.MessageDescriptor) (*authv1.EventRule, bool) {
	opts := md.Options()
	if opts == nil || !proto.HasExtension(opts, authv1.E_Event) {
		return nil, false
	}
	r, _ := proto.GetExtension(opts, authv1.E_Event).(*authv1.EventRule)
	return r, r != nil && r.GetPermission() != ""
}

// VisibleTypes lists, sorted, the payload types of the events roles may
// see, for a listing that filters in the database.
func (p *Policy) VisibleTypes(roles []string) []string {
	var out []string
	for name, r := range p.events {
		if auth.Permits(roles, r.permission) {
			out = append(out, string(name))
		}
	}
	sort.Strings(out)
	return out
}

// Prepare wraps one event's payload so that its views for many subscribers
// cost one decode and one redaction per distinct view, not per subscriber.
func (p *Policy) Prepare(payloadType string, payload []byte) *Event {
	return &Event{policy: p, rule: p.events[protoreflect.FullName(payloadType)], payloadType: payloadType, payload: payload}
}

// Event is one event's payload being shown to subscribers. It is not safe
// for concurrent use: one goroutine fans an event out.
type Event struct {
	policy      *Policy
	rule        *eventRule
	payloadType string
	payload     []byte

	decoded bool
	msg     proto.Message // nil when the payload does not decode
	views   map[uint64][]byte
}

// For returns the payload as a subscriber holding roles may see it, and
// false when it may not see the event at all. The bytes are the original
// payload when nothing in it is restricted for roles, and a re-encoded,
// redacted copy otherwise.
func (e *Event) For(roles []string) ([]byte, bool) {
	if e.rule == nil || !auth.Permits(roles, e.rule.permission) {
		return nil, false
	}
	if e.rule.fields.empty() {
		return e.payload, true
	}
	var grants uint64
	for i, perm := range e.rule.fieldPermissions {
		if i < 64 && auth.Permits(roles, perm) {
			grants |= 1 << i
		}
	}
	if view, ok := e.views[grants]; ok {
		return view, view != nil
	}
	view := e.redacted(func(perm string) bool {
		i, ok := slices.BinarySearch(e.rule.fieldPermissions, perm)
		return ok && i < 64 && grants&(1<<i) != 0
	})
	if e.views == nil {
		e.views = map[uint64][]byte{}
	}
	e.views[grants] = view
	return view, view != nil
}

// redacted returns the payload with the rules applied for granted, or nil
// when it cannot be decoded or encoded (the event is then shown to nobody).
func (e *Event) redacted(granted func(string) bool) []byte {
	if !e.decoded {
		e.decoded = true
		e.msg = e.policy.decode(e.payloadType, e.payload)
	}
	if e.msg == nil {
		return nil
	}
	m := proto.Clone(e.msg)
	e.policy.redact(m.ProtoReflect(), granted)
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return nil
	}
	if b == nil {
		b = []byte{} // an empty message is a payload, not "not visible"
	}
	return b
}

func (p *Policy) decode(payloadType string, payload []byte) proto.Message {
	mt, err := p.types.FindMessageByName(protoreflect.FullName(payloadType))
	if err != nil {
		return nil
	}
	msg := mt.New().Interface()
	if err := proto.Unmarshal(payload, msg); err != nil {
		return nil
	}
	return msg
}
