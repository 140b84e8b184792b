package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

// Attempt outcomes, the label values of ariesone_webhook_attempts_total.
const (
	outcomeSucceeded       = "succeeded"
	outcomeHTTPError       = "http_error"
	outcomeTimeout         = "timeout"
	outcomeConnectionError = "connection_error"
	outcomeBlocked         = "blocked"
)

// userAgent identifies AriesOne to receivers and their firewalls.
const userAgent = "AriesOne-Webhooks/1"

// maxResponseRead bounds how much of a response body is read (and thrown
// away) so the connection can be reused; a receiver has nothing to tell
// AriesOne beyond its status code.
const maxResponseRead = 64 << 10

// Sender POSTs deliveries. It follows no redirects (a 3xx is a failed
// attempt: the receiver must give the URL it means) and ignores proxy
// settings from the environment, which would otherwise dial the proxy
// rather than the receiver and hide the receiver's address from the guard.
type Sender struct {
	client  *http.Client
	timeout time.Duration
	now     func() time.Time
}

// NewSender returns a Sender whose attempts each take at most timeout.
// Unless allowInsecure, it refuses to connect to non-public addresses
// (loopback, private, link-local...).
func NewSender(timeout time.Duration, allowInsecure bool) *Sender {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowInsecure {
		dialer.Control = refuseNonPublic
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
	return &Sender{
		client: &http.Client{
			Transport: transport,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		timeout: timeout,
		now:     time.Now,
	}
}

// send POSTs d's body to url, signed with secret at the moment of sending,
// and returns the attempt (unnumbered: recording numbers it) and its
// outcome for the metrics. It never returns an error: whatever went wrong
// is the attempt's failure.
func (s *Sender) send(ctx context.Context, url, secret string, d *domain.WebhookDelivery) (domain.WebhookAttempt, string) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	start := s.now().UTC().Truncate(time.Microsecond)
	a := domain.WebhookAttempt{Time: start}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		// The URL was checked when it was saved; this is a bug, not the
		// receiver's fault, but it must still count as a failed attempt.
		a.Error = "invalid request"
		return a, outcomeConnectionError
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set(domain.WebhookHeaderEventID, d.EventID)
	req.Header.Set(domain.WebhookHeaderEventType, d.EventType)
	req.Header.Set(domain.WebhookHeaderSignature, domain.SignWebhook(secret, start, d.Body))

	resp, err := s.client.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseRead))
		resp.Body.Close()
	}
	a.Duration = s.now().Sub(start)
	if a.Duration < 0 {
		a.Duration = 0
	}
	if err != nil {
		a.Error, err = describeSendError(ctx, err)
		return a, outcomeOf(err)
	}
	a.HTTPStatus = resp.StatusCode
	if !a.Succeeded() {
		a.Error = "HTTP " + strconv.Itoa(resp.StatusCode)
		return a, outcomeHTTPError
	}
	return a, outcomeSucceeded
}

// Classes of send errors, for outcomeOf.
var (
	errClassTimeout = errors.New("timeout")
	errClassBlocked = errors.New("blocked")
	errClassOther   = errors.New("connection")
)

// describeSendError turns a client error into the short description an
// attempt logs for the subscriber ("timeout", "connection refused"),
// without internal detail such as this service's addresses, and its class.
func describeSendError(ctx context.Context, err error) (string, error) {
	var netErr net.Error
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.Is(err, errAddressNotAllowed):
		return errAddressNotAllowed.Error(), errClassBlocked
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return "timeout", errClassTimeout
	case errors.As(err, &dnsErr):
		return "DNS lookup failed", errClassOther
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused", errClassOther
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset", errClassOther
	case errors.As(err, &certErr):
		return "TLS certificate not trusted", errClassOther
	case errors.Is(err, context.Canceled):
		return "cancelled", errClassOther
	default:
		return "connection failed", errClassOther
	}
}

func outcomeOf(class error) string {
	switch class {
	case errClassTimeout:
		return outcomeTimeout
	case errClassBlocked:
		return outcomeBlocked
	default:
		return outcomeConnectionError
	}
}
