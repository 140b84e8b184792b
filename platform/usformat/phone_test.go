package usformat_test

import (
	"testing"

	"github.com/ariesone/ariesone/platform/usformat"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"4045550123", "+14045550123", true},
		{"(404) 555-0123", "+14045550123", true},
		{"404-555-0123", "+14045550123", true},
		{"404.555.0123", "+14045550123", true},
		{"404 555 0123", "+14045550123", true},
		{"1-404-555-0123", "+14045550123", true},
		{"1 (404) 555-0123", "+14045550123", true},
		{"14045550123", "+14045550123", true},
		{"+14045550123", "+14045550123", true},
		{"+1 404 555 0123", "+14045550123", true},
		{"+1 (404) 555-0123", "+14045550123", true},
		{"  (404)555-0123\t", "+14045550123", true},
		{"2002000000", "+12002000000", true},
		{"9999999999", "+19999999999", true},

		{"", "", false},
		{"555-0123", "", false},               // no area code
		{"404555012", "", false},              // 9 digits
		{"40455501234", "", false},            // 11 digits not starting with 1
		{"1404555012", "", false},             // 1 + 9 digits
		{"0045550123", "", false},             // area code starts with 0
		{"1045550123", "", false},             // area code starts with 1
		{"4040550123", "", false},             // exchange starts with 0
		{"4041550123", "", false},             // exchange starts with 1
		{"1-104-555-0123", "", false},         // area code 1xx after the country code
		{"+24045550123", "", false},           // another country code
		{"+44 20 7946 0958", "", false},       // UK number
		{"+114045550123", "", false},          // +1 and 1
		{"++14045550123", "", false},          // double plus
		{"404-555-0123 x12", "", false},       // extension
		{"404-555-0123ext12", "", false},      // extension
		{"404/555/0123", "", false},           // slash is not a separator
		{"404_555_0123", "", false},           // underscore is not a separator
		{"404\u00a0555\u00a00123", "", false}, // no-break spaces inside
		{"404-555-O123", "", false},           // letter O
		{"1-800-FLOWERS", "", false},          // vanity letters
		{"４０４５５５０１２３", "", false},             // full-width digits
		{"4045550123+1", "", false},           // trailing country code
	}
	for _, tt := range tests {
		got, ok := usformat.NormalizePhone(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("NormalizePhone(%q) = %q, %t; want %q, %t", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}
