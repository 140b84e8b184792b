package domain_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/timestamppb"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	"github.com/ariesone/ariesone/services/notify/internal/domain"
)

func locationCreatedEvent(t *testing.T) domain.Event {
	t.Helper()
	occur := time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.FixedZone("EST", -5*3600))
	payload, err := proto.Marshal(&companyv1.LocationCreated{
		CompanyId:  "0195f3a2-0000-7000-8000-00000000000a",
		LocationId: "0195f3a2-0000-7000-8000-0000000000l1",
		Code:       "ATL-01",
		Name:       "Atlanta",
		Type:       companyv1.LocationType_LOCATION_TYPE_BRANCH,
		OccurTime:  timestamppb.New(occur),
	})
	if err != nil {
		t.Fatal(err)
	}
	return domain.Event{
		ID:          "0195f3a2-0000-7000-8000-0000000000e1",
		Type:        "company.location.created.v1",
		PayloadType: "ariesone.company.v1.LocationCreated",
		CompanyID:   "0195f3a2-0000-7000-8000-00000000000a",
		Source:      "company",
		OccurTime:   occur,
		Payload:     payload,
	}
}

func TestRenderWebhookBodyKnownPayload(t *testing.T) {
	e := locationCreatedEvent(t)
	body, err := domain.RenderWebhookBody(e, protoregistry.GlobalTypes)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	want := map[string]any{
		"id":        e.ID,
		"type":      "company.location.created.v1",
		"companyId": e.CompanyID,
		"source":    "company",
		"occurTime": "2026-03-01T15:00:00.123456Z",
		"data": map[string]any{
			"companyId":  e.CompanyID,
			"locationId": "0195f3a2-0000-7000-8000-0000000000l1",
			"code":       "ATL-01",
			"name":       "Atlanta",
			"type":       "LOCATION_TYPE_BRANCH",
			"occurTime":  "2026-03-01T15:00:00.123456Z",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if bytes.ContainsAny(body, "\n\t") || bytes.Contains(body, []byte(": ")) {
		t.Errorf("body is not compact: %s", body)
	}
	// Rendering is a function of the event: the same bytes every time.
	again, err := domain.RenderWebhookBody(e, protoregistry.GlobalTypes)
	if err != nil || !bytes.Equal(body, again) {
		t.Errorf("second rendering differs:\n%s\n%s", body, again)
	}
}

func TestRenderWebhookBodyUnknownPayload(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*domain.Event)
		types *protoregistry.Types
	}{
		{name: "type not registered", edit: func(e *domain.Event) { e.PayloadType = "ariesone.orders.v1.OrderApproved" }, types: nil},
		{name: "empty registry", edit: func(*domain.Event) {}, types: new(protoregistry.Types)},
		{name: "bytes do not decode", edit: func(e *domain.Event) { e.Payload = []byte{0xff, 0xff, 0xff} }, types: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := locationCreatedEvent(t)
			tt.edit(&e)
			var types protoregistry.MessageTypeResolver = protoregistry.GlobalTypes
			if tt.types != nil {
				types = tt.types
			}
			body, err := domain.RenderWebhookBody(e, types)
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Data map[string]string `json:"data"`
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body: %v\n%s", err, body)
			}
			want := map[string]string{
				"@type": "type.googleapis.com/" + e.PayloadType,
				"value": base64.StdEncoding.EncodeToString(e.Payload),
			}
			if diff := cmp.Diff(want, got.Data); diff != "" {
				t.Errorf("data (-want +got):\n%s", diff)
			}
		})
	}
}
