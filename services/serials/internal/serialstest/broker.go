package serialstest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/ariesone/ariesone/platform/bus"
)

// Broker is a bus on the test RabbitMQ (AMQP_URL, by default the local
// development broker) publishing to an exchange of one test's own, so
// tests share the broker without hearing each other. Its exchanges, and
// the queues Queue names, are deleted when the test ends. A broker that
// cannot be reached fails the test.
type Broker struct {
	*bus.AMQP
	URL, Exchange string
}

// NewBroker opens a Broker for t.
func NewBroker(t testing.TB) *Broker {
	t.Helper()
	url := os.Getenv("AMQP_URL")
	if url == "" {
		url = "amqp://guest:guest@127.0.0.1:5672/"
	}
	b := &Broker{URL: url, Exchange: "serialstest." + uuid.NewString()}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	b.AMQP, err = bus.Open(ctx, bus.Config{URL: url, Exchange: b.Exchange, ConnectionName: b.Exchange,
		ReconnectMin: 50 * time.Millisecond, ReconnectMax: time.Second})
	if err != nil {
		t.Fatalf("RabbitMQ unreachable: %v; start it or set AMQP_URL", err)
	}
	t.Cleanup(func() {
		_ = b.Close()
		b.delete(t, func(ch *amqp.Channel) {
			_ = ch.ExchangeDelete(b.Exchange, false, false)
			_ = ch.ExchangeDelete(b.Exchange+".dlx", false, false)
		})
	})
	return b
}

// Queue returns a queue name for the test, deleted with its dead-letter
// queue ("<name>.dlq") when the test ends.
func (b *Broker) Queue(t testing.TB) string {
	name := b.Exchange + ".queue"
	t.Cleanup(func() {
		b.delete(t, func(ch *amqp.Channel) {
			_, _ = ch.QueueDelete(name, false, false, false)
			_, _ = ch.QueueDelete(name+".dlq", false, false, false)
		})
	})
	return name
}

// DeadLetter waits until queue's dead-letter queue holds the message id
// and takes it out; the test fails when ctx ends first.
func (b *Broker) DeadLetter(t testing.TB, ctx context.Context, queue, id string) {
	t.Helper()
	conn, err := amqp.Dial(b.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	for {
		d, ok, err := ch.Get(queue+".dlq", true)
		switch {
		case err != nil:
			t.Fatalf("reading %s.dlq: %v", queue, err)
		case ok && d.MessageId == id:
			return
		case ok:
			continue
		}
		select {
		case <-ctx.Done():
			t.Fatalf("message %s never reached %s.dlq", id, queue)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// delete runs do on a channel of a connection of its own.
func (b *Broker) delete(t testing.TB, do func(*amqp.Channel)) {
	conn, err := amqp.Dial(b.URL)
	if err != nil {
		t.Logf("cleaning the broker up: %v", err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Logf("cleaning the broker up: %v", err)
		return
	}
	do(ch)
}
