package usformat_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/usformat"
)

// TestFormatErrorNamesTheEntry: the message points at the entry the way a
// field path does, so it reads the same in a log as in a violation.
func TestFormatErrorNamesTheEntry(t *testing.T) {
	tests := []struct {
		err  *usformat.FormatError
		want string
	}{
		{&usformat.FormatError{Subject: "diagnoses", Entry: 3, Description: "repeats an earlier diagnosis"},
			"usformat: diagnoses[3] repeats an earlier diagnosis"},
		{&usformat.FormatError{Subject: "MBI", Entry: -1, Position: 2, Description: "position 2 must be a letter"},
			"usformat: MBI position 2 must be a letter"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// listCase is one row of a table for a Parse* function over a list.
type listCase struct {
	name string
	in   []string
	// want is the normalized list, or nil when in must be rejected.
	want []string
	// wantEntry is the Entry the error must name: the entry at fault, or
	// -1 when there are too many.
	wantEntry int
}

// testParseList runs the rows of tests through parse, which is called
// name in messages, and checks each accepted list and each error's Entry.
func testParseList(t *testing.T, name string, parse func([]string) ([]string, error), tests []listCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(tt.in)
			if tt.want != nil {
				if err != nil {
					t.Fatalf("%s(%q) error: %v", name, tt.in, err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s(%q) mismatch (-want +got):\n%s", name, tt.in, diff)
				}
				return
			}
			var fe *usformat.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("%s(%q) = %q, %v; want a *FormatError", name, tt.in, got, err)
			}
			if got != nil || fe.Entry != tt.wantEntry || fe.Position != 0 || fe.Description == "" {
				t.Errorf("%s(%q) = %q, %+v; want entry %d", name, tt.in, got, *fe, tt.wantEntry)
			}
		})
	}
}
