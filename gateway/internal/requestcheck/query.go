package requestcheck

import (
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ariesone/ariesone/gateway/internal/httperr"
)

const (
	msgUnknownParam = "unknown query parameter"
	msgNoParams     = "this operation takes no query parameters; send the fields in the JSON body"
)

// mapKeyParam matches grpc-gateway's query syntax for map entries,
// "labels[key]=value".
var mapKeyParam = regexp.MustCompile(`^(.*)\[(.*)\]$`)

// checkQuery lists the query parameters the generated handler would ignore
// silently (unknown names) or fail on with an unhelpful message (values of
// the wrong type). Parameters naming the body field or a path variable are
// ignored by the handler and left alone here too.
func checkQuery(rt route, query url.Values, pathParams map[string]string) []httperr.Violation {
	if len(query) == 0 {
		return nil
	}
	keys := slices.Sorted(maps.Keys(query))
	var out []httperr.Violation
	seen := map[string]bool{}
	for _, key := range keys {
		if rt.body == "*" {
			// The generated handler reads no query parameters at all here.
			out = append(out, httperr.Violation{Field: key, Message: msgNoParams})
			continue
		}
		fieldKey := key
		if m := mapKeyParam.FindStringSubmatch(key); m != nil {
			fieldKey = m[1]
		}
		path, ok := resolve(rt.input, strings.Split(fieldKey, "."))
		if !ok {
			out = append(out, httperr.Violation{Field: key, Message: msgUnknownParam})
			continue
		}
		if ignoredByHandler(rt, path, pathParams) {
			continue
		}
		// page_size and pageSize name one field; the handler refuses both.
		field := jsonPath(path) + strings.TrimPrefix(key, fieldKey)
		if seen[field] {
			out = append(out, httperr.Violation{Field: jsonPath(path), Message: msgDuplicate})
			continue
		}
		seen[field] = true
		msg := newMessage(rt.input)
		if err := (&runtime.DefaultQueryParser{}).Parse(msg, url.Values{key: query[key]}, utilities.NewDoubleArray(nil)); err != nil {
			out = append(out, httperr.Violation{Field: jsonPath(path), Message: queryExpected(path[len(path)-1], len(query[key]))})
		}
	}
	return out
}

// checkPath reports path variables whose text cannot be parsed into their
// field's type (a number variable given letters). Whether a well-typed value
// is acceptable (a UUID, say) is the service's validation to decide.
func checkPath(rt route, pathParams map[string]string) []httperr.Violation {
	if len(pathParams) == 0 {
		return nil
	}
	names := slices.Sorted(maps.Keys(pathParams))
	var out []httperr.Violation
	for _, name := range names {
		path, ok := resolve(rt.input, strings.Split(name, "."))
		if !ok {
			continue
		}
		if err := runtime.PopulateFieldFromPath(newMessage(rt.input), name, pathParams[name]); err != nil {
			out = append(out, httperr.Violation{Field: jsonPath(path), Message: expected(path[len(path)-1])})
		}
	}
	return out
}

// resolve finds the fields a dotted parameter name walks through, accepting
// proto and JSON names as grpc-gateway does. Only the last element may be a
// repeated field or a non-message.
func resolve(md protoreflect.MessageDescriptor, names []string) ([]protoreflect.FieldDescriptor, bool) {
	path := make([]protoreflect.FieldDescriptor, 0, len(names))
	for i, n := range names {
		fd := md.Fields().ByTextName(n)
		if fd == nil {
			fd = md.Fields().ByJSONName(n)
		}
		if fd == nil {
			return nil, false
		}
		path = append(path, fd)
		if i == len(names)-1 {
			break
		}
		if fd.Message() == nil || fd.IsList() || fd.IsMap() {
			return nil, false
		}
		md = fd.Message()
	}
	return path, true
}

// ignoredByHandler mirrors the filter of the generated code: parameters that
// name the body field or a path variable (or lie under one) are skipped.
func ignoredByHandler(rt route, path []protoreflect.FieldDescriptor, pathParams map[string]string) bool {
	if rt.body != "" && string(path[0].Name()) == rt.body {
		return true
	}
	var b strings.Builder
	for i, fd := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(string(fd.Name()))
		if _, ok := pathParams[b.String()]; ok {
			return true
		}
	}
	return false
}

func queryExpected(fd protoreflect.FieldDescriptor, values int) string {
	if values > 1 && !fd.IsList() {
		return msgDuplicate
	}
	return expected(fd)
}

func jsonPath(path []protoreflect.FieldDescriptor) string {
	names := make([]string, len(path))
	for i, fd := range path {
		names[i] = fd.JSONName()
	}
	return strings.Join(names, ".")
}
