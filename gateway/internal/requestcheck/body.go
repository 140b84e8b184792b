package requestcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
)

// Descriptions of what is wrong with a field. They are written for the
// partner reading the response, not for the developer of the gateway.
const (
	msgUnknownField = "unknown field; it is not part of this request"
	msgOutputOnly   = "is set by the server and cannot be sent in a request"
	msgDuplicate    = "is given more than once"
	msgNotObject    = "must be a JSON object"
	msgNotArray     = "must be a JSON array"
)

// syntaxError reports a body that is not one well-formed JSON value.
type syntaxError struct {
	offset int64
}

func (e *syntaxError) Error() string {
	if e.offset > 0 {
		return fmt.Sprintf("Malformed JSON body (syntax error near byte %d)", e.offset)
	}
	return "Malformed JSON body"
}

// bodyChecker walks a JSON document alongside the message it is meant to
// fill and lists every field that protojson would refuse, or that the
// gateway refuses on purpose, with its lowerCamelCase path.
type bodyChecker struct {
	out []httperr.Violation
}

func (c *bodyChecker) add(path, message string) {
	c.out = append(c.out, httperr.Violation{Field: path, Message: message})
}

// parseValue checks that data is exactly one JSON value.
func parseValue(data []byte) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, asSyntaxError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &syntaxError{offset: dec.InputOffset()}
	}
	return raw, nil
}

func asSyntaxError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &syntaxError{offset: se.Offset}
	}
	return &syntaxError{}
}

// member is one name/value pair of a JSON object, in document order.
type member struct {
	name  string
	value json.RawMessage
}

// members returns the pairs of a JSON object in order, or ok false when raw
// is not an object. raw is already known to be well-formed.
func members(raw json.RawMessage) (out []member, ok bool) {
	if firstByte(raw) != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, member{name: name, value: v})
	}
	return out, true
}

func elements(raw json.RawMessage) ([]json.RawMessage, bool) {
	if firstByte(raw) != '[' {
		return nil, false
	}
	var out []json.RawMessage
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, false
	}
	return out, true
}

func firstByte(raw json.RawMessage) byte {
	s := bytes.TrimSpace(raw)
	if len(s) == 0 {
		return 0
	}
	return s[0]
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// isEmpty reports whether raw carries no value a server could act on: null,
// "", 0, false, [] or {}. Such values of output-only fields are tolerated,
// since proto3 cannot tell them from an absent field anyway.
func isEmpty(raw json.RawMessage) bool {
	s := string(bytes.TrimSpace(raw))
	switch s {
	case "null", `""`, "false", "[]", "{}":
		return true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == 0 {
		return true
	}
	if m, ok := members(raw); ok && len(m) == 0 {
		return true
	}
	if e, ok := elements(raw); ok && len(e) == 0 {
		return true
	}
	return false
}

// message checks a JSON value meant to fill a message of type md.
func (c *bodyChecker) message(md protoreflect.MessageDescriptor, raw json.RawMessage, path string) {
	pairs, ok := members(raw)
	if !ok {
		c.add(path, msgNotObject)
		return
	}
	fields := md.Fields()
	seen := map[protoreflect.FieldNumber]bool{}
	oneofs := map[protoreflect.FullName]string{}
	for _, p := range pairs {
		fd := fields.ByJSONName(p.name)
		if fd == nil {
			fd = fields.ByTextName(p.name)
		}
		if fd == nil {
			c.add(join(path, p.name), msgUnknownField)
			continue
		}
		fieldPath := join(path, fd.JSONName())
		if seen[fd.Number()] {
			c.add(fieldPath, msgDuplicate)
			continue
		}
		seen[fd.Number()] = true
		if isNull(p.value) {
			continue
		}
		if outputOnly(fd) {
			if !isEmpty(p.value) {
				c.add(fieldPath, msgOutputOnly)
			}
			continue
		}
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
			if other, set := oneofs[od.FullName()]; set {
				c.add(fieldPath, "cannot be set together with "+other)
				continue
			}
			oneofs[od.FullName()] = fd.JSONName()
		}
		c.field(md, fd, p.name, p.value, fieldPath)
	}
}

// field checks the value of one field of a message of type parent; key is
// the name the client used for it.
func (c *bodyChecker) field(parent protoreflect.MessageDescriptor, fd protoreflect.FieldDescriptor, key string, raw json.RawMessage, path string) {
	switch {
	case fd.IsList():
		items, ok := elements(raw)
		if !ok {
			c.add(path, msgNotArray)
			return
		}
		for i, item := range items {
			itemPath := path + "[" + strconv.Itoa(i) + "]"
			if isStructured(fd) {
				c.message(fd.Message(), item, itemPath)
				continue
			}
			c.leaf(parent, fd, key, []byte("["+string(item)+"]"), itemPath)
		}
	case fd.IsMap():
		entries, ok := members(raw)
		if !ok {
			c.add(path, msgNotObject)
			return
		}
		for _, e := range entries {
			entryPath := path + "[" + strconv.Quote(e.name) + "]"
			if isStructured(fd.MapValue()) {
				c.message(fd.MapValue().Message(), e.value, entryPath)
				continue
			}
			one, _ := json.Marshal(map[string]json.RawMessage{e.name: e.value})
			c.leaf(parent, fd, key, one, entryPath)
		}
	case isStructured(fd):
		c.message(fd.Message(), raw, path)
	default:
		c.leaf(parent, fd, key, raw, path)
	}
}

// isStructured reports whether a field holds a message the checker walks
// into. Well-known types (Timestamp, FieldMask, wrappers, Struct...) have
// their own JSON forms and are checked whole, as leaves.
func isStructured(fd protoreflect.FieldDescriptor) bool {
	md := fd.Message()
	return md != nil && md.FullName().Parent() != "google.protobuf"
}

// leaf checks one value by letting protojson decode it alone into a fresh
// parent message: exactly the rules the generated handler will apply, but
// with the path of the field known.
func (c *bodyChecker) leaf(parent protoreflect.MessageDescriptor, fd protoreflect.FieldDescriptor, key string, raw json.RawMessage, path string) {
	name, _ := json.Marshal(key)
	doc := make([]byte, 0, len(name)+len(raw)+3)
	doc = append(doc, '{')
	doc = append(doc, name...)
	doc = append(doc, ':')
	doc = append(doc, raw...)
	doc = append(doc, '}')
	if err := protojson.Unmarshal(doc, newMessage(parent)); err != nil {
		c.add(path, expected(fd))
	}
}

func newMessage(md protoreflect.MessageDescriptor) proto.Message {
	if mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName()); err == nil {
		return mt.New().Interface()
	}
	return dynamicpb.NewMessage(md)
}

func outputOnly(fd protoreflect.FieldDescriptor) bool {
	behaviors, _ := proto.GetExtension(fd.Options(), annotations.E_FieldBehavior).([]annotations.FieldBehavior)
	return slices.Contains(behaviors, annotations.FieldBehavior_OUTPUT_ONLY)
}

// expected describes the JSON a field accepts.
func expected(fd protoreflect.FieldDescriptor) string {
	if fd.IsMap() {
		fd = fd.MapValue()
	}
	switch fd.Kind() {
	case protoreflect.StringKind:
		return "must be a string"
	case protoreflect.BoolKind:
		return "must be true or false"
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return "must be a whole number between -2147483648 and 2147483647"
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return "must be a whole number between 0 and 4294967295"
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind,
		protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return "must be a whole number (a JSON number or a string of digits)"
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return "must be a number"
	case protoreflect.BytesKind:
		return "must be base64-encoded bytes"
	case protoreflect.EnumKind:
		return "must be one of " + enumNames(fd.Enum())
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return expectedWellKnown(fd.Message().FullName())
	}
	return "has an invalid value"
}

func expectedWellKnown(name protoreflect.FullName) string {
	switch name {
	case "google.protobuf.Timestamp":
		return `must be an RFC 3339 date-time such as "2024-01-31T09:30:00Z"`
	case "google.protobuf.Duration":
		return `must be a duration in seconds such as "90s" or "1.5s"`
	case "google.protobuf.FieldMask":
		return `must be a comma-separated list of field paths such as "name,address.city"`
	case "google.protobuf.Struct":
		return msgNotObject
	case "google.protobuf.ListValue":
		return msgNotArray
	case "google.protobuf.Empty":
		return "must be {}"
	case "google.protobuf.StringValue":
		return "must be a string"
	case "google.protobuf.BoolValue":
		return "must be true or false"
	case "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
		"google.protobuf.Int64Value", "google.protobuf.UInt64Value":
		return "must be a whole number"
	case "google.protobuf.FloatValue", "google.protobuf.DoubleValue":
		return "must be a number"
	case "google.protobuf.BytesValue":
		return "must be base64-encoded bytes"
	}
	return "has an invalid value"
}

func enumNames(ed protoreflect.EnumDescriptor) string {
	values := ed.Values()
	names := make([]string, 0, values.Len())
	for i := range values.Len() {
		if v := values.Get(i); v.Number() != 0 {
			names = append(names, string(v.Name()))
		}
	}
	if len(names) == 0 {
		return string(values.Get(0).Name())
	}
	return strings.Join(names, ", ")
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
