package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// ErrClosed reports a Publish or Consume on a bus that was closed.
var ErrClosed = errors.New("bus: closed")

// dialTimeout bounds the TCP connect and the AMQP handshake of one attempt.
const dialTimeout = 30 * time.Second

// heartbeat is how often the connection proves it is alive, and so about
// how long a silently dead broker (a dropped network path) goes unnoticed.
const heartbeat = 10 * time.Second

// AMQP is the bus over RabbitMQ. It holds one connection, replaced after a
// loss with exponential backoff; the publisher and each consumer open their
// own channels on it and open them again after a reconnect, after the
// topology has been declared again. It is safe for concurrent use.
type AMQP struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	pub     publisher

	mu      sync.Mutex
	conn    *amqp.Connection // nil while disconnected
	down    chan struct{}    // closed when conn is lost
	up      chan struct{}    // closed when a connection is established
	lastErr error            // why the last attempt or connection failed
	closed  bool

	// stopping ends when Close begins: consumers finish their batch and
	// return. lifetime ends when the consumers are gone: the connection
	// manager stops.
	stopping, lifetime     context.Context
	stopConsumers, stopAll context.CancelFunc
	consumers              sync.WaitGroup
	managerDone            chan struct{}
}

var (
	_ Publisher        = (*AMQP)(nil)
	_ Subscriber       = (*AMQP)(nil)
	_ StreamSubscriber = (*AMQP)(nil)
)

// Open connects to the broker and declares the exchanges. A broker that
// refuses the credentials or the declarations (a misconfiguration no retry
// can fix) is an error. A broker that cannot be reached is not: Open
// returns, the bus keeps trying in the background, Publish and Consume wait
// for it, and Ping reports it unreachable, so the service can start and
// report NOT_SERVING until the broker is back.
func Open(ctx context.Context, cfg Config) (*AMQP, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	a := &AMQP{
		cfg:         cfg,
		log:         cfg.Logger.With("exchange", cfg.Exchange),
		metrics:     m,
		up:          make(chan struct{}),
		managerDone: make(chan struct{}),
	}
	a.pub.init()
	a.stopping, a.stopConsumers = context.WithCancel(context.WithoutCancel(ctx))
	a.lifetime, a.stopAll = context.WithCancel(context.WithoutCancel(ctx))
	a.metrics.connected.WithLabelValues(cfg.Exchange).Set(0)

	first := make(chan error, 1)
	go a.maintain(first)
	select {
	case err = <-first:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil && (isPermanent(err) || ctx.Err() != nil) {
		a.stopAll()
		<-a.managerDone
		return nil, err
	}
	if err != nil {
		a.log.Warn("broker unreachable; retrying in the background", "error", err)
	}
	return a, nil
}

// Ping returns nil while the bus is connected to the broker and the reason
// it is not otherwise. It does not wait: a health check calls it.
func (a *AMQP) Ping(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.closed:
		return ErrClosed
	case a.conn != nil && !a.conn.IsClosed():
		return nil
	case a.lastErr != nil:
		return fmt.Errorf("bus: not connected to the broker: %w", a.lastErr)
	default:
		return errors.New("bus: not connected to the broker yet")
	}
}

// Connected reports whether the bus is connected to the broker now.
func (a *AMQP) Connected() bool { return a.Ping(context.Background()) == nil }

// Close shuts the bus down gracefully: consumers stop taking deliveries,
// finish the batch in hand and acknowledge it (Consume returns), an
// in-flight Publish gets its confirms, and then the connection is closed.
// Deliveries a consumer had prefetched but not started go back to their
// queue. Close waits at most about HandlerTimeout plus ConfirmTimeout.
func (a *AMQP) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	a.mu.Unlock()

	a.stopConsumers()
	a.consumers.Wait()
	a.pub.close(a.cfg.ConfirmTimeout)
	a.stopAll()
	<-a.managerDone

	a.mu.Lock()
	conn := a.conn
	a.conn = nil
	a.mu.Unlock()
	a.metrics.connected.WithLabelValues(a.cfg.Exchange).Set(0)
	if conn == nil || conn.IsClosed() {
		return nil
	}
	if err := conn.Close(); err != nil && !errors.Is(err, amqp.ErrClosed) {
		return fmt.Errorf("bus: close connection: %w", err)
	}
	return nil
}

// connection returns the current connection and a channel closed when it
// is lost, waiting for one until ctx ends.
func (a *AMQP) connection(ctx context.Context) (*amqp.Connection, <-chan struct{}, error) {
	for {
		a.mu.Lock()
		conn, down, up, closed, lastErr := a.conn, a.down, a.up, a.closed, a.lastErr
		a.mu.Unlock()
		if closed {
			return nil, nil, ErrClosed
		}
		if conn != nil {
			return conn, down, nil
		}
		select {
		case <-up:
		case <-a.lifetime.Done():
			return nil, nil, ErrClosed
		case <-ctx.Done():
			if lastErr != nil {
				return nil, nil, fmt.Errorf("bus: waiting for the broker (last error: %v): %w", lastErr, ctx.Err())
			}
			return nil, nil, fmt.Errorf("bus: waiting for the broker: %w", ctx.Err())
		}
	}
}

// maintain is the connection manager: it connects, waits for the
// connection to be lost, and connects again with backoff, until the bus
// closes. The outcome of the first attempt goes to first.
func (a *AMQP) maintain(first chan<- error) {
	defer close(a.managerDone)
	wait := newBackoff(a.cfg.ReconnectMin, a.cfg.ReconnectMax)
	connectedBefore := false
	for {
		conn, err := a.dial()
		if first != nil {
			first <- err
			first = nil
		}
		if err != nil {
			a.setDown(err)
			d := wait.next()
			a.log.Warn("cannot reach the broker", "error", err, "retry_in", d)
			if !sleep(a.lifetime, d) {
				return
			}
			continue
		}
		wait.reset()
		lost := conn.NotifyClose(make(chan *amqp.Error, 1))
		if !a.setUp(conn) {
			_ = conn.Close()
			return
		}
		if connectedBefore {
			a.metrics.reconnects.WithLabelValues(a.cfg.Exchange).Inc()
			a.log.Info("reconnected to the broker")
		}
		connectedBefore = true
		select {
		case <-a.lifetime.Done():
			// Close closes the connection once the publisher is done.
			return
		case amqpErr := <-lost:
			err := errors.New("connection closed")
			if amqpErr != nil {
				err = amqpErr
			}
			a.setDown(err)
			a.log.Warn("lost the broker connection", "error", err)
		}
	}
}

// dial opens a connection and declares the exchanges on it.
func (a *AMQP) dial() (*amqp.Connection, error) {
	props := amqp.NewConnectionProperties()
	if a.cfg.ConnectionName != "" {
		props.SetClientConnectionName(a.cfg.ConnectionName)
	}
	conn, err := amqp.DialConfig(a.cfg.URL, amqp.Config{
		Heartbeat:  heartbeat,
		Properties: props,
		Dial:       a.dialNet,
	})
	if err != nil {
		return nil, fmt.Errorf("bus: connect: %w", err)
	}
	ch, err := conn.Channel()
	if err == nil {
		err = declareExchanges(ch, a.cfg.Exchange)
		if err == nil {
			err = ch.Close()
		}
	}
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return conn, nil
}

// dialNet is the TCP dial of one attempt: abandoned when the bus closes,
// and with a deadline on the handshake (the library clears it once the
// connection is open and heartbeats take over).
func (a *AMQP) dialNet(network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(a.lifetime, dialTimeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if err := c.SetDeadline(time.Now().Add(dialTimeout)); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// setUp publishes conn to waiters; false when the bus is closing.
func (a *AMQP) setUp(conn *amqp.Connection) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.lifetime.Err() != nil {
		return false
	}
	a.conn = conn
	a.down = make(chan struct{})
	a.lastErr = nil
	close(a.up)
	a.metrics.connected.WithLabelValues(a.cfg.Exchange).Set(1)
	return true
}

// setDown records that there is no connection and why.
func (a *AMQP) setDown(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.lastErr = err
	if a.conn == nil {
		return
	}
	a.conn = nil
	close(a.down)
	a.up = make(chan struct{})
	a.metrics.connected.WithLabelValues(a.cfg.Exchange).Set(0)
}

// isPermanent reports a broker refusal that retrying cannot fix: wrong
// credentials, no access to the vhost, or a declaration contradicting what
// exists.
func isPermanent(err error) bool {
	var e *amqp.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case amqp.AccessRefused, amqp.PreconditionFailed, amqp.NotAllowed:
		return true
	}
	return false
}

// QueueDepth returns how many messages wait in the named queue, ready for
// a consumer (unacknowledged deliveries are not counted). It declares the
// queue passively on a channel of its own, so a queue not declared yet is
// an error rather than created.
func (a *AMQP) QueueDepth(ctx context.Context, queue string) (int, error) {
	conn, _, err := a.connection(ctx)
	if err != nil {
		return 0, err
	}
	ch, err := conn.Channel()
	if err != nil {
		return 0, fmt.Errorf("bus: queue depth of %s: open channel: %w", queue, err)
	}
	defer ch.Close()
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		return 0, fmt.Errorf("bus: queue depth of %s: %w", queue, err)
	}
	return q.Messages, nil
}
