package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/proto"

	companyv1 "github.com/ariesone/ariesone/gen/go/ariesone/company/v1"
	serialsv1 "github.com/ariesone/ariesone/gen/go/ariesone/serials/v1"
	"github.com/ariesone/ariesone/platform/postgres"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

// The replicas test's schedule: mixed traffic for trafficFor, one replica
// of company and one of serials SIGKILLed at killAt and started again at
// restartAt, orders' clock moved one rental month on every clockEvery.
const (
	trafficFor = 30 * time.Second
	killAt     = 10 * time.Second
	restartAt  = 20 * time.Second
	clockEvery = 2500 * time.Millisecond
	// rentalLines is how many monthly rentals the billing runs bill.
	rentalLines = 10
)

// TestReplicasRouteAroundAKill runs two replicas of every service and of
// the gateway, every address listing both, and drives mixed REST traffic
// through both gateways for 30 s: locations created in company, units
// received in serials and each given a maintenance record falling due
// today, every write with its request id, and reads of every service. In
// the middle one company replica and one serials replica are SIGKILLed
// (and started again ten seconds later). Meanwhile the replicas' own jobs
// run: both orders replicas bill rental months as orders' clock moves, both
// serials replicas announce the maintenance that fell due, both notify
// replicas deliver webhooks.
//
// A call the mesh answers with a connection error, 502 or 503 is repeated
// by the client with the same request id (retried to success); any other
// error fails the test. Afterwards: every write the client saw succeed
// exists once in its service, with the id the client was answered; its
// event is in notify's log once and its answered call's record in notify's
// audit trail once; every event the services committed for the tenant was
// consumed by notify (its inbox) and, audit record batches aside, is in its
// log, which holds nothing else; the webhook receiver got every subscribed
// event once; every unit's maintenance is announced once and every rental
// month billed once. The figures are logged.
func TestReplicasRouteAroundAKill(t *testing.T) {
	hooks := newHookReceiver(t)
	m := startReplicatedMesh(t, 2, "LOG_LEVEL=warn",
		"RATE_LIMIT_READ=100000/s:100000", "RATE_LIMIT_WRITE=100000/s:100000", "RATE_LIMIT_EDGE=100000/s:100000",
		"MAINTENANCE_SWEEP_INTERVAL=500ms", "BILLING_INTERVAL=500ms", "WEBHOOK_ALLOW_INSECURE_TARGETS=true")
	m.bootstrap("acme", "owner@acme.test", ownerPassword)
	owner := login(t, m, "acme", "owner@acme.test", ownerPassword).str("accessToken")
	company := m.call(http.MethodGet, "/api/v1/auth/whoami", owner, nil).expect(t, http.StatusOK, "whoami").str("companyId")
	db := pgtest.OpenPool(t, postgres.Config{URL: m.adminURL})

	// What the traffic stands on: a webhook subscription for locations and
	// maintenance (before any of them, so the receiver should get every
	// one), the order world (a warehouse, a CPAP item, a patient) and a
	// delivered order of monthly rentals.
	m.call(http.MethodPost, "/api/v1/webhook-subscriptions", owner, map[string]any{
		"webhookSubscription": map[string]any{"url": hooks.url, "eventTypes": []string{"company.location.*", "serials.maintenance.*"}},
	}).expect(t, http.StatusOK, "subscribe the webhook receiver")
	_, now := today()
	dos := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	m.setClock(t, dos)
	w := newOrderWorld(t, m, owner, "RP")
	rentalOrder := deliverMonthlyRentals(t, m, owner, w, "RP", dos, 1, rentalLines)[0]

	tr := newTraffic(m, owner)
	reads := []string{
		"/api/v1/locations?pageSize=20",
		"/api/v1/auth/whoami",
		"/api/v1/items/" + w.cpap,
		"/api/v1/serials/" + w.cpapSerials[0] + ":validate?operation=UNIT_TRANSACTION_KIND_RENT",
		"/api/v1/stock?warehouseId=" + w.warehouse,
		"/api/v1/patients/" + w.patient,
		"/api/v1/orders/" + rentalOrder,
		"/api/v1/events?pageSize=5",
	}
	yesterday, dueToday := dateOf(dos.AddDate(0, 0, -1)), dateOf(dos)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var seq atomic.Int64
	for range 2 {
		wg.Go(func() { // company: locations
			for ctx.Err() == nil {
				code := fmt.Sprintf("R-%05d", seq.Add(1))
				tr.write("location", code, "/api/v1/locations", newLocation(code))
			}
		})
		wg.Go(func() { // serials: a unit received, then its maintenance
			for ctx.Err() == nil {
				serial := fmt.Sprintf("RPS%07d", seq.Add(1))
				unit, ok := tr.write("unit", serial, "/api/v1/units", map[string]any{
					"itemId": w.cpap, "serialNumber": serial, "warehouseId": w.warehouse, "lot": "LRP",
				})
				if !ok {
					continue
				}
				tr.write("maintenance", unit, "/api/v1/units/"+unit+"/maintenanceRecords", map[string]any{
					"problem": "Intake inspection", "workDone": "Checked and cleaned", "technician": "J. Ortiz",
					"performDate": yesterday, "nextDue": dueToday,
				})
			}
		})
	}
	for i := range 3 {
		wg.Go(func() {
			for n := i; ctx.Err() == nil; n++ {
				tr.read(reads[n%len(reads)])
			}
		})
	}

	// The schedule, on the test's goroutine: a rental month every
	// clockEvery, the kills, the restarts.
	start := time.Now()
	months := 1
	killed, restarted := false, false
	before := map[string]float64{}
	for time.Since(start) < trafficFor {
		time.Sleep(100 * time.Millisecond)
		if since := time.Since(start); !killed && since >= killAt {
			killed = true
			for _, name := range []string{"company", "serials-2"} {
				before[name] = handledCalls(m.ops[name])
				m.kill(name)
			}
			t.Logf("SIGKILLed company (replica 1, the key set's host) and serials-2 at %.1fs, after %d writes and %d reads",
				time.Since(start).Seconds(), tr.writeCount(), tr.reads.Load())
		}
		if since := time.Since(start); killed && !restarted && since >= restartAt {
			// company first: the mesh's JWKS_URL names this replica, and a
			// process that starts while it does not answer has no keys and
			// refuses every token until its next unknown-key refresh (at
			// most one per 30 s). A deployment puts a load balancer there.
			restarted = true
			m.restart("company")
			m.waitHTTP(m.ops["company"] + "/.well-known/jwks.json")
			companyBack := time.Since(start)
			m.restart("serials-2")
			t.Logf("started company again at %.1fs (serving its key set at %.1fs), serials-2 at %.1fs",
				since.Seconds(), companyBack.Seconds(), time.Since(start).Seconds())
		}
		if time.Since(start) >= time.Duration(months)*clockEvery {
			months++
			m.setClock(t, anniversary(dos, months))
		}
	}
	stop()
	wg.Wait()
	elapsed := time.Since(start)

	writes := tr.allWrites()
	byKind := map[string][]*write{}
	for _, wr := range writes {
		byKind[wr.kind] = append(byKind[wr.kind], wr)
	}
	t.Logf("%.1fs of traffic through %d gateways: %d writes (%d locations, %d units, %d maintenance records), %d reads; "+
		"retried to success: %d write attempts, %d read attempts (answers retried: %v)",
		elapsed.Seconds(), len(m.rests), len(writes), len(byKind["location"]), len(byKind["unit"]), len(byKind["maintenance"]),
		tr.reads.Load(), tr.writeRetries.Load(), tr.readRetries.Load(), tr.retriedAnswers())
	logReplicaCalls(t, m, before)
	for _, f := range tr.failures() {
		t.Error(f)
	}
	if len(byKind["location"]) == 0 || len(byKind["unit"]) == 0 || len(byKind["maintenance"]) == 0 || tr.reads.Load() == 0 {
		t.Fatal("the traffic wrote or read nothing of some kind")
	}
	if t.Failed() {
		t.FailNow()
	}

	checkWritesOnce(t, db, company, byKind)
	checkTrail(t, db, m.env("AMQP_URL"), company, writes, byKind, hooks, rentalLines*months)
}

// write is one create the traffic made and saw succeed.
type write struct {
	// kind is "location", "unit" or "maintenance"; name its identifying
	// value (a location's code, a unit's serial number, the unit a
	// maintenance record is of); id the id the answer named.
	kind, name, id string
	// key is the request id (AIP-155) every attempt carried; attempt n
	// was sent with X-Request-Id key.n.
	key string
	// attempts is how many times it was sent; the last one was answered
	// 200.
	attempts int
}

// writeMethods are the gRPC methods the writes of each kind call.
var writeMethods = map[string]string{
	"location":    "/ariesone.company.v1.LocationService/CreateLocation",
	"unit":        "/ariesone.serials.v1.UnitService/ReceiveUnit",
	"maintenance": "/ariesone.serials.v1.MaintenanceService/CreateMaintenanceRecord",
}

// traffic is a REST client spreading its calls over every gateway of the
// mesh, repeating a call with its request id while the mesh answers that
// a replica is unavailable.
type traffic struct {
	m      *mesh
	token  string
	client *http.Client
	turn   atomic.Uint64

	reads, readRetries, writeRetries atomic.Int64

	mu       sync.Mutex
	writes   []*write
	retried  map[string]int // answers that were retried: "503", "502", "connection"
	problems []string
}

func newTraffic(m *mesh, token string) *traffic {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 32
	return &traffic{m: m, token: token, client: &http.Client{Transport: transport}, retried: map[string]int{}}
}

// retryFor bounds how long one call is repeated; a guard against hanging,
// not a timing assertion.
const retryFor = 90 * time.Second

// send makes one call, through the next gateway in turn for each attempt,
// repeating it while the answer is a connection error, 502 or 503; it
// returns the first other answer and how many attempts it took.
func (tr *traffic) send(method, path, key string, body any) (status int, raw []byte, attempts int) {
	var buf []byte
	if body != nil {
		buf, _ = json.Marshal(body)
	}
	deadline := time.Now().Add(retryFor)
	for {
		attempts++
		rest := tr.m.rests[tr.turn.Add(1)%uint64(len(tr.m.rests))]
		status, raw, err := tr.attempt(method, rest+path, key+"."+strconv.Itoa(attempts), buf)
		var why string
		switch {
		case err != nil:
			why = "connection"
		case status == http.StatusBadGateway || status == http.StatusServiceUnavailable:
			why = strconv.Itoa(status)
		default:
			return status, raw, attempts
		}
		tr.mu.Lock()
		tr.retried[why]++
		tr.mu.Unlock()
		if time.Now().After(deadline) {
			return status, []byte(fmt.Sprintf("still %s after %v: %v %s", why, retryFor, err, raw)), attempts
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tr *traffic) attempt(method, url, requestID string, body []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tr.token)
	req.Header.Set("X-Request-Id", requestID)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := tr.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// write creates one resource under a new request id and returns its id.
func (tr *traffic) write(kind, name, path string, body any) (string, bool) {
	key := uuid.NewString()
	status, raw, attempts := tr.send(http.MethodPost, path+"?requestId="+key, key, body)
	tr.writeRetries.Add(int64(attempts - 1))
	var answer struct {
		ID string `json:"id"`
	}
	if status != http.StatusOK || json.Unmarshal(raw, &answer) != nil || answer.ID == "" {
		tr.problem("write %s %s (request id %s, %d attempts): %d %s", kind, name, key, attempts, status, raw)
		return "", false
	}
	tr.mu.Lock()
	tr.writes = append(tr.writes, &write{kind: kind, name: name, id: answer.ID, key: key, attempts: attempts})
	tr.mu.Unlock()
	return answer.ID, true
}

// read makes one GET, which must answer 200.
func (tr *traffic) read(path string) {
	key := uuid.NewString()
	status, raw, attempts := tr.send(http.MethodGet, path, key, nil)
	tr.readRetries.Add(int64(attempts - 1))
	tr.reads.Add(1)
	if status != http.StatusOK {
		tr.problem("read %s (%d attempts): %d %s", path, attempts, status, raw)
	}
}

func (tr *traffic) problem(format string, args ...any) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.problems = append(tr.problems, fmt.Sprintf(format, args...))
}

func (tr *traffic) writeCount() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.writes)
}

func (tr *traffic) allWrites() []*write {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]*write(nil), tr.writes...)
}

func (tr *traffic) retriedAnswers() map[string]int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	out := map[string]int{}
	for k, v := range tr.retried {
		out[k] = v
	}
	return out
}

// failures are the first problems, and how many more there were.
func (tr *traffic) failures() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.problems) <= 20 {
		return tr.problems
	}
	return append(tr.problems[:20:20], fmt.Sprintf("... and %d more client-visible errors", len(tr.problems)-20))
}

// handledCalls sums grpc_server_handled_total (a service's calls) or the
// gateway's ariesone_gateway_http_requests_total on one process's
// /metrics; 0 when it does not answer.
func handledCalls(ops string) float64 {
	resp, err := http.Get(ops + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var total float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "grpc_server_handled_total{") && !strings.HasPrefix(line, "ariesone_gateway_http_requests_total{") {
			continue
		}
		if v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64); err == nil {
			total += v
		}
	}
	return total
}

// logReplicaCalls logs how many calls each process served (a killed one:
// before the kill, and since its restart).
func logReplicaCalls(t *testing.T, m *mesh, before map[string]float64) {
	t.Helper()
	var parts []string
	for _, service := range append(slices.Clone(meshServices), "gateway") {
		for r := 0; ; r++ {
			name := replicaName(service, r)
			if m.procs[name] == nil {
				break
			}
			now := handledCalls(m.ops[name])
			if b, ok := before[name]; ok {
				parts = append(parts, fmt.Sprintf("%s %.0f before its kill + %.0f since its restart", name, b, now))
			} else {
				parts = append(parts, fmt.Sprintf("%s %.0f", name, now))
			}
		}
	}
	t.Logf("calls served per process: %s", strings.Join(parts, ", "))
}

// checkWritesOnce reads the services' tables behind their backs: every
// write the client saw succeed is there once, with the id it was
// answered, and nothing else was created.
func checkWritesOnce(t *testing.T, db *pgxpool.Pool, company string, byKind map[string][]*write) {
	t.Helper()
	ctx := context.Background()
	for kind, query := range map[string]string{
		"location":    `select code, id::text from company.locations where company_id = $1 and code like 'R-%'`,
		"unit":        `select serial_number, id::text from serials.units where company_id = $1 and serial_number like 'RPS%'`,
		"maintenance": `select unit_id::text, id::text from serials.maintenance_records where company_id = $1`,
	} {
		stored := map[string][]string{}
		rows, err := db.Query(ctx, query, company)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name, id string
			if err := rows.Scan(&name, &id); err != nil {
				t.Fatal(err)
			}
			stored[name] = append(stored[name], id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		bad := 0
		for _, wr := range byKind[kind] {
			if ids := stored[wr.name]; len(ids) != 1 || ids[0] != wr.id {
				if bad++; bad <= 5 {
					t.Errorf("%s %s (answered id %s after %d attempts) is stored as %v, want once", kind, wr.name, wr.id, wr.attempts, ids)
				}
			}
		}
		if len(stored) != len(byKind[kind]) {
			t.Errorf("%d %ss stored, %d written", len(stored), kind, len(byKind[kind]))
		}
		if bad > 5 {
			t.Errorf("... %d %ss in all not stored once", bad, kind)
		}
	}
}

// trailState is what notify and the services hold of the traffic, read
// behind their backs.
type trailState struct {
	// records and okRecords count the trail's records, and those of them
	// with outcome OK, per (X-Request-Id, method).
	records, okRecords map[[2]string]int
	// logged counts the event log's events per type and resource id (the
	// payload's location, unit or record id).
	logged map[string]map[string]int
	// loggedIDs are the tenant's event ids in notify's log.
	loggedIDs map[string]bool
	// committed are the tenant's events in the services' outboxes (their
	// audit record batches included), by id.
	committed map[string]committedEvent
	// claimLines and distinctMonths count the rentals' claim lines.
	claimLines, distinctMonths int
	// hooked are the ids of the logged events the webhook subscription
	// asks for.
	hooked map[string]bool
	// announcedAtSource counts serials.maintenance.due.v1 in serials'
	// outbox.
	announcedAtSource int
}

// eventResource decodes the resource id an event of the traffic names.
var eventResource = map[string]func([]byte) (string, error){
	"company.location.created.v1": func(b []byte) (string, error) {
		var e companyv1.LocationCreated
		err := proto.Unmarshal(b, &e)
		return e.GetLocationId(), err
	},
	"serials.unit.received.v1": func(b []byte) (string, error) {
		var e serialsv1.UnitReceived
		err := proto.Unmarshal(b, &e)
		return e.GetUnitId(), err
	},
	"serials.maintenance.recorded.v1": func(b []byte) (string, error) {
		var e serialsv1.MaintenanceRecorded
		err := proto.Unmarshal(b, &e)
		return e.GetRecordId(), err
	},
	"serials.maintenance.due.v1": func(b []byte) (string, error) {
		var e serialsv1.MaintenanceFellDue
		err := proto.Unmarshal(b, &e)
		return e.GetUnitId(), err
	},
	"orders.claim_line.created.v1": func([]byte) (string, error) { return "", nil },
}

func readTrailState(t *testing.T, db *pgxpool.Pool, company string, requestIDs []string) trailState {
	t.Helper()
	ctx := context.Background()
	s := trailState{records: map[[2]string]int{}, okRecords: map[[2]string]int{}, logged: map[string]map[string]int{},
		loggedIDs: map[string]bool{}, committed: map[string]committedEvent{}, hooked: map[string]bool{}}
	rows, err := db.Query(ctx, `select request_id, method, count(*), count(*) filter (where code = 'OK')
		from notify.audit_records where company_id = $1 and request_id = any($2) group by 1, 2`, company, requestIDs)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, method string
		var n, ok int
		if err := rows.Scan(&id, &method, &n, &ok); err != nil {
			t.Fatal(err)
		}
		s.records[[2]string{id, method}], s.okRecords[[2]string{id, method}] = n, ok
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows, err = db.Query(ctx, `select id::text, type, payload from notify.events where company_id = $1`, company)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, typ string
		var payload []byte
		if err := rows.Scan(&id, &typ, &payload); err != nil {
			t.Fatal(err)
		}
		s.loggedIDs[id] = true
		if strings.HasPrefix(typ, "company.location.") || strings.HasPrefix(typ, "serials.maintenance.") {
			s.hooked[id] = true
		}
		decode, ok := eventResource[typ]
		if !ok {
			continue
		}
		resource, err := decode(payload)
		if err != nil {
			t.Fatalf("event %s (%s): %v", id, typ, err)
		}
		if s.logged[typ] == nil {
			s.logged[typ] = map[string]int{}
		}
		s.logged[typ][resource]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows, err = db.Query(ctx, `select o.id::text, o.type,
			exists (select 1 from notify.inbox i where i.consumer = 'notify.events' and i.event_id = o.id)
		from (select id, type from company.outbox where company_id = $1
			union all select id, type from clinical.outbox where company_id = $1
			union all select id, type from serials.outbox where company_id = $1
			union all select id, type from orders.outbox where company_id = $1) as o`, company)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var e committedEvent
		if err := rows.Scan(&id, &e.typ, &e.consumed); err != nil {
			t.Fatal(err)
		}
		s.committed[id] = e
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	err = db.QueryRow(ctx, `select
		(select count(*) from orders.claim_lines where company_id = $1 and hcpcs = 'E0570'),
		(select count(distinct (order_line_id, billing_month)) from orders.claim_lines where company_id = $1 and hcpcs = 'E0570'),
		(select count(*) from serials.outbox where company_id = $1 and type = 'serials.maintenance.due.v1')`,
		company).Scan(&s.claimLines, &s.distinctMonths, &s.announcedAtSource)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// complete reports whether everything the traffic should have caused has
// arrived: each write's record and event, every committed event in the
// log and at the webhook receiver, every announcement and claim line.
func (s trailState) complete(writes []*write, byKind map[string][]*write, hooks *hookReceiver, claimLines int) bool {
	for _, wr := range writes {
		if s.okRecords[[2]string{wr.okRequestID(), writeMethods[wr.kind]}] == 0 {
			return false
		}
	}
	for id, e := range s.committed {
		if !e.consumed || (!e.audit() && !s.loggedIDs[id]) {
			return false
		}
	}
	return len(s.logged["company.location.created.v1"]) >= len(byKind["location"]) &&
		len(s.logged["serials.unit.received.v1"]) >= len(byKind["unit"]) &&
		len(s.logged["serials.maintenance.recorded.v1"]) >= len(byKind["maintenance"]) &&
		len(s.logged["serials.maintenance.due.v1"]) >= len(byKind["maintenance"]) &&
		s.claimLines >= claimLines && len(s.logged["orders.claim_line.created.v1"]) > 0 &&
		hooks.count() >= len(s.hooked)
}

// committedEvent is an event a service committed to its outbox.
type committedEvent struct {
	typ string
	// consumed is whether notify's inbox holds it.
	consumed bool
}

// audit reports whether the event is a batch of audit records, which
// notify appends to the trail rather than to the event log.
func (e committedEvent) audit() bool { return strings.Contains(e.typ, ".audit.recorded.") }

// okRequestID is the X-Request-Id of the attempt answered 200.
func (wr *write) okRequestID() string { return wr.key + "." + strconv.Itoa(wr.attempts) }

// checkTrail waits for notify to hold everything the traffic caused and
// checks that it holds each thing once.
func checkTrail(t *testing.T, db *pgxpool.Pool, amqpURL, company string, writes []*write, byKind map[string][]*write, hooks *hookReceiver, claimLines int) {
	t.Helper()
	var requestIDs []string
	for _, wr := range writes {
		for a := 1; a <= wr.attempts; a++ {
			requestIDs = append(requestIDs, wr.key+"."+strconv.Itoa(a))
		}
	}
	waited := time.Now()
	deadline := waited.Add(eventWait)
	s := readTrailState(t, db, company, requestIDs)
	for !s.complete(writes, byKind, hooks, claimLines) && time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		s = readTrailState(t, db, company, requestIDs)
	}
	// Let any duplicate that was going to arrive arrive.
	time.Sleep(time.Second)
	s = readTrailState(t, db, company, requestIDs)
	t.Logf("notify caught up %.1fs after the traffic: %d events of the tenant logged (%d committed by the services, audit record batches included), "+
		"%d webhook deliveries received, %d maintenance announcements, %d claim lines",
		time.Since(waited).Seconds(), len(s.loggedIDs), len(s.committed), hooks.count(),
		len(s.logged["serials.maintenance.due.v1"]), s.claimLines)

	// Each write: its answered call's record in the trail once, with
	// outcome OK, and its event in the log once. A retried write's earlier
	// attempts have at most one record each: an OK one when the service
	// committed the write but its answer was lost with the replica (the
	// retry was then answered from the stored result), none when the
	// write died with it.
	eventOf := map[string]string{"location": "company.location.created.v1", "unit": "serials.unit.received.v1",
		"maintenance": "serials.maintenance.recorded.v1"}
	bad, retried, appliedBefore := 0, 0, 0
	for _, wr := range writes {
		method := writeMethods[wr.kind]
		var problem string
		answered := [2]string{wr.okRequestID(), method}
		if n, ok := s.records[answered], s.okRecords[answered]; n != 1 || ok != 1 {
			problem = fmt.Sprintf("the answered attempt has %d records in the trail (%d OK), want 1 OK", n, ok)
		}
		applied := false
		for a := 1; a < wr.attempts && problem == ""; a++ {
			attempt := [2]string{wr.key + "." + strconv.Itoa(a), method}
			if n := s.records[attempt]; n > 1 {
				problem = fmt.Sprintf("attempt %d has %d records in the trail, want at most 1", a, n)
			}
			applied = applied || s.okRecords[attempt] == 1
		}
		if applied {
			appliedBefore++
		}
		if n := s.logged[eventOf[wr.kind]][wr.id]; n != 1 && problem == "" {
			problem = fmt.Sprintf("%d %s events in notify's log, want 1", n, eventOf[wr.kind])
		}
		if wr.attempts > 1 {
			retried++
		}
		if problem != "" {
			if bad++; bad <= 5 {
				t.Errorf("%s %s (id %s, request id %s, %d attempts): %s", wr.kind, wr.name, wr.id, wr.key, wr.attempts, problem)
			}
		}
	}
	if bad > 5 {
		t.Errorf("... %d writes in all not in the trail once", bad)
	}
	// Every event the services committed for the tenant was consumed by
	// notify (its inbox holds each id once) and, unless it is a batch of
	// audit records, is in the log; the log holds nothing else; and the
	// webhook receiver got each subscribed event once: no event was
	// consumed, nor delivered, twice.
	unconsumed, unlogged, extra := map[string]int{}, map[string]int{}, 0
	for id, e := range s.committed {
		if !e.consumed {
			unconsumed[e.typ]++
		}
		if !e.audit() && !s.loggedIDs[id] {
			unlogged[e.typ]++
		}
	}
	for id := range s.loggedIDs {
		if _, ok := s.committed[id]; !ok {
			extra++
		}
	}
	if len(unconsumed) != 0 || len(unlogged) != 0 || extra != 0 {
		t.Errorf("of %d events the services committed, not consumed by notify: %v; not in its log: %v; "+
			"the log has %d events no service committed", len(s.committed), unconsumed, unlogged, extra)
	}
	if twice := hooks.twice(); len(twice) != 0 {
		t.Errorf("the webhook receiver got %d events more than once: %v", len(twice), twice[:min(5, len(twice))])
	}
	if got := hooks.ids(); !maps.Equal(got, s.hooked) {
		t.Errorf("the webhook receiver got %d events, notify logged %d the subscription asks for; they differ", len(got), len(s.hooked))
	}

	// The background jobs: each unit's maintenance announced once (at the
	// source and in the log), each rental month billed once and its event
	// logged once.
	announced := s.logged["serials.maintenance.due.v1"]
	for _, wr := range byKind["maintenance"] {
		if n := announced[wr.name]; n != 1 {
			t.Errorf("unit %s: maintenance due announced %d times, want once", wr.name, n)
			break
		}
	}
	if len(announced) != len(byKind["maintenance"]) || s.announcedAtSource != len(byKind["maintenance"]) {
		t.Errorf("maintenance due: %d units announced in the log, %d announcements in serials' outbox; want %d each",
			len(announced), s.announcedAtSource, len(byKind["maintenance"]))
	}
	if s.claimLines != claimLines || s.distinctMonths != claimLines || s.logged["orders.claim_line.created.v1"][""] != claimLines {
		t.Errorf("billing: %d claim lines (%d distinct line and month), %d claim line events logged; want %d each",
			s.claimLines, s.distinctMonths, s.logged["orders.claim_line.created.v1"][""], claimLines)
	}
	if d := dlqDepth(t, amqpURL); d != 0 {
		t.Errorf("%d messages dead-lettered", d)
	}
	t.Logf("%d writes each stored, audited and logged once (%d of them retried, %d of those applied by an attempt whose answer was lost); "+
		"%d maintenance announcements and %d claim lines, each once", len(writes)-bad, retried, appliedBefore, len(announced), s.claimLines)
}

// hookReceiver is a webhook endpoint on loopback counting each event id
// it receives.
type hookReceiver struct {
	url  string
	mu   sync.Mutex
	seen map[string]int
}

func newHookReceiver(t *testing.T) *hookReceiver {
	t.Helper()
	h := &hookReceiver{seen: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ID string `json:"id"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.ID == "" {
			http.Error(w, "no event id", http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.seen[body.ID]++
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	h.url = srv.URL + "/hook"
	return h
}

// ids are the event ids received.
func (h *hookReceiver) ids() map[string]bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]bool{}
	for id := range h.seen {
		out[id] = true
	}
	return out
}

func (h *hookReceiver) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.seen)
}

// twice lists the event ids received more than once.
func (h *hookReceiver) twice() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for id, n := range h.seen {
		if n > 1 {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
