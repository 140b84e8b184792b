package validate

import (
	"strconv"
	"strings"
	"testing"
)

func TestJSONPath(t *testing.T) {
	tests := []struct {
		path string
		want string
	}{
		{path: "", want: ""},
		{path: "email", want: "email"},
		{path: "display_name", want: "displayName"},
		{path: "widget.postal_code", want: "widget.postalCode"},
		{path: "lines[2].hcpcs_code", want: "lines[2].hcpcsCode"},
		{path: "written_orders[0].line_items[12].unit_price.currency_code", want: "writtenOrders[0].lineItems[12].unitPrice.currencyCode"},
		{path: "displayName", want: "displayName"},
		{path: "widget.postalCode", want: "widget.postalCode"},
		{path: `labels["snake_key"]`, want: `labels["snake_key"]`},
		{path: `extra_labels["snake_key"].display_name`, want: `extraLabels["snake_key"].displayName`},
		{path: `by_id[42].first_name`, want: `byId[42].firstName`},
		{path: `flags[true].is_set`, want: `flags[true].isSet`},
		{path: `labels["a]b_c"].x_y`, want: `labels["a]b_c"].xY`},
		{path: `labels["a[b_c"].x_y`, want: `labels["a[b_c"].xY`},
		{path: `labels["q\"]_r"].x_y`, want: `labels["q\"]_r"].xY`},
		{path: `labels["back\\"].x_y`, want: `labels["back\\"].xY`},
		{path: "address_line_2", want: "addressLine2"},
		{path: "a__b", want: "aB"},
		{path: "trailing_", want: "trailing"},
		{path: "already_Upper", want: "alreadyUpper"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := jsonPath(tt.path); got != tt.want {
				t.Errorf("jsonPath(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

// FuzzJSONPath builds paths the way protovalidate does (field names joined
// by dots, string map keys quoted with strconv.Quote) and checks that the
// bracketed subscript survives byte for byte while the field names around it
// are camel-cased. Arbitrary input must never panic.
func FuzzJSONPath(f *testing.F) {
	f.Add("labels", "snake_key", "display_name")
	f.Add("", "", "")
	f.Add("lines", "a]b_c", "hcpcs_code")
	f.Add("x_y", "[[[_a", "z_z")
	f.Add("m", "\"]\\_q", "_")
	f.Add("a.b_c", "é_ü", "d.e_f")
	f.Fuzz(func(t *testing.T, field, key, after string) {
		// Arbitrary input: no panic, only underscores ever removed.
		for _, s := range []string{field, key, after, field + key + after} {
			if got := jsonPath(s); len(got) > len(s) {
				t.Fatalf("jsonPath(%q) = %q grew", s, got)
			}
		}

		field, after = identifier(field), identifier(after)
		sub := "[" + strconv.Quote(key) + "]"
		path := field + sub
		if after != "" {
			path += "." + after
		}
		got := jsonPath(path)

		wantField, wantAfter := camel(field), camel(after)
		want := wantField + sub
		if after != "" {
			want += "." + wantAfter
		}
		if got != want {
			t.Fatalf("jsonPath(%q) = %q, want %q", path, got, want)
		}
	})
}

// identifier keeps the bytes of s that may appear in a proto field path
// outside a subscript: lower-case letters, digits, underscores and dots.
func identifier(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// camel is the protoc JSON name of each dot-separated identifier: drop every
// underscore and upper-case a letter that followed one.
func camel(s string) string {
	var b strings.Builder
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_':
			upper = true
			continue
		case upper && c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		upper = false
		b.WriteByte(c)
	}
	return b.String()
}
