package domain

import (
	"encoding/json"
	"fmt"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// webhookBody is the JSON a delivery POSTs. Field order is fixed by the
// struct, so one event always renders the same way.
type webhookBody struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CompanyID string          `json:"companyId"`
	Source    string          `json:"source"`
	OccurTime string          `json:"occurTime"`
	Data      json.RawMessage `json:"data"`
}

// webhookOpaqueData is the data of an event whose payload type the resolver
// does not know: the payload as a google.protobuf.Any would carry it in
// JSON, its bytes in base64, so a receiver that has the proto can still
// decode it.
type webhookOpaqueData struct {
	Type  string `json:"@type"`
	Value []byte `json:"value"`
}

// anyTypeURLPrefix is the type URL prefix of google.protobuf.Any.
const anyTypeURLPrefix = "type.googleapis.com/"

// RenderWebhookBody renders the JSON body delivered for e:
//
//	{"id":"…","type":"company.location.created.v1","companyId":"…",
//	 "source":"company","occurTime":"2026-03-01T10:00:00.123456Z","data":{…}}
//
// data is the payload in the proto JSON mapping (lowerCamelCase fields) when
// types knows PayloadType (protoregistry.GlobalTypes with the API packages
// linked in), and {"@type":"type.googleapis.com/<PayloadType>","value":
// "<base64 of the protobuf bytes>"} otherwise, so an event whose type this
// build does not know yet is still delivered, not dropped.
//
// The body is rendered once, when the delivery is enqueued, and stored:
// every retry sends identical bytes, and so carries the same signature
// input whatever the code or the registry do in between.
func RenderWebhookBody(e Event, types protoregistry.MessageTypeResolver) ([]byte, error) {
	data, err := webhookData(e, types)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(webhookBody{
		ID:        e.ID,
		Type:      e.Type,
		CompanyID: e.CompanyID,
		Source:    e.Source,
		OccurTime: e.OccurTime.UTC().Format(time.RFC3339Nano),
		Data:      data,
	})
	if err != nil {
		return nil, fmt.Errorf("webhook body of event %s: %w", e.ID, err)
	}
	return body, nil
}

// webhookData renders the payload, falling back to the opaque form when the
// type is unknown or the bytes do not decode as it.
func webhookData(e Event, types protoregistry.MessageTypeResolver) (json.RawMessage, error) {
	if types != nil && e.PayloadType != "" {
		if mt, err := types.FindMessageByName(protoreflect.FullName(e.PayloadType)); err == nil {
			msg := mt.New().Interface()
			if err := proto.Unmarshal(e.Payload, msg); err == nil {
				if b, err := protojson.Marshal(msg); err == nil {
					return b, nil
				}
			}
		}
	}
	value := e.Payload
	if value == nil {
		value = []byte{} // "", not null: an empty message is a valid payload
	}
	b, err := json.Marshal(webhookOpaqueData{Type: anyTypeURLPrefix + e.PayloadType, Value: value})
	if err != nil {
		return nil, fmt.Errorf("webhook body of event %s: %w", e.ID, err)
	}
	return b, nil
}
