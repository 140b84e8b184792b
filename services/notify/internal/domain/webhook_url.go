package domain

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/ariesone/ariesone/platform/errs"
)

// MaxWebhookURLLen bounds a subscription URL, as the API does.
const MaxWebhookURLLen = 2048

// Field violation descriptions of a webhook URL. They are part of the API
// (partners see them in the REST error body), so they are constants that
// tests compare exactly.
const (
	WebhookURLRequired      = "is required"
	WebhookURLTooLong       = "must be at most 2048 characters"
	WebhookURLNotAbsolute   = "must be an absolute http or https URL"
	WebhookURLHTTPSRequired = "must use https"
	WebhookURLUserinfo      = "must not contain a user name or password"
	WebhookURLFragment      = "must not contain a fragment (#...)"
)

// webhookURLField is the field the violations name, relative to the
// subscription; the application roots it under the request field.
const webhookURLField = "url"

// CheckWebhookURL applies the rules for a subscription URL: an absolute
// http(s) URL with a host, https unless allowInsecure (development
// receivers on plain http), no user information (credentials would be
// stored in clear and sent to every proxy on the way: the signature is how
// a receiver authenticates AriesOne), no fragment (it is never sent, so it
// is a mistake), and at most MaxWebhookURLLen characters. Every violated
// rule is reported, each on field "url".
//
// Where the host points is not checked here: a name can resolve anywhere,
// and resolve elsewhere tomorrow. The sender refuses private, loopback and
// link-local addresses when it connects.
func CheckWebhookURL(raw string, allowInsecure bool) error {
	var v errs.Violations
	switch {
	case raw == "":
		v.Add(webhookURLField, WebhookURLRequired)
		return v.Err()
	case len(raw) > MaxWebhookURLLen:
		v.Add(webhookURLField, WebhookURLTooLong)
		return v.Err()
	}
	u, err := url.Parse(raw)
	if err != nil || hasSpaceOrControl(raw) || !u.IsAbs() || u.Opaque != "" || u.Host == "" || u.Hostname() == "" ||
		(u.Scheme != "https" && u.Scheme != "http") {
		v.Add(webhookURLField, WebhookURLNotAbsolute)
		return v.Err()
	}
	if u.Scheme == "http" && !allowInsecure {
		v.Add(webhookURLField, WebhookURLHTTPSRequired)
	}
	if u.User != nil {
		v.Add(webhookURLField, WebhookURLUserinfo)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		v.Add(webhookURLField, WebhookURLFragment)
	}
	return v.Err()
}

// hasSpaceOrControl reports characters a URL never contains unescaped and
// url.Parse lets through in places (a space in the path, a tab).
func hasSpaceOrControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0
}
