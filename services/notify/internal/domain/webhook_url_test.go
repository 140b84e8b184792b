package domain_test

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// webhookViolations returns the violations of an Invalid error as
// "field: description" lines, failing the test for any other error.
func webhookViolations(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindInvalid {
		t.Fatalf("error = %v, want an invalid-argument error", err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+": "+f.Description)
	}
	return out
}

func TestCheckWebhookURL(t *testing.T) {
	tests := []struct {
		name          string
		url           string
		allowInsecure bool
		want          []string
	}{
		{name: "https", url: "https://hooks.partner.example/ariesone"},
		{name: "https with port and query", url: "https://hooks.partner.example:8443/in?source=ariesone"},
		{name: "upper-case scheme", url: "HTTPS://hooks.partner.example/"},
		{name: "ipv6 literal", url: "https://[2001:db8::1]/hook"},
		{name: "http allowed outside production", url: "http://127.0.0.1:8080/hook", allowInsecure: true},
		{name: "http refused", url: "http://hooks.partner.example/", want: []string{"url: " + domain.WebhookURLHTTPSRequired}},
		{name: "empty", url: "", want: []string{"url: " + domain.WebhookURLRequired}},
		{name: "too long", url: "https://h.example/" + strings.Repeat("a", 2031), want: []string{"url: " + domain.WebhookURLTooLong}},
		{name: "longest", url: "https://h.example/" + strings.Repeat("a", 2030)},
		{name: "relative", url: "/hooks", want: []string{"url: " + domain.WebhookURLNotAbsolute}},
		{name: "no host", url: "https:///hooks", want: []string{"url: " + domain.WebhookURLNotAbsolute}},
		{name: "port only", url: "https://:443/hooks", want: []string{"url: " + domain.WebhookURLNotAbsolute}},
		{name: "opaque", url: "https:hooks.partner.example", want: []string{"url: " + domain.WebhookURLNotAbsolute}},
		{name: "other scheme", url: "ftp://hooks.partner.example/", want: []string{"url: " + domain.WebhookURLNotAbsolute}},
		{name: "javascript", url: "javascript:alert(1)", want: []string{"url: " + domain.WebhookURLNotAbsolute}},
		{name: "space", url: "https://hooks.partner.example/a b", want: []string{"url: " + domain.WebhookURLNotAbsolute}},
		{name: "leading space", url: " https://hooks.partner.example/", want: []string{"url: " + domain.WebhookURLNotAbsolute}},
		{name: "bad escape", url: "https://hooks.partner.example/%zz", want: []string{"url: " + domain.WebhookURLNotAbsolute}},
		{name: "userinfo", url: "https://user:pass@hooks.partner.example/", want: []string{"url: " + domain.WebhookURLUserinfo}},
		{name: "user only", url: "https://user@hooks.partner.example/", want: []string{"url: " + domain.WebhookURLUserinfo}},
		{name: "fragment", url: "https://hooks.partner.example/#x", want: []string{"url: " + domain.WebhookURLFragment}},
		{name: "empty fragment", url: "https://hooks.partner.example/#", want: []string{"url: " + domain.WebhookURLFragment}},
		{name: "every rule at once", url: "http://u:p@hooks.partner.example/#x", want: []string{
			"url: " + domain.WebhookURLHTTPSRequired, "url: " + domain.WebhookURLUserinfo, "url: " + domain.WebhookURLFragment}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := webhookViolations(t, domain.CheckWebhookURL(tt.url, tt.allowInsecure))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CheckWebhookURL(%q) violations (-want +got):\n%s", tt.url, diff)
			}
		})
	}
}

// FuzzCheckWebhookURL checks that no input panics, that every violation is
// on field "url" with one of the documented descriptions, and that whatever
// is accepted really is an absolute https URL (http only when allowed) with
// a host, without credentials or fragment, of at most 2048 characters.
func FuzzCheckWebhookURL(f *testing.F) {
	for _, s := range []string{"https://hooks.partner.example/a?b=c", "http://127.0.0.1:1/", "https://u@h/#f", "", "https:x", "//h/p", "https://[::1]:443/"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	known := []string{domain.WebhookURLRequired, domain.WebhookURLTooLong, domain.WebhookURLNotAbsolute,
		domain.WebhookURLHTTPSRequired, domain.WebhookURLUserinfo, domain.WebhookURLFragment}
	f.Fuzz(func(t *testing.T, raw string, allowInsecure bool) {
		err := domain.CheckWebhookURL(raw, allowInsecure)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.KindInvalid || len(e.Fields) == 0 {
				t.Fatalf("CheckWebhookURL(%q) = %v, want field violations", raw, err)
			}
			for _, v := range e.Fields {
				if v.Field != "url" || !slices.Contains(known, v.Description) {
					t.Fatalf("CheckWebhookURL(%q): undocumented violation %+v", raw, v)
				}
			}
			return
		}
		u, perr := url.Parse(raw)
		switch {
		case perr != nil:
			t.Fatalf("accepted %q, which does not parse: %v", raw, perr)
		case len(raw) > domain.MaxWebhookURLLen:
			t.Fatalf("accepted %d characters", len(raw))
		case u.Scheme != "https" && !(allowInsecure && u.Scheme == "http"):
			t.Fatalf("accepted scheme %q of %q (allowInsecure %t)", u.Scheme, raw, allowInsecure)
		case u.Hostname() == "" || u.Opaque != "":
			t.Fatalf("accepted %q without a host", raw)
		case u.User != nil:
			t.Fatalf("accepted credentials in %q", raw)
		case u.Fragment != "" || strings.Contains(raw, "#"):
			t.Fatalf("accepted a fragment in %q", raw)
		case strings.ContainsAny(raw, " \t\r\n"):
			t.Fatalf("accepted white space in %q", raw)
		}
	})
}
