// Package fhirvalidate checks FHIR R4 resources in JSON against the official
// R4 definitions, offline.
//
// The checking is done by github.com/google/fhir/go's jsonformat
// unmarshaller, whose R4 protos are generated from the official
// StructureDefinitions: it rejects unknown elements, wrong JSON shapes
// (an array where one value is allowed and the reverse), missing required
// elements (min 1), bad primitive values (date, dateTime, id, boolean,
// integer ...), codes outside a required binding (those elements are enums in
// the protos), a choice element (value[x]) with a type the definition does not
// allow or with two types at once, and Reference targets of a type the
// definition does not allow.
//
// Three checks are added here, because the library lets them through:
//   - a key that occurs twice in one JSON object (e.g. two "birthDate"):
//     Go's JSON decoding keeps the last one, so a second value would pass
//     unseen; FHIR JSON forbids repeated keys;
//   - an empty string value ("family": ""), which FHIR JSON forbids;
//   - a code of a required binding written in another case or with '_' for
//     '-' ("Female", "entered_in_error"): the library matches enum codes
//     case-insensitively, FHIR codes are case-sensitive.
package fhirvalidate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"
)

// Issue is one failure, at an element path such as "Patient.address[0].use".
type Issue struct {
	Path    string
	Message string
}

func (i Issue) String() string { return i.Path + ": " + i.Message }

// Error lists every issue found in one resource.
type Error struct {
	Issues []Issue
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Issues))
	for i, is := range e.Issues {
		lines[i] = is.String()
	}
	return strings.Join(lines, "\n")
}

// Validate checks one FHIR R4 resource (any resourceType, read from the JSON;
// a Bundle's entries are checked too). It returns nil, or an *Error listing
// every issue with its element path.
func Validate(resourceJSON []byte) error {
	var issues []Issue

	var top map[string]json.RawMessage
	if err := json.Unmarshal(resourceJSON, &top); err != nil {
		return &Error{Issues: []Issue{{Path: "$", Message: "not a JSON object: " + err.Error()}}}
	}
	root := "$"
	if rt, ok := top["resourceType"]; ok {
		var s string
		if json.Unmarshal(rt, &s) == nil && s != "" {
			root = s
		}
	}

	dups, err := jsonShapeIssues(resourceJSON, root)
	if err != nil {
		return &Error{Issues: []Issue{{Path: root, Message: "invalid JSON: " + err.Error()}}}
	}
	issues = append(issues, dups...)

	u, err := jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
	if err != nil {
		return fmt.Errorf("fhirvalidate: new R4 unmarshaller: %w", err)
	}
	msg, err := u.Unmarshal(resourceJSON)
	if err != nil {
		issues = append(issues, libraryIssues(err, root)...)
	} else {
		issues = append(issues, codeCaseIssues(resourceJSON, msg, root)...)
	}

	if len(issues) == 0 {
		return nil
	}
	sort.SliceStable(issues, func(i, j int) bool { return issues[i].Path < issues[j].Path })
	return &Error{Issues: issues}
}

// libraryIssues turns the library's errors into issues. Its "unknown field"
// and "multiple values" errors carry the offending key only in their
// diagnostics, so the key is appended to the path.
func libraryIssues(err error, root string) []Issue {
	var list []*libError
	collectLibErrors(err, &list)
	if len(list) == 0 {
		return []Issue{{Path: root, Message: err.Error()}}
	}
	out := make([]Issue, 0, len(list))
	for _, e := range list {
		path := e.Path
		if path == "" {
			path = root
		}
		msg := e.Details
		key, unq := strconv.Unquote(e.Diagnostics)
		switch {
		case e.Details == "unknown field" && unq == nil:
			path += "." + key
			msg = "unknown element"
		case strings.HasPrefix(e.Details, "cannot accept multiple values") && unq == nil:
			path += "." + key
			msg = "choice element has more than one type (" + e.Details + ")"
		case e.Diagnostics != "":
			msg += ": " + e.Diagnostics
		}
		out = append(out, Issue{Path: path, Message: msg})
	}
	return out
}

// libError mirrors the fields of the library's (internal) UnmarshalError.
type libError struct {
	Path, Details, Diagnostics string
}

// collectLibErrors gathers the library's errors. Its UnmarshalError and
// UnmarshalErrorList live in an internal package that cannot be imported, so
// their exported fields are read by reflection (asLibError).
func collectLibErrors(err error, out *[]*libError) {
	if err == nil {
		return
	}
	if multi, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range multi.Unwrap() {
			collectLibErrors(e, out)
		}
		return
	}
	if le := asLibError(err); len(le) > 0 {
		*out = append(*out, le...)
		return
	}
	if next := errors.Unwrap(err); next != nil {
		collectLibErrors(next, out)
	}
}

// jsonShapeIssues walks the JSON token stream and reports, with its element
// path, every key that occurs twice in the same object and every empty string
// value (FHIR JSON allows no empty values).
func jsonShapeIssues(data []byte, root string) ([]Issue, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var issues []Issue
	var walk func(path string) error
	walk = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		d, ok := tok.(json.Delim)
		if !ok {
			if s, isStr := tok.(string); isStr && s == "" {
				issues = append(issues, Issue{Path: path, Message: "empty string (FHIR JSON does not allow empty values)"})
			}
			return nil
		}
		switch d {
		case '{':
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k := kt.(string)
				if seen[k] {
					issues = append(issues, Issue{Path: path + "." + k, Message: "element occurs more than once in the object (repeated JSON key)"})
				}
				seen[k] = true
				if err := walk(path + "." + k); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if err := walk(fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
		_, err = dec.Token() // closing delimiter
		return err
	}
	if err := walk(root); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the top-level value")
	}
	return issues, nil
}

// asLibError reads a *jsonpbhelper.UnmarshalError or a
// jsonpbhelper.UnmarshalErrorList ([]*UnmarshalError) by its exported fields.
func asLibError(err error) []*libError {
	v := reflect.ValueOf(err)
	one := func(p reflect.Value) *libError {
		if p.Kind() != reflect.Pointer || p.IsNil() || p.Elem().Kind() != reflect.Struct {
			return nil
		}
		s := p.Elem()
		f := func(name string) (string, bool) {
			fv := s.FieldByName(name)
			if !fv.IsValid() || fv.Kind() != reflect.String {
				return "", false
			}
			return fv.String(), true
		}
		path, ok1 := f("Path")
		details, ok2 := f("Details")
		diag, ok3 := f("Diagnostics")
		if !ok1 || !ok2 || !ok3 {
			return nil
		}
		return &libError{Path: path, Details: details, Diagnostics: diag}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if le := one(v); le != nil {
			return []*libError{le}
		}
	case reflect.Slice:
		var out []*libError
		for i := 0; i < v.Len(); i++ {
			le := one(v.Index(i))
			if le == nil {
				return nil
			}
			out = append(out, le)
		}
		return out
	}
	return nil
}
