package eventaccess

import (
	"sort"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	authv1 "github.com/ariesone/ariesone/gen/go/ariesone/auth/v1"
	"github.com/ariesone/ariesone/platform/keyring"
)

// messageFields are the field rules of one message type: its own fields'
// rules, and the message-typed fields whose types have rules further down.
type messageFields struct {
	rules  map[protoreflect.FieldNumber]*authv1.EventFieldRule
	nested []protoreflect.FieldDescriptor
}

func (f *messageFields) empty() bool { return f == nil || (len(f.rules) == 0 && len(f.nested) == 0) }

// permissionsOf lists the distinct permissions f's rules name, at every
// depth, sorted.
func (p *Policy) permissionsOf(f *messageFields) []string {
	seen := map[string]bool{}
	p.collectPermissions(f, seen, map[*messageFields]bool{})
	out := make([]string, 0, len(seen))
	for perm := range seen {
		out = append(out, perm)
	}
	sort.Strings(out)
	return out
}

func (p *Policy) collectPermissions(f *messageFields, seen map[string]bool, visited map[*messageFields]bool) {
	if f == nil || visited[f] {
		return
	}
	visited[f] = true
	for _, r := range f.rules {
		if !r.GetWithheld() && r.GetPermission() != "" {
			seen[r.GetPermission()] = true
		}
	}
	for _, fd := range f.nested {
		p.collectPermissions(p.fieldsOf(messageOf(fd)), seen, visited)
	}
}

// fieldsOf returns (and caches) the field rules of md, following nested
// message types; a recursive type is visited once.
func (p *Policy) fieldsOf(md protoreflect.MessageDescriptor) *messageFields {
	return p.fieldsOfVisiting(md, map[protoreflect.FullName]bool{})
}

func (p *Policy) fieldsOfVisiting(md protoreflect.MessageDescriptor, visiting map[protoreflect.FullName]bool) *messageFields {
	if cached, ok := p.fields.Load(md.FullName()); ok {
		return cached.(*messageFields)
	}
	f := &messageFields{rules: map[protoreflect.FieldNumber]*authv1.EventFieldRule{}}
	if visiting[md.FullName()] {
		return f
	}
	visiting[md.FullName()] = true
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if r, ok := fieldRuleOf(fd); ok {
			f.rules[fd.Number()] = r
			continue
		}
		if inner := messageOf(fd); inner != nil && !p.fieldsOfVisiting(inner, visiting).empty() {
			f.nested = append(f.nested, fd)
		}
	}
	actual, _ := p.fields.LoadOrStore(md.FullName(), f)
	return actual.(*messageFields)
}

// messageOf returns the message type a field holds (a map's value type for
// a map), or nil for scalars.
func messageOf(fd protoreflect.FieldDescriptor) protoreflect.MessageDescriptor {
	if fd.IsMap() {
		fd = fd.MapValue()
	}
	if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		return fd.Message()
	}
	return nil
}

func fieldRuleOf(fd protoreflect.FieldDescriptor) (*authv1.EventFieldRule, bool) {
	opts := fd.Options()
	if opts == nil || !proto.HasExtension(opts, authv1.E_EventField) {
		return nil, false
	}
	r, _ := proto.GetExtension(opts, authv1.E_EventField).(*authv1.EventFieldRule)
	return r, r != nil
}

// redact applies m's field rules for a subscriber to whom granted says
// which permissions it holds.
func (p *Policy) redact(m protoreflect.Message, granted func(string) bool) {
	f := p.fieldsOf(m.Descriptor())
	if f.empty() {
		return
	}
	for num, r := range f.rules {
		fd := m.Descriptor().Fields().ByNumber(num)
		if fd == nil || !m.Has(fd) {
			continue
		}
		switch {
		case !r.GetWithheld() && r.GetPermission() != "" && granted(r.GetPermission()):
		case !r.GetWithheld() && r.GetMaskVisible() > 0 && fd.Kind() == protoreflect.StringKind && !fd.IsMap():
			mask(m, fd, int(r.GetMaskVisible()))
		default:
			m.Clear(fd)
		}
	}
	for _, fd := range f.nested {
		if !m.Has(fd) {
			continue
		}
		switch {
		case fd.IsMap():
			m.Get(fd).Map().Range(func(_ protoreflect.MapKey, v protoreflect.Value) bool {
				p.redact(v.Message(), granted)
				return true
			})
		case fd.IsList():
			list := m.Get(fd).List()
			for i := range list.Len() {
				p.redact(list.Get(i).Message(), granted)
			}
		default:
			p.redact(m.Mutable(fd).Message(), granted)
		}
	}
}

// mask replaces a string field's value (each value, for a list) with its
// masked form, "****" and the last visible characters.
func mask(m protoreflect.Message, fd protoreflect.FieldDescriptor, visible int) {
	if !fd.IsList() {
		m.Set(fd, protoreflect.ValueOfString(keyring.Mask(m.Get(fd).String(), visible)))
		return
	}
	list := m.Mutable(fd).List()
	for i := range list.Len() {
		list.Set(i, protoreflect.ValueOfString(keyring.Mask(list.Get(i).String(), visible)))
	}
}
