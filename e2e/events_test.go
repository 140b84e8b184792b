package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ariesone/ariesone/platform/bus"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

// eventWait bounds how long a test waits for events to settle. It is a
// guard against hanging, not a timing assertion.
const eventWait = 3 * time.Minute

// burst creates n locations over REST from a few concurrent partners, each
// create carrying a request id and retried with it until it succeeds, so a
// service down for a moment costs time, never a duplicate. disrupt runs
// once, after a third of the creates. It returns the created ids and how
// many attempts had to be retried.
func burst(t *testing.T, m *mesh, token string, n int, disrupt func()) (ids map[string]bool, retried int64) {
	t.Helper()
	var (
		mu       sync.Mutex
		done     atomic.Int64
		retries  atomic.Int64
		once     sync.Once
		wg       sync.WaitGroup
		failures = make(chan error, n)
		work     = make(chan int, n)
	)
	ids = map[string]bool{}
	for i := range n {
		work <- i
	}
	close(work)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				body, requestID := newLocation(fmt.Sprintf("B-%04d", i)), uuid.NewString()
				deadline := time.Now().Add(eventWait)
				for {
					id, err := createLocation(m, token, body, requestID)
					if errors.Is(err, errClient) {
						failures <- fmt.Errorf("location %d: %w", i, err)
						break
					}
					if err == nil {
						mu.Lock()
						ids[id] = true
						mu.Unlock()
						break
					}
					if time.Now().After(deadline) {
						failures <- fmt.Errorf("location %d: %w", i, err)
						break
					}
					retries.Add(1)
					time.Sleep(200 * time.Millisecond)
				}
				if done.Add(1) == int64(n/3) && disrupt != nil {
					once.Do(disrupt)
				}
			}
		}()
	}
	wg.Wait()
	close(failures)
	for err := range failures {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
	return ids, retries.Load()
}

// errClient marks an answer retrying cannot change (a 4xx other than 429).
var errClient = errors.New("refused")

// createLocation posts one create with its idempotency key; 5xx, 429 and
// transport errors are worth retrying, any other refusal is errClient.
func createLocation(m *mesh, token string, body map[string]any, requestID string) (string, error) {
	buf, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, m.rest+"/api/v1/locations?requestId="+requestID, bytes.NewReader(buf))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		ID string `json:"id"`
	}
	if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
		raw, _ := io.ReadAll(resp.Body)
		return "", fmt.Errorf("%w: status %d: %s", errClient, resp.StatusCode, raw)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// trail is what notify holds for one tenant, read behind its back.
type trail struct {
	createAudits     int // CreateLocation audit records with outcome OK
	auditedLocations map[string]bool
	created          int // company.location.created.v1 events in the log
	notifications    int
}

func readTrail(t *testing.T, db *pgxpool.Pool, company string) trail {
	t.Helper()
	ctx := context.Background()
	tr := trail{auditedLocations: map[string]bool{}}
	rows, err := db.Query(ctx, `
		select resources->>'location_id' from notify.audit_records
		where company_id = $1 and method = '/ariesone.company.v1.LocationService/CreateLocation' and code = 'OK'`, company)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id *string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		tr.createAudits++
		if id != nil {
			tr.auditedLocations[*id] = true
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	err = db.QueryRow(ctx, `select
		(select count(*) from notify.events where company_id = $1 and type = 'company.location.created.v1'),
		(select count(*) from notify.notifications where company_id = $1 and event_type = 'company.location.created.v1')`,
		company).Scan(&tr.created, &tr.notifications)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// dlqDepth reads how many messages wait in notify's dead-letter queue.
func dlqDepth(t *testing.T, amqpURL string) int {
	t.Helper()
	vhost := amqpURL[strings.LastIndex(amqpURL, "/")+1:]
	out, err := exec.Command(rabbitmqctl(t), "list_queues", "-q", "--no-table-headers", "-p", vhost, "name", "messages").CombinedOutput()
	if err != nil {
		t.Fatalf("list_queues: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "notify.events.dlq" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

func (m *mesh) env(name string) string {
	for _, kv := range m.baseEnv {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}

// eventsMesh boots a mesh, a company whose owner is notified of every new
// location, and returns the owner's token and the company id.
func eventsMesh(t *testing.T) (m *mesh, token, company string, db *pgxpool.Pool) {
	t.Helper()
	m = startMesh(t, "LOG_LEVEL=warn", "RATE_LIMIT_WRITE=100000/s:100000", "RATE_LIMIT_EDGE=100000/s:100000")
	m.bootstrap("acme", "owner@acme.test", ownerPassword)
	token = login(t, m, "acme", "owner@acme.test", ownerPassword).str("accessToken")
	who := m.call(http.MethodGet, "/api/v1/auth/whoami", token, nil).expect(t, http.StatusOK, "whoami")
	company = who.str("companyId")
	m.call(http.MethodPost, "/api/v1/notification-rules", token, map[string]any{
		"eventType": "company.location.created.v1", "title": "New location", "recipientRole": "owner",
	}).expect(t, http.StatusOK, "create notification rule")
	db = pgtest.OpenPool(t, postgres.Config{URL: m.adminURL})
	return m, token, company, db
}

// TestEventsArriveExactlyOnceThroughFailures is the backbone's promise:
// every committed company write reaches notify's audit trail and has its
// effects (the event log, a notification) exactly once, while the broker
// restarts, the publishing service is killed mid-batch, or the consumer is
// killed before it acknowledges.
func TestEventsArriveExactlyOnceThroughFailures(t *testing.T) {
	const n = 150
	tests := []struct {
		name    string
		disrupt func(t *testing.T, m *mesh)
	}{
		{"broker restarted", func(t *testing.T, m *mesh) { restartBroker(t) }},
		{"publisher killed", func(t *testing.T, m *mesh) {
			m.kill("company")
			time.Sleep(500 * time.Millisecond)
			m.restart("company")
		}},
		{"consumer killed", func(t *testing.T, m *mesh) {
			m.kill("notify")
			time.Sleep(500 * time.Millisecond)
			m.restart("notify")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, token, company, db := eventsMesh(t)
			ids, retried := burst(t, m, token, n, func() { tt.disrupt(t, m) })
			if len(ids) != n {
				t.Fatalf("%d distinct locations created, want %d", len(ids), n)
			}
			var got trail
			deadline := time.Now().Add(eventWait)
			for time.Now().Before(deadline) {
				got = readTrail(t, db, company)
				if got.created >= n && got.notifications >= n && len(got.auditedLocations) >= n {
					break
				}
				time.Sleep(250 * time.Millisecond)
			}
			// Let any duplicate that was going to arrive arrive.
			time.Sleep(2 * time.Second)
			got = readTrail(t, db, company)
			t.Logf("%s: %d creates (%d retried attempts): %d CreateLocation audit records, %d created events, %d notifications",
				tt.name, n, retried, got.createAudits, got.created, got.notifications)
			if got.created != n || got.notifications != n {
				t.Errorf("effects: %d location-created events and %d notifications, want %d each", got.created, got.notifications, n)
			}
			for id := range ids {
				if !got.auditedLocations[id] {
					t.Errorf("location %s created but not in the audit trail", id)
				}
			}
			if len(got.auditedLocations) != n {
				t.Errorf("audit trail names %d locations, want %d", len(got.auditedLocations), n)
			}
			// Without client retries every create is one call, one record;
			// a retried create may add a replay's record, never lose one.
			if retried == 0 && got.createAudits != n {
				t.Errorf("%d CreateLocation audit records, want %d", got.createAudits, n)
			}
			if got.createAudits < n {
				t.Errorf("%d CreateLocation audit records, want at least %d", got.createAudits, n)
			}
			verify := m.call(http.MethodPost, "/api/v1/audit-records:verify", token, map[string]any{}).
				expect(t, http.StatusOK, "verify audit chain")
			if valid, _ := verify.body["valid"].(bool); !valid {
				t.Errorf("audit chain does not verify: %s", verify.raw)
			}
			if d := dlqDepth(t, m.env("AMQP_URL")); d != 0 {
				t.Errorf("%d messages dead-lettered", d)
			}
		})
	}
}

// TestPoisonMessageIsDeadLetteredAndConsumptionGoesOn publishes an event
// whose payload cannot be decoded: notify retries it up to the delivery
// limit, the broker moves it to the dead-letter queue, and the events
// after it are consumed as usual.
func TestPoisonMessageIsDeadLetteredAndConsumptionGoesOn(t *testing.T) {
	m, token, company, db := eventsMesh(t)
	amqpURL := m.env("AMQP_URL")
	b, err := bus.Open(context.Background(), bus.Config{URL: amqpURL, ConnectionName: "e2e-poison"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	poison := bus.Message{
		ID: uuid.NewString(), Type: "company.location.created.v1", PayloadType: "ariesone.company.v1.LocationCreated",
		CompanyID: company, Source: "company", OccurTime: time.Now(),
		Payload: []byte{0xff, 0xff, 0xff, 0x01}, // not a protobuf message
	}
	if errs := b.Publish(context.Background(), []bus.Message{poison}); errs[0] != nil {
		t.Fatalf("publish poison: %v", errs[0])
	}
	m.call(http.MethodPost, "/api/v1/locations", token, newLocation("AFTER-1")).expect(t, http.StatusOK, "create after poison")

	deadline := time.Now().Add(eventWait)
	var dead, created int
	for time.Now().Before(deadline) {
		dead, created = dlqDepth(t, amqpURL), readTrail(t, db, company).created
		if dead == 1 && created == 1 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if dead != 1 || created != 1 {
		t.Fatalf("dead-lettered %d (want 1), location-created events %d (want 1, the one after the poison)", dead, created)
	}
	var logged int
	if err := db.QueryRow(context.Background(), "select count(*) from notify.events where id = $1", poison.ID).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if logged != 0 {
		t.Error("the poison message reached the event log")
	}
}

// TestWatchEventsStreamsOverREST opens the live stream as a partner would
// (GET, newline-delimited JSON) and creates a location: the event arrives on
// the open stream. The latency from the write's response to the line is
// logged as a measurement.
func TestWatchEventsStreamsOverREST(t *testing.T) {
	m, token, company, _ := eventsMesh(t)
	stream := watch(t, m, "?types=company.location.*", bearer(token))
	var latencies []time.Duration
	for i := range 3 {
		created := m.call(http.MethodPost, "/api/v1/locations", token, newLocation(fmt.Sprintf("LIVE-%d", i))).
			expect(t, http.StatusOK, "create location")
		wrote := time.Now()
		select {
		case last := <-stream.ended:
			t.Fatalf("stream ended: %s", last)
		case line := <-stream.lines:
			var msg struct {
				Result struct {
					ID, Type, CompanyID string
					Payload             map[string]any
				} `json:"result"`
			}
			if err := json.Unmarshal([]byte(line), &msg); err != nil {
				t.Fatalf("stream line is not JSON: %v: %s", err, line)
			}
			latencies = append(latencies, time.Since(wrote))
			r := msg.Result
			if r.Type != "company.location.created.v1" || r.CompanyID != company || r.Payload["locationId"] != created.str("id") {
				t.Errorf("streamed %s", line)
			}
		case <-time.After(eventWait):
			t.Fatal("no event on the stream")
		}
	}
	t.Logf("WatchEvents over REST: write response to streamed line %v", latencies)
}
