package bus

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	amqp "github.com/rabbitmq/amqp091-go"
)

// sampleMessage has every envelope field set, with a time that needs more
// than the AMQP timestamp's whole seconds.
func sampleMessage() Message {
	return Message{
		ID:          "0192f0c4-6e5a-7c3b-9d7e-1a2b3c4d5e6f",
		Type:        "company.location.created.v1",
		PayloadType: "ariesone.company.v1.LocationCreated",
		CompanyID:   "0192f0c4-0000-7000-8000-000000000001",
		Source:      "company",
		OccurTime:   time.Date(2026, 3, 4, 5, 6, 7, 891234567, time.UTC),
		Payload:     []byte{0x0a, 0x03, 'a', 'b', 'c'},
		Trace: map[string]string{
			"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
			"tracestate":  "vendor=value",
		},
	}
}

// deliveryOf turns a publishing into the delivery a consumer would get.
func deliveryOf(key string, p amqp.Publishing) amqp.Delivery {
	return amqp.Delivery{
		Headers:      p.Headers,
		ContentType:  p.ContentType,
		DeliveryMode: p.DeliveryMode,
		MessageId:    p.MessageId,
		Timestamp:    p.Timestamp.Truncate(time.Second), // AMQP carries seconds
		Type:         p.Type,
		AppId:        p.AppId,
		RoutingKey:   key,
		Body:         p.Body,
	}
}

func TestEncodeMessage(t *testing.T) {
	m := sampleMessage()
	key, p, err := encodeMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	if key != m.Type {
		t.Errorf("routing key = %q, want %q", key, m.Type)
	}
	want := amqp.Publishing{
		Headers: amqp.Table{
			"ce-specversion": "1.0",
			"ce-id":          m.ID,
			"ce-type":        m.Type,
			"ce-source":      "ariesone/company",
			"ce-time":        "2026-03-04T05:06:07.891234567Z",
			"ce-tenant":      m.CompanyID,
			"traceparent":    m.Trace["traceparent"],
			"tracestate":     m.Trace["tracestate"],
		},
		ContentType:  ContentType,
		DeliveryMode: amqp.Persistent,
		MessageId:    m.ID,
		Timestamp:    m.OccurTime,
		Type:         m.PayloadType,
		AppId:        "company",
		Body:         m.Payload,
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("publishing (-want +got):\n%s", diff)
	}
}

func TestEncodeRejectsIncompleteMessages(t *testing.T) {
	for name, change := range map[string]func(*Message){
		"no id":           func(m *Message) { m.ID = "" },
		"no type":         func(m *Message) { m.Type = "" },
		"no payload type": func(m *Message) { m.PayloadType = "" },
	} {
		m := sampleMessage()
		change(&m)
		if _, _, err := encodeMessage(m); err == nil {
			t.Errorf("%s: encodeMessage succeeded, want an error", name)
		}
	}
}

func TestDecodeDelivery(t *testing.T) {
	m := sampleMessage()
	key, p, err := encodeMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	valid := func() amqp.Delivery {
		d := deliveryOf(key, p)
		d.Headers = amqp.Table{}
		for k, v := range p.Headers {
			d.Headers[k] = v
		}
		return d
	}
	tests := []struct {
		name    string
		change  func(*amqp.Delivery)
		want    func(*Delivery) // applied to the decoded sample; nil with wantErr
		wantErr bool
	}{
		{name: "every field", change: func(*amqp.Delivery) {}, want: func(*Delivery) {}},
		{
			name: "redelivered by a quorum queue",
			change: func(d *amqp.Delivery) {
				d.Redelivered = true
				d.Headers["x-delivery-count"] = int64(2)
			},
			want: func(d *Delivery) { d.Redelivered, d.DeliveryCount = true, 2 },
		},
		{
			name:   "delivery count of another integer width",
			change: func(d *amqp.Delivery) { d.Headers["x-delivery-count"] = int32(3) },
			want:   func(d *Delivery) { d.DeliveryCount = 3 },
		},
		{
			name:   "dead letter keeps its type",
			change: func(d *amqp.Delivery) { d.RoutingKey = "notify.events" },
			want:   func(*Delivery) {},
		},
		{
			name: "no headers: properties only, time in whole seconds",
			change: func(d *amqp.Delivery) {
				d.Headers = nil
			},
			want: func(d *Delivery) {
				d.CompanyID = ""
				d.Trace = nil
				d.OccurTime = d.OccurTime.Truncate(time.Second)
			},
		},
		{name: "no message id", change: func(d *amqp.Delivery) { d.MessageId = "" }, wantErr: true},
		{name: "no type", change: func(d *amqp.Delivery) { d.RoutingKey = ""; delete(d.Headers, "ce-type") }, wantErr: true},
		{name: "no payload type", change: func(d *amqp.Delivery) { d.Type = "" }, wantErr: true},
		{name: "other content type", change: func(d *amqp.Delivery) { d.ContentType = "application/json" }, wantErr: true},
		{name: "other spec version", change: func(d *amqp.Delivery) { d.Headers["ce-specversion"] = "0.3" }, wantErr: true},
		{name: "ce-id contradicts message id", change: func(d *amqp.Delivery) { d.Headers["ce-id"] = "other" }, wantErr: true},
		{name: "malformed time", change: func(d *amqp.Delivery) { d.Headers["ce-time"] = "yesterday" }, wantErr: true},
		{name: "source outside ariesone", change: func(d *amqp.Delivery) { d.Headers["ce-source"] = "elsewhere/x" }, wantErr: true},
		{name: "tenant not a string", change: func(d *amqp.Delivery) { d.Headers["ce-tenant"] = int64(7) }, wantErr: true},
		{name: "traceparent not a string", change: func(d *amqp.Delivery) { d.Headers["traceparent"] = []byte("x") }, wantErr: true},
		{name: "delivery count not an integer", change: func(d *amqp.Delivery) { d.Headers["x-delivery-count"] = "2" }, wantErr: true},
		{name: "negative delivery count", change: func(d *amqp.Delivery) { d.Headers["x-delivery-count"] = int64(-1) }, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := valid()
			tt.change(&d)
			got, err := decodeDelivery(d)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("decodeDelivery succeeded with %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := Delivery{Message: sampleMessage()}
			tt.want(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("delivery (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzDecodeDelivery(f *testing.F) {
	m := sampleMessage()
	f.Add(m.ID, m.Type, m.PayloadType, ContentType, "1.0", m.ID, m.Type, "ariesone/company", "2026-03-04T05:06:07.891234567Z", m.CompanyID, m.Trace["traceparent"], m.Payload, int64(1), uint8(0))
	f.Add("", "", "", "", "", "", "", "", "", "", "", []byte(nil), int64(-1), uint8(255))
	f.Add("id", "a.b", "p", "", "1.0", "id", "", "ariesone/", "2026-01-01T00:00:00+05:00", "", "", []byte{}, int64(0), uint8(7))
	f.Fuzz(func(t *testing.T, id, key, payloadType, contentType, spec, ceID, ceType, ceSource, ceTime, tenant, traceparent string, body []byte, count int64, omit uint8) {
		d := amqp.Delivery{MessageId: id, RoutingKey: key, Type: payloadType, ContentType: contentType, Body: body, Headers: amqp.Table{}}
		// Each bit of omit leaves out one header, and the top bit puts a
		// header of the wrong kind in, so absent and malformed headers are
		// explored as well as odd values.
		for i, h := range []struct {
			k string
			v any
		}{
			{"ce-specversion", spec}, {"ce-id", ceID}, {"ce-type", ceType}, {"ce-source", ceSource},
			{"ce-time", ceTime}, {"ce-tenant", tenant}, {"traceparent", traceparent},
		} {
			if omit&(1<<i) == 0 {
				d.Headers[h.k] = h.v
			}
		}
		d.Headers["x-delivery-count"] = count
		if omit&0x80 != 0 {
			d.Headers["ce-tenant"] = count
		}
		got, err := decodeDelivery(d)
		if err != nil {
			return
		}
		if got.ID == "" || got.Type == "" || got.PayloadType == "" || got.DeliveryCount < 0 {
			t.Fatalf("decodeDelivery accepted an incomplete delivery: %+v", got)
		}
		// What decodes must survive a round trip unchanged.
		key2, p, err := encodeMessage(got.Message)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", got.Message, err)
		}
		again, err := decodeDelivery(deliveryOf(key2, p))
		if err != nil {
			t.Fatalf("decoding the re-encoded %+v: %v", got.Message, err)
		}
		if diff := cmp.Diff(got.Message, again.Message, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip changed the message (-first +second):\n%s", diff)
		}
	})
}
