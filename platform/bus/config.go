package bus

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"
)

// Defaults applied by Open to the zero fields of Config.
const (
	DefaultConfirmTimeout = 30 * time.Second
	DefaultReconnectMin   = 500 * time.Millisecond
	DefaultReconnectMax   = 30 * time.Second
	DefaultHandlerTimeout = 5 * time.Minute
)

// Config configures the RabbitMQ bus.
type Config struct {
	// URL is the broker, "amqp://user:password@host:5672/vhost" (AMQP_URL).
	URL string
	// Exchange is the topic exchange published to and bound from; empty
	// means Exchange. Its dead-letter exchange is "<Exchange>.dlx".
	Exchange string
	// ConnectionName is shown for the connection in the broker's management
	// tools, so an operator can tell which service holds it (the service
	// name, usually).
	ConnectionName string
	// Logger receives connection losses and reconnects; nil discards them.
	Logger *slog.Logger
	// ConfirmTimeout bounds how long Publish waits for the broker to confirm
	// a batch when the caller's context has no earlier deadline.
	ConfirmTimeout time.Duration
	// ReconnectMin and ReconnectMax bound the exponential backoff (with
	// jitter) between attempts to reach the broker again.
	ReconnectMin, ReconnectMax time.Duration
	// HandlerTimeout bounds one Handler call. Handlers do not see shutdown
	// as a cancellation (a batch is either applied and acknowledged or left
	// unacknowledged, never cut in half), so this is what stops a stuck one.
	HandlerTimeout time.Duration
	// Registerer, when set, receives the bus metrics (ariesone_bus_*).
	Registerer prometheus.Registerer
}

// withDefaults fills the zero fields and rejects what cannot work, so a
// mistake stops the process at start rather than at the first event.
func (c Config) withDefaults() (Config, error) {
	if c.URL == "" {
		return c, errors.New("bus: broker URL is empty")
	}
	if _, err := amqp.ParseURI(c.URL); err != nil {
		// The parse error may quote the URL, password included; name only
		// what is wrong.
		return c, errors.New("bus: broker URL is not a valid amqp:// or amqps:// URL")
	}
	if c.Exchange == "" {
		c.Exchange = Exchange
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.ConfirmTimeout <= 0 {
		c.ConfirmTimeout = DefaultConfirmTimeout
	}
	if c.ReconnectMin <= 0 {
		c.ReconnectMin = DefaultReconnectMin
	}
	if c.ReconnectMax <= 0 {
		c.ReconnectMax = DefaultReconnectMax
	}
	if c.ReconnectMax < c.ReconnectMin {
		return c, fmt.Errorf("bus: reconnect backoff max %v is below min %v", c.ReconnectMax, c.ReconnectMin)
	}
	if c.HandlerTimeout <= 0 {
		c.HandlerTimeout = DefaultHandlerTimeout
	}
	return c, nil
}

// deadLetterExchange names the exchange a queue's rejected messages go to.
func deadLetterExchange(exchange string) string { return exchange + ".dlx" }

// deadLetterQueue names the queue holding queue's dead letters.
func deadLetterQueue(queue string) string { return queue + ".dlq" }
