package bus

import (
	"errors"
	"fmt"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// The envelope puts a Message into AMQP properties plus CloudEvents
// attributes as "ce-" headers (binary content mode: the body is the payload
// alone). A consumer in another language can read an event from the headers
// alone; this package reads the properties first and uses the headers for
// what the properties cannot carry (full time precision, the tenant, the
// original routing key of a dead letter).
const (
	headerSpecVersion = "ce-specversion"
	headerID          = "ce-id"
	headerType        = "ce-type"
	headerSource      = "ce-source"
	headerTime        = "ce-time"
	headerTenant      = "ce-tenant"

	// headerDeliveryCount is set by quorum queues: how many times the
	// message was delivered before and not acknowledged.
	headerDeliveryCount = "x-delivery-count"

	specVersion = "1.0"
	// sourcePrefix turns a service name into a CloudEvents source URI
	// reference, unique across organisations that share a broker.
	sourcePrefix = "ariesone/"
)

// traceHeaders are the W3C trace-context fields carried from Message.Trace.
// Other keys are not sent: a header name is shared with the broker and
// other tooling, so only the ones with an agreed meaning travel.
var traceHeaders = []string{"traceparent", "tracestate"}

// checkMessage rejects a message that consumers could not route, identify
// or decode. Both implementations apply it before publishing.
func checkMessage(m Message) error {
	switch {
	case m.ID == "":
		return errors.New("bus: message has no id")
	case m.Type == "":
		return fmt.Errorf("bus: message %s has no type (routing key)", m.ID)
	case m.PayloadType == "":
		return fmt.Errorf("bus: message %s has no payload type", m.ID)
	}
	return nil
}

// encodeMessage returns the routing key and the publishing that carry m:
// persistent, so a durable queue keeps it across broker restarts.
func encodeMessage(m Message) (string, amqp.Publishing, error) {
	if err := checkMessage(m); err != nil {
		return "", amqp.Publishing{}, err
	}
	headers := amqp.Table{
		headerSpecVersion: specVersion,
		headerID:          m.ID,
		headerType:        m.Type,
	}
	if m.Source != "" {
		headers[headerSource] = sourcePrefix + m.Source
	}
	if !m.OccurTime.IsZero() {
		headers[headerTime] = m.OccurTime.UTC().Format(time.RFC3339Nano)
	}
	if m.CompanyID != "" {
		headers[headerTenant] = m.CompanyID
	}
	for _, k := range traceHeaders {
		if v, ok := m.Trace[k]; ok {
			headers[k] = v
		}
	}
	return m.Type, amqp.Publishing{
		Headers:      headers,
		ContentType:  ContentType,
		DeliveryMode: amqp.Persistent,
		MessageId:    m.ID,
		Timestamp:    m.OccurTime.UTC(),
		Type:         m.PayloadType,
		AppId:        m.Source,
		Body:         m.Payload,
	}, nil
}

// decodeDelivery reads a delivery back into its envelope. A delivery this
// package could not have written (no id, no type, a header of the wrong
// kind, a ce-id contradicting the message id) is an error: the subscriber
// treats it as a failed delivery, so it ends up in the dead-letter queue
// where someone can look at it.
func decodeDelivery(d amqp.Delivery) (Delivery, error) {
	if d.MessageId == "" {
		return Delivery{}, errors.New("bus: delivery has no message id")
	}
	h := headerReader{table: d.Headers, id: d.MessageId}
	msg := Message{
		ID:          d.MessageId,
		PayloadType: d.Type,
		Source:      d.AppId,
		Payload:     d.Body,
	}
	if d.ContentType != "" && d.ContentType != ContentType {
		return Delivery{}, fmt.Errorf("bus: delivery %s has content type %q, want %q", d.MessageId, d.ContentType, ContentType)
	}
	if v, ok := h.str(headerSpecVersion); ok && v != specVersion {
		return Delivery{}, fmt.Errorf("bus: delivery %s has CloudEvents spec version %q, want %q", d.MessageId, v, specVersion)
	}
	if v, ok := h.str(headerID); ok && v != d.MessageId {
		return Delivery{}, fmt.Errorf("bus: delivery %s carries a different %s %q", d.MessageId, headerID, v)
	}
	// A dead letter is re-routed under its queue's name; ce-type keeps the
	// event type it was published with.
	msg.Type = d.RoutingKey
	if v, ok := h.str(headerType); ok {
		msg.Type = v
	}
	if v, ok := h.str(headerSource); ok {
		src, found := strings.CutPrefix(v, sourcePrefix)
		if !found {
			return Delivery{}, fmt.Errorf("bus: delivery %s has %s %q outside %q", d.MessageId, headerSource, v, sourcePrefix)
		}
		msg.Source = src
	}
	if v, ok := h.str(headerTenant); ok {
		msg.CompanyID = v
	}
	if !d.Timestamp.IsZero() {
		msg.OccurTime = d.Timestamp.UTC()
	}
	if v, ok := h.str(headerTime); ok {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return Delivery{}, fmt.Errorf("bus: delivery %s has a malformed %s: %w", d.MessageId, headerTime, err)
		}
		msg.OccurTime = t.UTC()
	}
	for _, k := range traceHeaders {
		if v, ok := h.str(k); ok {
			if msg.Trace == nil {
				msg.Trace = make(map[string]string, len(traceHeaders))
			}
			msg.Trace[k] = v
		}
	}
	count := h.count(headerDeliveryCount)
	if h.err != nil {
		return Delivery{}, h.err
	}
	if err := checkMessage(msg); err != nil {
		return Delivery{}, err
	}
	return Delivery{Message: msg, Redelivered: d.Redelivered, DeliveryCount: count}, nil
}

// headerReader reads typed headers and keeps the first error, so decoding
// reads like a list of fields rather than a ladder of checks.
type headerReader struct {
	table amqp.Table
	id    string
	err   error
}

// str returns the string header k and whether it is present.
func (r *headerReader) str(k string) (string, bool) {
	v, ok := r.table[k]
	if !ok || r.err != nil {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		r.err = fmt.Errorf("bus: delivery %s has header %s of type %T, want a string", r.id, k, v)
		return "", false
	}
	return s, true
}

// count returns the non-negative integer header k, 0 when absent. The
// broker picks the integer width, so every width is accepted.
func (r *headerReader) count(k string) int64 {
	v, ok := r.table[k]
	if !ok || r.err != nil {
		return 0
	}
	var n int64
	switch x := v.(type) {
	case int8:
		n = int64(x)
	case int16:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case int:
		n = int64(x)
	case uint8:
		n = int64(x)
	case uint16:
		n = int64(x)
	case uint32:
		n = int64(x)
	default:
		r.err = fmt.Errorf("bus: delivery %s has header %s of type %T, want an integer", r.id, k, v)
		return 0
	}
	if n < 0 {
		r.err = fmt.Errorf("bus: delivery %s has a negative %s %d", r.id, k, n)
		return 0
	}
	return n
}
