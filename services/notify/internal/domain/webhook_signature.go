package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Webhook deliveries carry these headers (the WebhookService contract in
// ariesone/notify/v1/webhook.proto). Receivers read them by name, so they
// never change within v1.
const (
	WebhookHeaderEventID   = "AriesOne-Event-Id"
	WebhookHeaderEventType = "AriesOne-Event-Type"
	WebhookHeaderSignature = "AriesOne-Signature"
)

// WebhookSignatureTolerance is how far a signature's timestamp may be from
// the receiver's clock, either way. Older signatures are replays; ones from
// the future come from a clock so wrong that the age check means nothing.
const WebhookSignatureTolerance = 5 * time.Minute

// Signature verification failures. A receiver answers all of them the same
// way (reject the request); the distinction is for its logs.
var (
	// ErrWebhookSignatureMalformed: the header is not
	// "t=<unix seconds>,v1=<64 hex digits>[,v1=...]".
	ErrWebhookSignatureMalformed = errors.New("webhook signature header is malformed")
	// ErrWebhookSignatureExpired: the timestamp is outside the tolerance.
	ErrWebhookSignatureExpired = errors.New("webhook signature timestamp is outside the tolerance")
	// ErrWebhookSignatureMismatch: no v1 value is the HMAC of this body
	// under this secret.
	ErrWebhookSignatureMismatch = errors.New("webhook signature does not match")
)

// maxWebhookSignatureHeader bounds the header Verify parses. A sender adds
// one v1 value per secret in rotation (70 bytes each); a few kilobytes is
// far more than any honest header and keeps a hostile one cheap to refuse.
const maxWebhookSignatureHeader = 4096

// SignWebhook returns the AriesOne-Signature header for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>". The key is
// the secret exactly as shown to the subscriber, "whsec_" prefix included,
// so a receiver uses the string it stored without decoding anything.
//
// The timestamp is inside the signed bytes, so a captured delivery cannot
// be replayed later with a fresh timestamp.
func SignWebhook(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(webhookMAC(secret, ts, body))
}

// VerifyWebhook is the receiver's check, as documented to subscribers: parse
// the header, refuse a timestamp more than WebhookSignatureTolerance away
// from now, recompute the HMAC over "<t>.<body>" and compare it in constant
// time with every v1 value (several are allowed so a sender can sign with an
// old and a new secret while a rotation is under way). Unknown keys (a later
// "v2") are ignored so that receivers keep working when the scheme grows.
//
// AriesOne does not need it to send; it is the reference implementation for
// partners and for tests of this package.
func VerifyWebhook(secret, header string, body []byte, now time.Time) error {
	ts, sigs, err := parseWebhookSignature(header)
	if err != nil {
		return err
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrWebhookSignatureMalformed
	}
	age := now.Unix() - t
	tolerance := int64(WebhookSignatureTolerance / time.Second)
	if age > tolerance || age < -tolerance {
		return ErrWebhookSignatureExpired
	}
	want := webhookMAC(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(want, s) {
			return nil
		}
	}
	return ErrWebhookSignatureMismatch
}

// parseWebhookSignature splits the header into its one timestamp and its
// v1 signatures, decoded. The timestamp must be plain decimal digits: a
// sign, spaces or leading "+" would give one signature several spellings.
func parseWebhookSignature(header string) (ts string, sigs [][]byte, err error) {
	if len(header) > maxWebhookSignatureHeader {
		return "", nil, ErrWebhookSignatureMalformed
	}
	for item := range strings.SplitSeq(header, ",") {
		key, value, ok := strings.Cut(item, "=")
		if !ok {
			return "", nil, ErrWebhookSignatureMalformed
		}
		switch key {
		case "t":
			if ts != "" || !isDecimal(value) {
				return "", nil, ErrWebhookSignatureMalformed
			}
			ts = value
		case "v1":
			sig, err := hex.DecodeString(value)
			if err != nil || len(sig) != sha256.Size {
				return "", nil, ErrWebhookSignatureMalformed
			}
			sigs = append(sigs, sig)
		}
	}
	if ts == "" || len(sigs) == 0 {
		return "", nil, ErrWebhookSignatureMalformed
	}
	return ts, sigs, nil
}

// isDecimal reports whether s is 1 to 18 ASCII digits: any Unix time in
// seconds for the next few billion years, and never an int64 overflow.
func isDecimal(s string) bool {
	if s == "" || len(s) > 18 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// webhookMAC is HMAC-SHA256(secret, "<ts>.<body>").
func webhookMAC(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}
