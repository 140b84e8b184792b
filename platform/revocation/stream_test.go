package revocation_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"google.golang.org/protobuf/proto"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/errs"
	"github.com/ariesone/ariesone/platform/identity"
	"github.com/ariesone/ariesone/platform/revocation"
)

// brokerURL is the test broker; a test that cannot reach it fails.
func brokerURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("AMQP_URL")
	if url == "" {
		url = "amqp://guest:guest@127.0.0.1:5672/"
	}
	conn, err := amqp.DialConfig(url, amqp.Config{Dial: amqp.DefaultDial(5 * time.Second)})
	if err != nil {
		t.Fatalf("RabbitMQ unreachable: %v; start it or set AMQP_URL", err)
	}
	_ = conn.Close()
	return url
}

// TestRevocationReachesEverySetThroughTheBroker: company's logout event,
// published to the exchange, is refused by a running set within seconds,
// and by a set that starts afterwards (a restarted replica) once it has
// read the stream back.
func TestRevocationReachesEverySetThroughTheBroker(t *testing.T) {
	url := brokerURL(t)
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "revocationtest." + hex.EncodeToString(suffix)
	t.Cleanup(func() {
		conn, err := amqp.Dial(url)
		if err != nil {
			return
		}
		defer conn.Close()
		if ch, err := conn.Channel(); err == nil {
			_, _ = ch.QueueDelete(name, false, false, false)
			_ = ch.ExchangeDelete(name, false, false)
			_ = ch.ExchangeDelete(name+".dlx", false, false)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := bus.Open(ctx, bus.Config{URL: url, Exchange: name, ConnectionName: name})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	running := startSet(t, ctx, b, name)
	user := principal("u-1", "s-gone", time.Now())
	if err := running.Check(user); err != nil {
		t.Fatalf("before the logout: %v", err)
	}
	payload, err := proto.Marshal(&companyv1.SessionRevoked{SessionId: "s-gone", UserId: "u-1"})
	if err != nil {
		t.Fatal(err)
	}
	loggedOut := time.Now()
	msg := bus.Message{ID: hex.EncodeToString(suffix) + "-logout", Type: revocation.EventSessionRevoked, PayloadType: "ariesone.company.v1.SessionRevoked",
		CompanyID: "c-1", Source: "company", OccurTime: loggedOut, Payload: payload}
	for _, err := range b.Publish(ctx, []bus.Message{msg}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	waitRefused(t, ctx, running, user)
	t.Logf("refused %v after the logout was published", time.Since(loggedOut).Round(time.Millisecond))

	restarted := startSet(t, ctx, b, name)
	waitRefused(t, ctx, restarted, user)
	if err := restarted.Check(principal("u-1", "s-other", time.Now())); err != nil {
		t.Errorf("another session of the user: %v", err)
	}
}

func startSet(t *testing.T, ctx context.Context, b *bus.AMQP, stream string) *revocation.Set {
	t.Helper()
	set := revocation.New(revocation.Config{Stream: stream})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- set.Run(runCtx, b) }()
	t.Cleanup(func() { stop(); <-done })
	for set.Ping(ctx) != nil {
		select {
		case <-ctx.Done():
			t.Fatal("the set never caught up with the stream")
		case <-time.After(20 * time.Millisecond):
		}
	}
	return set
}

func waitRefused(t *testing.T, ctx context.Context, set *revocation.Set, p identity.Principal) {
	t.Helper()
	deadline, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		if err := set.Check(p); errs.KindOf(err) == errs.KindUnauthenticated {
			return
		}
		select {
		case <-deadline.Done():
			t.Fatal("the revoked session was still accepted 5 s after its revocation was published")
		case <-time.After(20 * time.Millisecond):
		}
	}
}
