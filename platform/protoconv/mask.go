package protoconv

import (
	"slices"
	"strings"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/ariesone/ariesone/platform/errs"
)

// UpdateMask resolves AIP-134 update masks for one resource message.
//
//   - An empty mask, or the single path "*", means every writable field.
//   - A path naming a writable field writes it; a path into a writable
//     message field ("address.city") writes only that part.
//   - "id" and "etag" are accepted and ignored: they name the resource and
//     its version rather than data, and the REST gateway puts every field of
//     a PATCH body into the mask it derives, so a client echoing them back
//     must not be refused.
//   - A path naming an OUTPUT_ONLY or IMMUTABLE field, or a field this
//     method does not write, is INVALID_ARGUMENT, as is an unknown path;
//     every bad path is reported on field "updateMask".
type UpdateMask struct {
	// Resource is the resource message.
	Resource protoreflect.MessageDescriptor
	// writable lists the writable top-level fields by proto name, in the
	// order an implied mask lists them.
	Writable []string
}

// MaskField is the request field update masks arrive in, as field
// violations name it.
const MaskField = "updateMask"

// ignoredMaskPaths identify the resource and its version.
var ignoredMaskPaths = []string{"id", "etag"}

// Resolve returns the paths to write, each once, in mask order (or the
// writable fields' order for an implied mask), and whether the mask was
// implied (empty or "*").
func (m UpdateMask) Resolve(mask *fieldmaskpb.FieldMask) (paths []string, implied bool, err error) {
	given := mask.GetPaths()
	if len(given) == 0 || (len(given) == 1 && given[0] == "*") {
		return slices.Clone(m.Writable), true, nil
	}
	var v errs.Violations
	for _, path := range given {
		if problem := m.check(path); problem != "" {
			v.Addf(MaskField, "%q %s", path, problem)
			continue
		}
		if !slices.Contains(ignoredMaskPaths, path) && !slices.Contains(paths, path) {
			paths = append(paths, path)
		}
	}
	if err := v.Err(); err != nil {
		return nil, false, err
	}
	return paths, false, nil
}

// check returns what is wrong with one path, or "" when it may be written.
func (m UpdateMask) check(path string) string {
	if path == "*" {
		return "must be the only path when it is given"
	}
	name, part, nested := strings.Cut(path, ".")
	fd := m.Resource.Fields().ByName(protoreflect.Name(name))
	if fd == nil {
		return "is not a field of " + string(m.Resource.Name())
	}
	if !nested && slices.Contains(ignoredMaskPaths, name) {
		return ""
	}
	if !slices.Contains(m.Writable, name) {
		switch {
		case hasBehavior(fd, annotations.FieldBehavior_OUTPUT_ONLY):
			return "is output only"
		case hasBehavior(fd, annotations.FieldBehavior_IMMUTABLE):
			return "is immutable: it cannot change after creation"
		default:
			return "cannot be changed by this method"
		}
	}
	if !nested {
		return ""
	}
	if fd.Message() == nil || fd.IsList() || fd.IsMap() {
		return "names a part of a field that has no parts"
	}
	if strings.Contains(part, ".") || fd.Message().Fields().ByName(protoreflect.Name(part)) == nil {
		return "is not a field of " + string(fd.Message().Name())
	}
	return ""
}

func hasBehavior(fd protoreflect.FieldDescriptor, b annotations.FieldBehavior) bool {
	opts := fd.Options()
	if opts == nil || !proto.HasExtension(opts, annotations.E_FieldBehavior) {
		return false
	}
	behaviors, _ := proto.GetExtension(opts, annotations.E_FieldBehavior).([]annotations.FieldBehavior)
	return slices.Contains(behaviors, b)
}

// AsFields converts resolved paths to a domain field type.
func AsFields[F ~string](paths []string) []F {
	out := make([]F, len(paths))
	for i, p := range paths {
		out[i] = F(p)
	}
	return out
}

// FieldNames lists a resource's domain field names as the strings an
// UpdateMask's Writable takes.
func FieldNames[F ~string](fields []F) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = string(f)
	}
	return out
}

// Map renders each item of a page.
func Map[D any, P any](items []D, render func(D) P) []P {
	out := make([]P, len(items))
	for i, d := range items {
		out[i] = render(d)
	}
	return out
}
