package bus

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
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
	cfg      Config   // what the bus was opened with
	queues   []string // deleted when the test ends
}

// newBrokerSubject opens a bus on a fresh exchange; change adjusts its
// configuration before Open.
func newBrokerSubject(t *testing.T, change func(*Config)) *brokerSubject {
	t.Helper()
	url := brokerURL(t)
	suffix := randomSuffix(t)
	s := &brokerSubject{url: url, exchange: "bustest." + suffix, connName: "bustest-" + suffix}
	t.Cleanup(func() { deleteTopology(t, url, s.exchange, s.queues) })

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
	s.cfg = cfg
	b := openBus(t, cfg)
	s.amqp = b
	s.subject = subject{
		bus: b,
		queue: func(t *testing.T) string {
			q := "bustest." + randomSuffix(t)
			s.queues = append(s.queues, q, deadLetterQueue(q))
			return q
		},
		deadLetters: func(t *testing.T, ctx context.Context, queue string, n int) []Delivery {
			return s.readDeadLetters(t, ctx, queue, n)
		},
	}
	return s
}

// openBus opens a bus with cfg, closed when the test ends.
func openBus(t *testing.T, cfg Config) *AMQP {
	t.Helper()
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
	return b
}

// replica opens another bus on the subject's exchange, with a connection
// of its own, as another process would; url is the broker's, or a proxy's
// in front of it.
func (s *brokerSubject) replica(t *testing.T, url string) *AMQP {
	t.Helper()
	cfg := s.cfg
	cfg.URL = url
	cfg.ConnectionName = s.connName + "-" + randomSuffix(t)
	cfg.Registerer = nil
	return openBus(t, cfg)
}

// stream returns a stream name unused by any other test, deleted when the
// test ends.
func (s *brokerSubject) stream(t *testing.T) string {
	name := "bustest.stream." + randomSuffix(t)
	s.queues = append(s.queues, name)
	return name
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

// tcpProxy forwards connections to the broker and cuts them on demand: a
// network failure as the client sees it, without touching the broker that
// other packages' tests share.
type tcpProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	conns []net.Conn
}

// newTCPProxy starts a proxy to the broker of brokerURL, stopped when the
// test ends.
func newTCPProxy(t *testing.T, brokerURL string) *tcpProxy {
	t.Helper()
	uri, err := amqp.ParseURI(brokerURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: net.JoinHostPort(uri.Host, strconv.Itoa(uri.Port))}
	t.Cleanup(func() {
		_ = ln.Close()
		p.cut()
	})
	go p.serve()
	return p
}

// url is brokerURL with the proxy in the broker's place.
func (p *tcpProxy) url(t *testing.T, brokerURL string) string {
	t.Helper()
	uri, err := amqp.ParseURI(brokerURL)
	if err != nil {
		t.Fatal(err)
	}
	addr := p.ln.Addr().(*net.TCPAddr)
	uri.Host, uri.Port = addr.IP.String(), addr.Port
	return uri.String()
}

func (p *tcpProxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		broker, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, broker)
		p.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			_, _ = io.Copy(dst, src)
			_ = dst.Close()
			_ = src.Close()
		}
		go pipe(broker, client)
		go pipe(client, broker)
	}
}

// cut closes every connection through the proxy; new ones are accepted.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}
