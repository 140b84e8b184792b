package domain_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

const testSecret = "whsec_dGVzdC1zZWNyZXQtZm9yLXRoZS1zaWduYXR1cmUtdGVzdHM"

// referenceMAC computes the documented signature from the contract alone:
// hex(HMAC-SHA256(secret, "<t>.<body>")).
func referenceMAC(secret string, t int64, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.%s", t, body)
	return hex.EncodeToString(m.Sum(nil))
}

func TestSignWebhookMatchesTheContract(t *testing.T) {
	at := time.Unix(1767225600, 999_000_000) // the fraction is dropped
	body := `{"id":"e-1","type":"company.location.created.v1"}`
	got := domain.SignWebhook(testSecret, at, []byte(body))
	want := "t=1767225600,v1=" + referenceMAC(testSecret, 1767225600, body)
	if got != want {
		t.Errorf("SignWebhook = %q, want %q", got, want)
	}
}

func TestVerifyWebhook(t *testing.T) {
	now := time.Unix(1767225600, 0)
	body := []byte(`{"id":"e-1"}`)
	sig := func(secret string, ts int64) string { return referenceMAC(secret, ts, string(body)) }
	ts := now.Unix()
	good := sig(testSecret, ts)
	tests := []struct {
		name   string
		header string
		body   []byte
		want   error
	}{
		{name: "valid", header: fmt.Sprintf("t=%d,v1=%s", ts, good), want: nil},
		{name: "v1 before t", header: fmt.Sprintf("v1=%s,t=%d", good, ts), want: nil},
		{name: "rotation: old secret first", header: fmt.Sprintf("t=%d,v1=%s,v1=%s", ts, sig("whsec_old", ts), good), want: nil},
		{name: "unknown scheme ignored", header: fmt.Sprintf("t=%d,v0=abc,v1=%s", ts, good), want: nil},
		{name: "upper-case hex", header: fmt.Sprintf("t=%d,v1=%s", ts, strings.ToUpper(good)), want: nil},
		{name: "at the tolerance, past", header: fmt.Sprintf("t=%d,v1=%s", ts-300, sig(testSecret, ts-300)), want: nil},
		{name: "at the tolerance, future", header: fmt.Sprintf("t=%d,v1=%s", ts+300, sig(testSecret, ts+300)), want: nil},
		{name: "stale", header: fmt.Sprintf("t=%d,v1=%s", ts-301, sig(testSecret, ts-301)), want: domain.ErrWebhookSignatureExpired},
		{name: "future", header: fmt.Sprintf("t=%d,v1=%s", ts+301, sig(testSecret, ts+301)), want: domain.ErrWebhookSignatureExpired},
		{name: "other secret", header: fmt.Sprintf("t=%d,v1=%s", ts, sig("whsec_other", ts)), want: domain.ErrWebhookSignatureMismatch},
		{name: "other body", header: fmt.Sprintf("t=%d,v1=%s", ts, good), body: []byte(`{"id":"e-2"}`), want: domain.ErrWebhookSignatureMismatch},
		{name: "timestamp swapped after signing", header: fmt.Sprintf("t=%d,v1=%s", ts-1, good), want: domain.ErrWebhookSignatureMismatch},
		{name: "empty", header: "", want: domain.ErrWebhookSignatureMalformed},
		{name: "no timestamp", header: "v1=" + good, want: domain.ErrWebhookSignatureMalformed},
		{name: "no signature", header: fmt.Sprintf("t=%d", ts), want: domain.ErrWebhookSignatureMalformed},
		{name: "two timestamps", header: fmt.Sprintf("t=%d,t=%d,v1=%s", ts, ts, good), want: domain.ErrWebhookSignatureMalformed},
		{name: "signed timestamp", header: fmt.Sprintf("t=+%d,v1=%s", ts, good), want: domain.ErrWebhookSignatureMalformed},
		{name: "negative timestamp", header: fmt.Sprintf("t=-%d,v1=%s", ts, good), want: domain.ErrWebhookSignatureMalformed},
		{name: "timestamp in milliseconds overflowing", header: "t=99999999999999999999,v1=" + good, want: domain.ErrWebhookSignatureMalformed},
		{name: "spaces", header: fmt.Sprintf("t=%d, v1=%s", ts, good), want: domain.ErrWebhookSignatureMalformed},
		{name: "short signature", header: fmt.Sprintf("t=%d,v1=%s", ts, good[:62]), want: domain.ErrWebhookSignatureMalformed},
		{name: "not hex", header: fmt.Sprintf("t=%d,v1=%s", ts, strings.Repeat("z", 64)), want: domain.ErrWebhookSignatureMalformed},
		{name: "item without =", header: fmt.Sprintf("t=%d,v1=%s,junk", ts, good), want: domain.ErrWebhookSignatureMalformed},
		{name: "huge header", header: fmt.Sprintf("t=%d,v1=%s,", ts, good) + strings.Repeat("x=y,", 2000) + "v1=" + good, want: domain.ErrWebhookSignatureMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := body
			if tt.body != nil {
				b = tt.body
			}
			err := domain.VerifyWebhook(testSecret, tt.header, b, now)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("VerifyWebhook = %v, want %v", err, tt.want)
			}
		})
	}
}

// FuzzVerifyWebhook checks that Verify never panics, that it accepts a
// header only when one of its v1 values really is the HMAC of the body at
// a timestamp within the tolerance, and that whatever SignWebhook makes
// verifies.
func FuzzVerifyWebhook(f *testing.F) {
	now := time.Unix(1767225600, 0)
	f.Add(domain.SignWebhook(testSecret, now, []byte("{}")), []byte("{}"), int64(0))
	f.Add("t=1767225600,v1=00", []byte("x"), int64(-301))
	f.Add("t=,v1=", []byte(""), int64(5))
	f.Add("v1="+strings.Repeat("a", 64)+",t=1", []byte("body"), int64(1<<40))
	f.Fuzz(func(t *testing.T, header string, body []byte, offset int64) {
		err := domain.VerifyWebhook(testSecret, header, body, now)
		if err == nil {
			ts, ok := acceptedTimestamp(header)
			if !ok {
				t.Fatalf("accepted %q, which has no single decimal timestamp", header)
			}
			if d := now.Unix() - ts; d > 300 || d < -300 {
				t.Fatalf("accepted %q with timestamp %d, %ds from now", header, ts, d)
			}
			if !hasV1(header, referenceMAC(testSecret, ts, string(body))) {
				t.Fatalf("accepted %q, none of whose v1 values is the HMAC of the body", header)
			}
		} else if !errors.Is(err, domain.ErrWebhookSignatureMalformed) && !errors.Is(err, domain.ErrWebhookSignatureExpired) &&
			!errors.Is(err, domain.ErrWebhookSignatureMismatch) {
			t.Fatalf("VerifyWebhook error %v is none of the documented ones", err)
		}

		// Round trip: a signature made now verifies within the tolerance.
		const maxOffset = int64(domain.WebhookSignatureTolerance / time.Second)
		offset %= maxOffset + 1
		signed := domain.SignWebhook(testSecret, now.Add(time.Duration(offset)*time.Second), body)
		if err := domain.VerifyWebhook(testSecret, signed, body, now); err != nil {
			t.Fatalf("SignWebhook at offset %ds does not verify: %v", offset, err)
		}
	})
}

func acceptedTimestamp(header string) (int64, bool) {
	var ts int64
	found := 0
	for _, item := range strings.Split(header, ",") {
		v, ok := strings.CutPrefix(item, "t=")
		if !ok {
			continue
		}
		if strings.TrimLeft(v, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, false
		}
		ts = n
		found++
	}
	return ts, found == 1
}

func hasV1(header, want string) bool {
	for _, item := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(item, "v1="); ok && strings.EqualFold(v, want) {
			return true
		}
	}
	return false
}
