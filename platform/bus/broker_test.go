package bus

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// The RabbitMQ tests run against a real broker, named by AMQP_URL and by
// default the local development one. A test that cannot reach it fails
// (under CI=true and everywhere else): a skipped broker test would let a
// broken publisher ship.
const defaultTestURL = "amqp://guest:guest@127.0.0.1:5672/"

// brokerURL returns the test broker's URL after checking it answers.
func brokerURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("AMQP_URL")
	if url == "" {
		url = defaultTestURL
	}
	conn, err := amqp.DialConfig(url, amqp.Config{Dial: amqp.DefaultDial(5 * time.Second)})
	if err != nil {
		hint := ""
		if os.Getenv("CI") == "true" {
			hint = " (CI=true: the broker service must be running)"
		}
		t.Fatalf("RabbitMQ unreachable%s: %v; start it or set AMQP_URL", hint, err)
	}
	_ = conn.Close()
	return url
}

// brokerSubject is a bus on its own exchange, with helpers to look at the
// broker directly. Everything it declares is deleted when the test ends.
type brokerSubject struct {
	subject
	amqp     *AMQP
	url      string
	exchange string
	connName string
}

// newBrokerSubject opens a bus on a fresh exchange; change adjusts its
// configuration before Open.
func newBrokerSubject(t *testing.T, change func(*Config)) *brokerSubject {
	t.Helper()
	url := brokerURL(t)
	suffix := randomSuffix(t)
	s := &brokerSubject{url: url, exchange: "bustest." + suffix, connName: "bustest-" + suffix}
	var queues []string
	t.Cleanup(func() { deleteTopology(t, url, s.exchange, queues) })

	cfg := Config{
		URL:            url,
		Exchange:       s.exchange,
		ConnectionName: s.connName,
		ReconnectMin:   50 * time.Millisecond,
		ReconnectMax:   time.Second,
		ConfirmTimeout: 10 * time.Second,
		HandlerTimeout: 30 * time.Second,
	}
	if change != nil {
		change(&cfg)
	}
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	b, err := Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	s.amqp = b
	s.subject = subject{
		bus: b,
		queue: func(t *testing.T) string {
			q := "bustest." + randomSuffix(t)
			queues = append(queues, q, deadLetterQueue(q))
			return q
		},
		deadLetters: func(t *testing.T, ctx context.Context, queue string, n int) []Delivery {
			return s.readDeadLetters(t, ctx, queue, n)
		},
	}
	return s
}

// channel opens a channel on a connection of the test's own, closed when
// the test ends.
func (s *brokerSubject) channel(t *testing.T) *amqp.Channel {
	t.Helper()
	conn, err := amqp.Dial(s.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// readDeadLetters takes messages off "<queue>.dlq" until it has n (or, for
// n == 0, until it is empty) and decodes them.
func (s *brokerSubject) readDeadLetters(t *testing.T, ctx context.Context, queue string, n int) []Delivery {
	t.Helper()
	ch := s.channel(t)
	var out []Delivery
	for {
		d, ok, err := ch.Get(deadLetterQueue(queue), true)
		if err != nil {
			t.Fatalf("get from %s: %v", deadLetterQueue(queue), err)
		}
		if ok {
			msg, err := decodeDelivery(d)
			if err != nil {
				t.Fatalf("dead letter %s does not decode: %v", d.MessageId, err)
			}
			out = append(out, msg)
			continue
		}
		if len(out) >= n {
			return out
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d dead letters in %s, want %d", len(out), deadLetterQueue(queue), n)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// readyCount returns how many messages are ready in queue.
func (s *brokerSubject) readyCount(t *testing.T, queue string) int {
	t.Helper()
	q, err := s.channel(t).QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		t.Fatalf("inspect %s: %v", queue, err)
	}
	return q.Messages
}

// deleteTopology removes a test's queues and exchanges.
func deleteTopology(t *testing.T, url, exchange string, queues []string) {
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	defer conn.Close()
	// Each deletion gets a fresh channel: a failed one closes its channel.
	do := func(what string, f func(*amqp.Channel) error) {
		ch, err := conn.Channel()
		if err != nil {
			t.Errorf("cleanup %s: %v", what, err)
			return
		}
		defer ch.Close()
		if err := f(ch); err != nil {
			t.Errorf("cleanup %s: %v", what, err)
		}
	}
	for _, q := range queues {
		do("queue "+q, func(ch *amqp.Channel) error { _, err := ch.QueueDelete(q, false, false, false); return err })
	}
	for _, x := range []string{exchange, deadLetterExchange(exchange)} {
		do("exchange "+x, func(ch *amqp.Channel) error { return ch.ExchangeDelete(x, false, false) })
	}
}

// closeConnectionFromBroker makes the broker close the connection named
// name, and only that one: other packages' tests share the broker.
func closeConnectionFromBroker(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	ctl, err := exec.LookPath("rabbitmqctl")
	if err != nil {
		t.Fatalf("rabbitmqctl is needed to close a connection from the broker side: %v", err)
	}
	for {
		pid, err := connectionPID(ctx, ctl, name)
		if err != nil {
			t.Fatal(err)
		}
		if pid != "" {
			out, err := exec.CommandContext(ctx, ctl, "close_connection", pid, "test").CombinedOutput()
			if err != nil {
				t.Fatalf("rabbitmqctl close_connection: %v\n%s", err, out)
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("connection %q not listed by the broker", name)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// connectionPID returns the broker's pid of the connection named name, ""
// when there is none. The table output is one connection a line: the pid
// (in the form close_connection takes), a tab, the client properties.
func connectionPID(ctx context.Context, ctl, name string) (string, error) {
	out, err := exec.CommandContext(ctx, ctl, "list_connections", "pid", "client_properties", "--silent").Output()
	if err != nil {
		return "", fmt.Errorf("rabbitmqctl list_connections: %w", err)
	}
	want := fmt.Sprintf("{%q,%q}", "connection_name", name)
	for line := range strings.Lines(string(out)) {
		pid, props, ok := strings.Cut(line, "\t")
		if ok && strings.Contains(props, want) {
			return pid, nil
		}
	}
	return "", nil
}
