package usecase

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/keyring/keyringtest"
	"github.com/ariesone/ariesone/platform/page"
)

func fields(err error) []string {
	var e *errs.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestUnderField(t *testing.T) {
	inner := errs.Invalid(errs.FieldViolation{Field: "address.state"}, errs.FieldViolation{Field: "[2]"}, errs.FieldViolation{Field: ""})
	tests := []struct {
		prefix string
		want   []string
	}{
		{"patient", []string{"patient.address.state", "patient[2]", "patient"}},
		{"", []string{"address.state", "[2]", ""}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, fields(UnderField(tt.prefix, inner))); diff != "" {
			t.Errorf("UnderField(%q) (-want +got):\n%s", tt.prefix, diff)
		}
	}
	notFound := errs.NotFound("patient", "x")
	if got := UnderField("patient", notFound); got != notFound {
		t.Errorf("UnderField changed a non-invalid error: %v", got)
	}
}

func TestInvalidFields(t *testing.T) {
	err := InvalidFields(
		FieldCheck{Field: "a", Err: nil},
		FieldCheck{Field: "b", Err: errs.Invalid(errs.FieldViolation{Field: "c"})},
		FieldCheck{Field: "d", Err: CheckID("", "nope")},
	)
	if diff := cmp.Diff([]string{"b.c", "d"}, fields(err)); diff != "" {
		t.Errorf("InvalidFields (-want +got):\n%s", diff)
	}
	if err := InvalidFields(FieldCheck{Field: "a"}); err != nil {
		t.Errorf("no violations = %v", err)
	}
	denied := errs.PermissionDenied("no")
	if got := InvalidFields(FieldCheck{Field: "a", Err: denied}); got != denied {
		t.Errorf("a non-invalid check = %v; want it returned as is", got)
	}
}

func TestCheckID(t *testing.T) {
	for id, ok := range map[string]bool{
		"0190a5b2-7c3e-7d4a-9b1e-2f3a4b5c6d7e":          true,
		"0190A5B2-7C3E-7D4A-9B1E-2F3A4B5C6D7E":          true,
		"{0190a5b2-7c3e-7d4a-9b1e-2f3a4b5c6d7e}":        false,
		"urn:uuid:0190a5b2-7c3e-7d4a-9b1e-2f3a4b5c6d7e": false,
		"0190a5b27c3e7d4a9b1e2f3a4b5c6d7e":              false,
		"":                                              false,
	} {
		if err := CheckID("id", id); (err == nil) != ok {
			t.Errorf("CheckID(%q) = %v, want ok %v", id, err, ok)
		}
	}
}

func TestKeysetPage(t *testing.T) {
	all := []int{1, 2, 3, 4, 5}
	fetch := func(after string, limit int) ([]int, error) {
		start := 0
		if after != "" {
			start, _ = strconv.Atoi(after)
		}
		return all[min(start, len(all)):min(start+limit, len(all))], nil
	}
	key := func(i int) string { return strconv.Itoa(i) }
	scope := []string{"List", "tenant"}
	tokens, err := page.NewSealer(keyringtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	token := ""
	for range 4 {
		items, next, err := KeysetPage(tokens, 2, token, scope, nil, fetch, key)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, items...)
		if token = next; token == "" {
			break
		}
	}
	if diff := cmp.Diff(all, got); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	_, first, _ := KeysetPage(tokens, 2, "", scope, nil, fetch, key)
	if _, _, err := KeysetPage(tokens, 2, first, []string{"List", "other tenant"}, nil, fetch, key); errs.KindOf(err) != errs.KindInvalid {
		t.Errorf("a token of another scope = %v; want invalid", err)
	}
	if _, _, err := KeysetPage(tokens, 2, first, scope, func(string) bool { return false }, fetch, key); errs.KindOf(err) != errs.KindInvalid {
		t.Errorf("a key validKey refuses = %v; want invalid", err)
	}
	if _, _, err := KeysetPage(tokens, 2, first[:len(first)-2], scope, nil, fetch, key); errs.KindOf(err) != errs.KindInvalid {
		t.Errorf("a truncated token = %v; want invalid", err)
	}
	if _, _, err := KeysetPage(nil, 2, "", scope, nil, fetch, key); err == nil || errs.KindOf(err) == errs.KindInvalid {
		t.Errorf("a listing without a sealer = %v; want a server error", err)
	}
}

// fakeUnit runs fn and remembers whether it committed.
type fakeUnit struct{ committed bool }

func (u *fakeUnit) InTx(ctx context.Context, fn func(context.Context) error) error {
	if err := fn(ctx); err != nil {
		return err
	}
	u.committed = true
	return nil
}

func TestChangeRecordsEventsInTheUnitAndAbortsOnFailure(t *testing.T) {
	rec := &MemoryRecorder{}
	uow := &fakeUnit{}
	got, err := Change(context.Background(), uow, rec, func(context.Context) (string, []Event, error) {
		return "done", []Event{{Type: "a"}, {Type: "b"}}, nil
	})
	if err != nil || got != "done" || !uow.committed || !cmp.Equal(rec.Types(), []string{"a", "b"}) {
		t.Errorf("Change = %q, %v; committed %v, events %v", got, err, uow.committed, rec.Types())
	}

	rec.FailWith(errors.New("outbox down"))
	uow = &fakeUnit{}
	got, err = Change(context.Background(), uow, rec, func(context.Context) (string, []Event, error) {
		return "done", []Event{{Type: "c"}}, nil
	})
	if err == nil || got != "" || uow.committed {
		t.Errorf("Change with a failing recorder = %q, %v, committed %v; want an error and no commit", got, err, uow.committed)
	}
}

func TestCaller(t *testing.T) {
	if _, err := Caller(context.Background()); errs.KindOf(err) != errs.KindUnauthenticated {
		t.Errorf("Caller without credentials = %v", err)
	}
	ctx := identity.NewContext(context.Background(), identity.Principal{Subject: "u", CompanyID: "c"})
	if p, err := Caller(ctx); err != nil || p.CompanyID != "c" {
		t.Errorf("Caller = %+v, %v", p, err)
	}
}
