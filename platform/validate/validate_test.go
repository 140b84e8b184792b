package validate_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	commonv1 "github.com/ariesone/ariesone/gen/go/ariesone/common/v1"
	testingv1 "github.com/ariesone/ariesone/gen/go/ariesone/testing/v1"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/grpcerr"
	"github.com/ariesone/ariesone/platform/validate"
)

func newValidator(t *testing.T) *validate.Validator {
	t.Helper()
	v, err := validate.New()
	if err != nil {
		t.Fatalf("validate.New: %v", err)
	}
	return v
}

// violatedFields returns the sorted field paths of an Invalid error, or nil
// for a nil error; any other error fails the test.
func violatedFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindInvalid {
		t.Fatalf("Check returned %v (kind %v), want nil or %v", err, errs.KindOf(err), errs.KindInvalid)
	}
	fields := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		if f.Description == "" {
			t.Errorf("violation of %q has no description", f.Field)
		}
		fields = append(fields, f.Field)
	}
	sort.Strings(fields)
	return fields
}

func widget() *testingv1.Widget {
	return &testingv1.Widget{DisplayName: "Oxygen concentrator", Email: "intake@example.com", Quantity: 3}
}

func TestCheck(t *testing.T) {
	const uuid = "0195f3a2-7c1e-7b3a-9d1f-1a2b3c4d5e6f"
	with := func(f func(w *testingv1.Widget)) *testingv1.Widget {
		w := widget()
		f(w)
		return w
	}
	address := func(f func(a *commonv1.PostalAddress)) *commonv1.PostalAddress {
		a := &commonv1.PostalAddress{Line1: "1200 Main St", City: "Atlanta", State: "GA", PostalCode: "30301"}
		f(a)
		return a
	}
	phone := func(f func(p *commonv1.PhoneNumber)) *commonv1.PhoneNumber {
		p := &commonv1.PhoneNumber{Number: "(404) 555-0123", Kind: commonv1.PhoneKind_PHONE_KIND_MOBILE}
		f(p)
		return p
	}
	tests := []struct {
		name string
		msg  proto.Message
		want []string // sorted JSON paths; nil means valid
	}{
		// CreateWidgetRequest and Widget.
		{name: "valid request", msg: &testingv1.CreateWidgetRequest{Widget: widget()}},
		{name: "valid request with request id", msg: &testingv1.CreateWidgetRequest{Widget: widget(), RequestId: uuid}},
		{name: "widget missing", msg: &testingv1.CreateWidgetRequest{}, want: []string{"widget"}},
		{name: "request id not a uuid", msg: &testingv1.CreateWidgetRequest{Widget: widget(), RequestId: "partner-req-42"}, want: []string{"requestId"}},
		{name: "empty widget", msg: &testingv1.CreateWidgetRequest{Widget: &testingv1.Widget{}}, want: []string{"widget.displayName", "widget.email", "widget.quantity"}},
		{
			name: "every field wrong",
			msg: &testingv1.CreateWidgetRequest{
				Widget:    &testingv1.Widget{DisplayName: strings.Repeat("x", 51), Email: "not-an-email", Quantity: 101},
				RequestId: "nope",
			},
			want: []string{"requestId", "widget.displayName", "widget.email", "widget.quantity"},
		},
		{name: "display name 1 char", msg: with(func(w *testingv1.Widget) { w.DisplayName = "x" })},
		{name: "display name 50 chars", msg: with(func(w *testingv1.Widget) { w.DisplayName = strings.Repeat("x", 50) })},
		{name: "display name 50 multibyte chars", msg: with(func(w *testingv1.Widget) { w.DisplayName = strings.Repeat("é", 50) })},
		{name: "display name 51 chars", msg: with(func(w *testingv1.Widget) { w.DisplayName = strings.Repeat("x", 51) }), want: []string{"displayName"}},
		{name: "display name empty", msg: with(func(w *testingv1.Widget) { w.DisplayName = "" }), want: []string{"displayName"}},
		{name: "email without domain", msg: with(func(w *testingv1.Widget) { w.Email = "intake@" }), want: []string{"email"}},
		{name: "quantity 1", msg: with(func(w *testingv1.Widget) { w.Quantity = 1 })},
		{name: "quantity 100", msg: with(func(w *testingv1.Widget) { w.Quantity = 100 })},
		{name: "quantity 0", msg: with(func(w *testingv1.Widget) { w.Quantity = 0 }), want: []string{"quantity"}},
		{name: "quantity negative", msg: with(func(w *testingv1.Widget) { w.Quantity = -1 }), want: []string{"quantity"}},
		{name: "quantity 101", msg: with(func(w *testingv1.Widget) { w.Quantity = 101 }), want: []string{"quantity"}},
		{name: "get widget by uuid", msg: &testingv1.GetWidgetRequest{Id: uuid}},
		{name: "get widget by non-uuid", msg: &testingv1.GetWidgetRequest{Id: "w-1"}, want: []string{"id"}},

		// PostalAddress.
		{name: "address ZIP", msg: address(func(*commonv1.PostalAddress) {})},
		{name: "address ZIP+4", msg: address(func(a *commonv1.PostalAddress) { a.PostalCode = "30301-1234" })},
		{name: "address ZIP+4 without dash", msg: address(func(a *commonv1.PostalAddress) { a.PostalCode = "303011234" })},
		{name: "address with line2", msg: address(func(a *commonv1.PostalAddress) { a.Line2 = "Suite 200" })},
		{name: "address lower-case state", msg: address(func(a *commonv1.PostalAddress) { a.State = "ga" }), want: []string{"state"}},
		{name: "address three-letter state", msg: address(func(a *commonv1.PostalAddress) { a.State = "GAA" }), want: []string{"state"}},
		{name: "address short ZIP", msg: address(func(a *commonv1.PostalAddress) { a.PostalCode = "3030" }), want: []string{"postalCode"}},
		{name: "address broken ZIP+4", msg: address(func(a *commonv1.PostalAddress) { a.PostalCode = "30301-12" }), want: []string{"postalCode"}},
		{name: "address letters in ZIP", msg: address(func(a *commonv1.PostalAddress) { a.PostalCode = "3O301" }), want: []string{"postalCode"}},
		{name: "address line2 too long", msg: address(func(a *commonv1.PostalAddress) { a.Line2 = strings.Repeat("x", 101) }), want: []string{"line2"}},
		{name: "empty address", msg: &commonv1.PostalAddress{}, want: []string{"city", "line1", "postalCode", "state"}},

		// PhoneNumber.
		{name: "phone formatted", msg: phone(func(*commonv1.PhoneNumber) {})},
		{name: "phone E.164 with extension", msg: phone(func(p *commonv1.PhoneNumber) { p.Number, p.Extension = "+14045550123", "123456" })},
		{name: "phone unspecified kind", msg: phone(func(p *commonv1.PhoneNumber) { p.Kind = commonv1.PhoneKind_PHONE_KIND_UNSPECIFIED })},
		{name: "phone too short", msg: phone(func(p *commonv1.PhoneNumber) { p.Number = "555-0123" }), want: []string{"number"}},
		{name: "phone too long", msg: phone(func(p *commonv1.PhoneNumber) { p.Number = strings.Repeat("1", 21) }), want: []string{"number"}},
		{name: "phone extension too long", msg: phone(func(p *commonv1.PhoneNumber) { p.Extension = "1234567" }), want: []string{"extension"}},
		{name: "phone extension letters", msg: phone(func(p *commonv1.PhoneNumber) { p.Extension = "x12" }), want: []string{"extension"}},
		{name: "phone undefined kind", msg: phone(func(p *commonv1.PhoneNumber) { p.Kind = 99 }), want: []string{"kind"}},

		// Money.
		{name: "money USD", msg: &commonv1.Money{AmountCents: -12345, CurrencyCode: "USD"}},
		{name: "money lower-case currency", msg: &commonv1.Money{AmountCents: 1, CurrencyCode: "usd"}, want: []string{"currencyCode"}},
		{name: "money missing currency", msg: &commonv1.Money{AmountCents: 1}, want: []string{"currencyCode"}},
		{name: "money four-letter currency", msg: &commonv1.Money{CurrencyCode: "USDX"}, want: []string{"currencyCode"}},
	}
	v := newValidator(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := violatedFields(t, v.Check(tt.msg))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("violated fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnaryServerInterceptor(t *testing.T) {
	tests := []struct {
		name       string
		req        any
		wantCode   codes.Code
		wantFields []errs.FieldViolation
		wantCalled bool
	}{
		{name: "valid request reaches the handler", req: &testingv1.CreateWidgetRequest{Widget: widget()}, wantCode: codes.OK, wantCalled: true},
		{name: "invalid request is rejected", req: &testingv1.CreateWidgetRequest{}, wantCode: codes.InvalidArgument, wantFields: []errs.FieldViolation{{Field: "widget"}}},
		{name: "non-proto request is an internal error", req: "not a message", wantCode: codes.Internal},
	}
	v := newValidator(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			handler := func(context.Context, any) (any, error) {
				called = true
				return "ok", nil
			}
			_, err := validate.UnaryServerInterceptor(v)(t.Context(), tt.req, &grpc.UnaryServerInfo{}, handler)
			if got := status.Code(err); got != tt.wantCode {
				t.Errorf("code = %v, want %v", got, tt.wantCode)
			}
			if called != tt.wantCalled {
				t.Errorf("handler called = %v, want %v", called, tt.wantCalled)
			}
			var got []errs.FieldViolation
			for _, f := range grpcerr.FieldViolations(status.Convert(err)) {
				got = append(got, errs.FieldViolation{Field: f.Field})
			}
			if diff := cmp.Diff(tt.wantFields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}
