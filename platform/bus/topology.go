package bus

import (
	"fmt"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Topology is declared by code, on every (re)connect, so a fresh broker or
// one that lost its definitions is set up again without anyone running a
// script. Declarations are idempotent; one whose arguments contradict an
// existing entity fails with PRECONDITION_FAILED, which Open and Consume
// report instead of retrying. Bindings are only ever added: removing a
// binding a deployment no longer wants is an operator's job.

// declareExchanges declares the durable topic exchange events are published
// to and the exchange queues dead-letter into.
func declareExchanges(ch *amqp.Channel, exchange string) error {
	if err := ch.ExchangeDeclare(exchange, amqp.ExchangeTopic, true, false, false, false, nil); err != nil {
		return fmt.Errorf("bus: declare exchange %s: %w", exchange, err)
	}
	dlx := deadLetterExchange(exchange)
	// Direct: each queue dead-letters under its own name, and its .dlq is
	// bound under that name.
	if err := ch.ExchangeDeclare(dlx, amqp.ExchangeDirect, true, false, false, false, nil); err != nil {
		return fmt.Errorf("bus: declare dead-letter exchange %s: %w", dlx, err)
	}
	return nil
}

// declareQueue declares sub's queue, bound to exchange under each of its
// bindings, and returns its name and how many messages are ready in it. A
// named queue is a quorum queue that dead-letters into "<queue>.dlq"; an
// unnamed one is a server-named, exclusive, auto-deleted classic queue.
func declareQueue(ch *amqp.Channel, exchange string, sub Subscription) (string, int, error) {
	var q amqp.Queue
	var err error
	if sub.Queue == "" {
		q, err = ch.QueueDeclare("", false, true, true, false, nil)
		if err != nil {
			return "", 0, fmt.Errorf("bus: declare private queue: %w", err)
		}
	} else {
		dlx, dlq := deadLetterExchange(exchange), deadLetterQueue(sub.Queue)
		if _, err := ch.QueueDeclare(dlq, true, false, false, false, amqp.Table{
			amqp.QueueTypeArg: amqp.QueueTypeQuorum,
		}); err != nil {
			return "", 0, fmt.Errorf("bus: declare dead-letter queue %s: %w", dlq, err)
		}
		if err := ch.QueueBind(dlq, sub.Queue, dlx, false, nil); err != nil {
			return "", 0, fmt.Errorf("bus: bind dead-letter queue %s: %w", dlq, err)
		}
		q, err = ch.QueueDeclare(sub.Queue, true, false, false, false, quorumArgs(sub, dlx))
		if err != nil {
			return "", 0, fmt.Errorf("bus: declare queue %s: %w", sub.Queue, err)
		}
	}
	for _, key := range sub.Bindings {
		if err := ch.QueueBind(q.Name, key, exchange, false, nil); err != nil {
			return "", 0, fmt.Errorf("bus: bind queue %s to %s under %q: %w", q.Name, exchange, key, err)
		}
	}
	return q.Name, q.Messages, nil
}

// quorumArgs are the arguments of a subscription's durable queue.
//
// The broker's x-delivery-limit counts returns, not deliveries: a message
// is dead-lettered once it has been returned more often than the limit, so
// x-delivery-limit N delivers it N+1 times (0 delivers it once).
// Subscription.DeliveryLimit counts deliveries, so the argument is one less.
//
// Dead-lettering is at-least-once (which needs reject-publish overflow): a
// message moves to the dead-letter queue only once that queue has it, so a
// broker failure in between cannot lose it.
func quorumArgs(sub Subscription, dlx string) amqp.Table {
	return amqp.Table{
		amqp.QueueTypeArg:           amqp.QueueTypeQuorum,
		"x-delivery-limit":          int64(sub.DeliveryLimit - 1),
		"x-dead-letter-exchange":    dlx,
		"x-dead-letter-routing-key": sub.Queue,
		"x-dead-letter-strategy":    "at-least-once",
		amqp.QueueOverflowArg:       amqp.QueueOverflowRejectPublish,
	}
}

// declareStream declares sub's stream, bound to exchange under each of its
// bindings. A stream queue is durable, never exclusive or auto-deleted, and
// keeps what it holds for x-max-age whatever its consumers do.
func declareStream(ch *amqp.Channel, exchange string, sub StreamSubscription) error {
	if _, err := ch.QueueDeclare(sub.Name, true, false, false, false, amqp.Table{
		amqp.QueueTypeArg:    amqp.QueueTypeStream,
		amqp.StreamMaxAgeArg: maxAgeArg(sub.MaxAge),
	}); err != nil {
		return fmt.Errorf("bus: declare stream %s: %w", sub.Name, err)
	}
	for _, key := range sub.Bindings {
		if err := ch.QueueBind(sub.Name, key, exchange, false, nil); err != nil {
			return fmt.Errorf("bus: bind stream %s to %s under %q: %w", sub.Name, exchange, key, err)
		}
	}
	return nil
}
