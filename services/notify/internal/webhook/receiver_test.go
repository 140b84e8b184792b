package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// received is one request a test receiver got.
type received struct {
	at        time.Time
	eventID   string
	eventType string
	body      string
	// sigErr is nil when the signature verified.
	sigErr error
	// status is what the receiver answered.
	status int
}

// receiver is a partner's webhook endpoint on loopback. It checks every
// request's signature the way the WebhookService documentation tells
// partners to (implemented here from the documentation alone), records it,
// and answers 500 to its first failures requests (every request when
// failures is negative), 204 after that.
type receiver struct {
	srv *httptest.Server

	mu       sync.Mutex
	secret   string
	failures int
	got      []received
}

func newReceiver(t *testing.T, failures int) *receiver {
	t.Helper()
	r := &receiver{failures: failures}
	r.srv = httptest.NewServer(r)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) URL() string { return r.srv.URL + "/ariesone/events" }

// setSecret gives the receiver the secret CreateWebhookSubscription
// returned.
func (r *receiver) setSecret(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret = s
}

// recover makes the receiver answer 204 from now on.
func (r *receiver) recover() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = 0
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := received{
		at:        at,
		eventID:   req.Header.Get("AriesOne-Event-Id"),
		eventType: req.Header.Get("AriesOne-Event-Type"),
		body:      string(body),
		sigErr:    checkSignature(r.secret, req.Header.Get("AriesOne-Signature"), body, at),
		status:    http.StatusNoContent,
	}
	switch {
	case req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json":
		rec.status = http.StatusMethodNotAllowed
	case rec.sigErr != nil:
		rec.status = http.StatusUnauthorized
	case r.failures != 0:
		rec.status = http.StatusInternalServerError
		if r.failures > 0 {
			r.failures--
		}
	}
	r.got = append(r.got, rec)
	w.WriteHeader(rec.status)
}

// checkSignature is a partner's verification of AriesOne-Signature, from
// the contract: "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>",
// compared in constant time, timestamps more than five minutes away
// refused.
func checkSignature(secret, header string, body []byte, now time.Time) error {
	if secret == "" {
		return errors.New("receiver has no secret yet")
	}
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return errors.New("malformed signature header " + header)
	}
	if d := now.Unix() - t; d > 300 || d < -300 {
		return errors.New("stale signature")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range sigs {
		got, err := hex.DecodeString(s)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("signature mismatch")
}
