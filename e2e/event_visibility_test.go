package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// TestPartnerSeesOnlyWhatItMayReadOverREST: the owner and a partner key
// watch the same tenant while it records a location, a user, a patient
// and an item. The owner's stream carries all four; the partner's stream
// and its webhook deliveries carry the location and the item only, and
// its event log is refused as it always was.
func TestPartnerSeesOnlyWhatItMayReadOverREST(t *testing.T) {
	m := startMesh(t)
	m.bootstrap("acme", "owner@acme.test", ownerPassword)
	owner := login(t, m, "acme", "owner@acme.test", ownerPassword).str("accessToken")
	key := m.call(http.MethodPost, "/api/v1/api-keys", owner, map[string]any{
		"apiKey": map[string]any{"clientName": "Acme Billing", "roles": []string{"ROLE_PARTNER"}},
	}).expect(t, http.StatusOK, "create partner key").str("secret")

	// The key's own creation may still be on its way; the streams ask for
	// what the test does next.
	const types = "?types=company.location.*&types=company.user.*&types=clinical.*&types=serials.*"
	ownerStream := watch(t, m, types, bearer(owner))
	partnerStream := watch(t, m, types, apiKey(key))
	hook := m.callWith(http.MethodPost, "/api/v1/webhook-subscriptions", map[string]any{
		"webhookSubscription": map[string]any{"url": "https://hooks.partner.example/ariesone",
			"eventTypes": []string{"company.location.*", "company.user.*", "clinical.*", "serials.*"}},
	}, apiKey(key)).expect(t, http.StatusOK, "partner subscribes")
	hookID := nestedString(hook, "webhookSubscription", "id")

	branch := m.call(http.MethodPost, "/api/v1/locations", owner, newLocation("VIS-01")).expect(t, http.StatusOK, "create location").str("id")
	m.call(http.MethodPost, "/api/v1/users", owner, map[string]any{
		"user":     map[string]any{"email": "ivy@acme.test", "givenName": "Ivy", "familyName": "Intake"},
		"roles":    []string{"ROLE_INTAKE"},
		"password": userPassword,
	}).expect(t, http.StatusOK, "create user")
	m.call(http.MethodPost, "/api/v1/patients?requestId="+uuid.NewString(), owner, intakePatient(branch)).expect(t, http.StatusOK, "create patient")
	m.call(http.MethodPost, "/api/v1/items", owner, map[string]any{
		"code": "E0601-AS11", "name": "AirSense 11 CPAP", "hcpcs": "E0601", "manufacturer": "ResMed", "model": "AirSense 11", "serialized": true,
	}).expect(t, http.StatusOK, "create item")

	everything := []string{"clinical.patient.created.v1", "company.location.created.v1", "company.user.created.v1", "serials.item.created.v1"}
	partner := []string{"company.location.created.v1", "serials.item.created.v1"}
	if diff := cmp.Diff(everything, streamTypes(t, ownerStream, len(everything))); diff != "" {
		t.Errorf("owner's stream (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(partner, streamTypes(t, partnerStream, len(partner))); diff != "" {
		t.Errorf("partner's stream (-want +got):\n%s", diff)
	}
	// Once the owner has seen everything, whatever the partner would wrongly
	// get has had its chance to arrive.
	select {
	case line := <-partnerStream.lines:
		t.Errorf("partner's stream carried more: %s", line)
	case <-time.After(500 * time.Millisecond):
	}
	var deliveries []string
	for deadline := time.Now().Add(eventWait); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		listed := m.callWith(http.MethodGet, "/api/v1/webhook-subscriptions/"+hookID+"/deliveries", nil, apiKey(key)).
			expect(t, http.StatusOK, "partner lists its deliveries")
		deliveries = deliveries[:0]
		items, _ := listed.body["webhookDeliveries"].([]any)
		for _, d := range items {
			typ, _ := d.(map[string]any)["eventType"].(string)
			deliveries = append(deliveries, typ)
		}
		if len(deliveries) >= len(partner) {
			break
		}
	}
	sort.Strings(deliveries)
	if diff := cmp.Diff(partner, deliveries); diff != "" {
		t.Errorf("partner's webhook deliveries (-want +got):\n%s", diff)
	}
	m.callWith(http.MethodGet, "/api/v1/events", nil, apiKey(key)).expect(t, http.StatusForbidden, "partner lists the event log")
	listed := m.call(http.MethodGet, "/api/v1/events?pageSize=100", owner, nil).expect(t, http.StatusOK, "owner lists the event log")
	var logged []string
	events, _ := listed.body["events"].([]any)
	for _, e := range events {
		logged = append(logged, e.(map[string]any)["type"].(string))
	}
	for _, want := range everything {
		if !slices.Contains(logged, want) {
			t.Errorf("owner's event log lacks %s: %v", want, logged)
		}
	}
}

// streamTypes reads n result lines from s and returns their event types,
// sorted (events of different services may arrive in any order).
func streamTypes(t *testing.T, s *liveStream, n int) []string {
	t.Helper()
	var types []string
	for len(types) < n {
		select {
		case line := <-s.lines:
			var msg struct {
				Result struct{ Type string } `json:"result"`
			}
			if err := json.Unmarshal([]byte(line), &msg); err != nil || msg.Result.Type == "" {
				t.Fatalf("stream line %q", line)
			}
			types = append(types, msg.Result.Type)
		case last := <-s.ended:
			t.Fatalf("stream ended after %v: %s", types, last)
		case <-time.After(eventWait):
			t.Fatalf("only %v arrived", types)
		}
	}
	sort.Strings(types)
	return types
}
