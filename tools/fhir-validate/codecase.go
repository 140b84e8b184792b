package fhirvalidate

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"
	"google.golang.org/protobuf/proto"
)

// codeCaseIssues finds codes of required bindings that the library accepted
// only because it matches enum codes case-insensitively (and '_' for '-').
// The parsed resource is written back to JSON by the library, which then
// spells each such code exactly as the value set does; a string that differs
// from the input only in case or in '_'/'-' is such a code.
func codeCaseIssues(input []byte, msg proto.Message, root string) []Issue {
	m, err := jsonformat.NewMarshaller(false, "", "", fhirversion.R4)
	if err != nil {
		return []Issue{{Path: root, Message: "cannot create the R4 marshaller: " + err.Error()}}
	}
	out, err := m.Marshal(msg)
	if err != nil {
		return []Issue{{Path: root, Message: "the library cannot write the parsed resource back: " + err.Error()}}
	}
	var in, canon any
	if json.Unmarshal(input, &in) != nil || json.Unmarshal(out, &canon) != nil {
		return nil
	}
	var issues []Issue
	var walk func(path string, a, b any)
	walk = func(path string, a, b any) {
		switch av := a.(type) {
		case map[string]any:
			bv, ok := b.(map[string]any)
			if !ok {
				return
			}
			for k, x := range av {
				if y, ok := bv[k]; ok {
					walk(path+"."+k, x, y)
				}
			}
		case []any:
			bv, ok := b.([]any)
			if !ok || len(bv) != len(av) {
				return
			}
			for i := range av {
				walk(fmt.Sprintf("%s[%d]", path, i), av[i], bv[i])
			}
		case string:
			bv, ok := b.(string)
			if !ok || av == bv {
				return
			}
			if strings.EqualFold(strings.ReplaceAll(av, "_", "-"), strings.ReplaceAll(bv, "_", "-")) {
				issues = append(issues, Issue{Path: path, Message: fmt.Sprintf("code %q is not in the required value set (codes are case-sensitive: did you mean %q?)", av, bv)})
			}
		}
	}
	walk(root, in, canon)
	return issues
}
