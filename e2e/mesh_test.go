package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ariesone/ariesone/platform/keyring"
	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

// binaries are built once per test binary run and shared by every test.
var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

func buildBinaries(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "ariesone-e2e-bin-")
		if buildErr != nil {
			return
		}
		// -trimpath as `make up` builds: the clones TestMakeUpInTwoCheckouts
		// makes then find every package compiled already.
		cmd := exec.Command("go", "build", "-trimpath", "-o", binDir+string(os.PathSeparator),
			"github.com/ariesone/ariesone/services/company/cmd/company",
			"github.com/ariesone/ariesone/services/notify/cmd/notify",
			"github.com/ariesone/ariesone/services/clinical/cmd/clinical",
			"github.com/ariesone/ariesone/services/orders/cmd/orders",
			"github.com/ariesone/ariesone/services/serials/cmd/serials",
			"github.com/ariesone/ariesone/gateway/cmd/gateway")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		buildErr = cmd.Run()
	})
	if buildErr != nil {
		t.Fatalf("building binaries: %v", buildErr)
	}
	return binDir
}

// mesh is company, clinical, orders, serials, notify and the gateway running as processes
// for one test, on a database and a RabbitMQ virtual host of their own.
type mesh struct {
	t       testing.TB
	bin     string
	baseEnv []string
	rest    string // http://127.0.0.1:PORT
	grpc    string // company's gRPC address
	notify  string // notify's gRPC address
	// clinical is clinical's gRPC address.
	clinical string
	// orders is orders' gRPC address.
	orders string
	// serials is serials' gRPC address.
	serials string
	// notifyMetrics is notify's /metrics URL.
	notifyMetrics string
	// ops is each service's operations base URL (/metrics, and
	// /debug/pprof/ when PPROF_ENABLED), by name.
	ops map[string]string
	// adminURL is the database's superuser URL, for checks behind the
	// services' backs.
	adminURL string
	procs    map[string]*process
	// addrs are the gRPC addresses of every replica of each service, by
	// service name, as its peers and the gateways were given them.
	addrs map[string][]string
	// rests are the base URLs of every gateway replica; rest is the first.
	rests []string
	// ports are each process's API (or gateway) port and operations port,
	// by its name in the mesh.
	ports map[string][2]int
}

// process is one running binary of the mesh.
type process struct {
	// name is the service's name in the mesh; binary the program it runs
	// (the name, unless a second replica of a service).
	name, binary string
	env          []string
	logPath      string
	cmd          *exec.Cmd
	done         chan struct{}
}

// Ports handed to the services are taken below the kernel's ephemeral
// range (32768 and up on Linux): a port the kernel hands out for ":0" is
// also what it gives the mesh's own outgoing connections, and one of them
// could take it in the seconds before the service binds it.
const (
	lowPort  = 20000
	highPort = 32000
)

var (
	portsMu sync.Mutex
	// portsGiven are the ports this test process handed out, never twice.
	portsGiven = map[int]bool{}
)

// freePort returns a loopback port below the ephemeral range that nothing
// listens on and that this process has not handed out before.
func freePort(t testing.TB) int {
	t.Helper()
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 2000 {
		p := lowPort + rand.IntN(highPort-lowPort)
		if portsGiven[p] {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		l.Close()
		portsGiven[p] = true
		return p
	}
	t.Fatal("no free loopback port below the ephemeral range")
	return 0
}

// meshServices are the mesh's services in the order it starts them:
// company first (it runs the migrations of its schema and creates the
// signing keys every other process verifies tokens with), then the rest.
var meshServices = []string{"company", "notify", "clinical", "serials", "orders"}

// replicaName is the mesh's name of replica r (0-based) of service:
// "serials" for the first, "serials-2" for the second, and so on.
func replicaName(service string, r int) string {
	if r == 0 {
		return service
	}
	return fmt.Sprintf("%s-%d", service, r+1)
}

// startMesh boots company, clinical, orders, serials, notify and the gateway on free
// loopback ports against a fresh database. env adds or overrides variables of every
// process.
func startMesh(t testing.TB, env ...string) *mesh {
	t.Helper()
	return startReplicatedMesh(t, 1, env...)
}

// startReplicatedMesh boots replicas processes of each service and of the
// gateway, as `REPLICAS=N make up` does: every address of a service that
// another process is given (a peer of serials or orders, a backend of
// each gateway) lists all of its replicas. The mesh's single-address
// fields (rest, grpc, notify, ...) name the first replica.
func startReplicatedMesh(t testing.TB, replicas int, env ...string) *mesh {
	t.Helper()
	bin := buildBinaries(t)
	adminURL := pgtest.NewDatabase(t)
	_, appURL := pgtest.NewAppRole(t, adminURL)
	key, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	m := &mesh{
		t: t, bin: bin, adminURL: adminURL, procs: map[string]*process{},
		ops: map[string]string{}, addrs: map[string][]string{}, ports: map[string][2]int{},
	}
	for _, service := range append(slices.Clone(meshServices), "gateway") {
		for r := range replicas {
			name := replicaName(service, r)
			api, ops := freePort(t), freePort(t)
			m.ports[name] = [2]int{api, ops}
			m.ops[name] = fmt.Sprintf("http://127.0.0.1:%d", ops)
			if service == "gateway" {
				m.rests = append(m.rests, fmt.Sprintf("http://127.0.0.1:%d", api))
			} else {
				m.addrs[service] = append(m.addrs[service], fmt.Sprintf("127.0.0.1:%d", api))
			}
		}
	}
	m.rest = m.rests[0]
	m.grpc, m.notify, m.clinical = m.addrs["company"][0], m.addrs["notify"][0], m.addrs["clinical"][0]
	m.orders, m.serials = m.addrs["orders"][0], m.addrs["serials"][0]
	m.notifyMetrics = m.ops["notify"] + "/metrics"
	m.baseEnv = []string{
		"AMQP_URL=" + newVhost(t),
		"FEATURE_REAL_TIME_UPDATES=true",
		"APP_ENV=test",
		"LOG_LEVEL=info",
		"DATABASE_URL=" + appURL,
		"DB_MIGRATE_URL=" + adminURL,
		"ENCRYPTION_KEY=" + key,
		"SIGNING_KEY_BITS=2048",
		// Every test client is 127.0.0.1; the sign-in budget per address is
		// for offices, not for a test suite signing in dozens of times.
		"RATE_LIMIT_LOGIN=6000/m:1000",
		"TRUSTED_PROXIES=127.0.0.1",
		"JWKS_URL=" + m.ops["company"] + "/.well-known/jwks.json",
	}
	m.baseEnv = append(m.baseEnv, env...)
	m.startReplica("company", 0)
	m.waitHTTP(m.ops["company"] + "/.well-known/jwks.json")
	// Then the first replica of each other service, all at once (each
	// applies its migrations under an advisory lock, and peer connections
	// are lazy, so the order does not matter), and once they serve, every
	// other replica at once. Not every replica at once: two processes of
	// one service starting on a fresh schema can both try to create its
	// encryption key check's table (create table if not exists, outside
	// the migrations' lock), and one of them then exits.
	for _, service := range meshServices[1:] {
		m.startReplica(service, 0)
	}
	for _, service := range meshServices[1:] {
		m.waitHTTP(m.ops[service] + "/metrics")
	}
	for r := 1; r < replicas; r++ {
		for _, service := range meshServices {
			m.startReplica(service, r)
		}
	}
	for r := 1; r < replicas; r++ {
		for _, service := range meshServices {
			m.waitHTTP(m.ops[replicaName(service, r)] + "/metrics")
		}
	}
	for r := range replicas {
		m.startReplica("gateway", r)
	}
	for _, rest := range m.rests {
		m.waitHTTP(rest + "/readyz")
	}
	return m
}

// peerEnv is what a process of service is told besides its ports: where
// every replica of each service it asks is, and its own switches.
func (m *mesh) peerEnv(service string) []string {
	all := func(s string) string { return strings.ToUpper(s) + "_ADDR=" + strings.Join(m.addrs[s], ",") }
	switch service {
	case "serials":
		// serials asks company about warehouses and clinical about
		// patients, and caches serial lookups in Redis as well as in
		// process.
		return []string{all("company"), all("clinical"), "REDIS_HOST=127.0.0.1", "FEATURE_BULK_OPERATIONS=true"}
	case "orders":
		// orders asks company, clinical and serials, with the caller's
		// token, about what an order names and the units it reserves; its
		// clock can be moved (rental billing month by month).
		return []string{all("company"), all("clinical"), all("serials"), "CLOCK_ADJUSTABLE=true"}
	case "gateway":
		return []string{all("company"), all("notify"), all("clinical"), all("serials"), all("orders")}
	}
	return nil
}

// startReplica runs replica r of service (the gateway included) on the
// ports the mesh gave it, with its peers' addresses.
func (m *mesh) startReplica(service string, r int) {
	m.t.Helper()
	name := replicaName(service, r)
	ports := m.ports[name]
	api := "API_PORT"
	if service == "gateway" {
		api = "GATEWAY_PORT"
	}
	m.startAs(name, service, append([]string{fmt.Sprintf("%s=%d", api, ports[0]), fmt.Sprintf("METRICS_PORT=%d", ports[1])},
		m.peerEnv(service)...)...)
}

// addReplica runs one more replica of service on the mesh's database and
// broker, with the same peers as the others, waits until it serves, and
// returns its gRPC address. The processes started with the mesh (the
// gateway's backends, the peers of serials and orders) do not know it:
// callers reach it at the returned address.
func (m *mesh) addReplica(service string) string {
	m.t.Helper()
	r := 1
	for m.procs[replicaName(service, r)] != nil {
		r++
	}
	name := replicaName(service, r)
	api, ops := freePort(m.t), freePort(m.t)
	m.ports[name] = [2]int{api, ops}
	m.ops[name] = fmt.Sprintf("http://127.0.0.1:%d", ops)
	m.startReplica(service, r)
	m.waitHTTP(m.ops[name] + "/metrics")
	return fmt.Sprintf("127.0.0.1:%d", api)
}

// start runs a binary until the test ends; its output goes to a file that is
// printed when the test fails.
func (m *mesh) start(name string, env ...string) {
	m.t.Helper()
	m.startAs(name, name, env...)
}

// startAs runs binary as the mesh's process name (a second replica of a
// service) until the test ends.
func (m *mesh) startAs(name, binary string, env ...string) {
	m.t.Helper()
	p := &process{name: name, binary: binary, env: env, logPath: filepath.Join(m.t.TempDir(), name+".log")}
	m.procs[name] = p
	m.launch(p)
	m.t.Cleanup(func() {
		m.stop(p)
		if m.t.Failed() {
			out, _ := os.ReadFile(p.logPath)
			m.t.Logf("---- %s log ----\n%s", name, out)
		}
	})
}

// launch starts p's binary, appending to its log.
func (m *mesh) launch(p *process) {
	m.t.Helper()
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		m.t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(m.bin, p.binary))
	cmd.Env = append(append(os.Environ(), m.baseEnv...), p.env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		m.t.Fatalf("starting %s: %v", p.name, err)
	}
	p.cmd, p.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); logFile.Close(); close(p.done) }()
}

// stop asks p to shut down gracefully, killing it after 20 seconds.
func (m *mesh) stop(p *process) {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// kill ends a service with SIGKILL: no shutdown, no flush, as a crash.
func (m *mesh) kill(name string) {
	m.t.Helper()
	p := m.procs[name]
	if err := p.cmd.Process.Kill(); err != nil {
		m.t.Fatalf("kill %s: %v", name, err)
	}
	<-p.done
}

// restart starts a killed or stopped service again with the same settings.
func (m *mesh) restart(name string) {
	m.t.Helper()
	m.launch(m.procs[name])
}

// waitCall repeats a call while the gateway answers that the service
// behind it is unavailable (502, 503: it is starting again), for up to 90
// seconds, and returns the first other answer.
func (m *mesh) waitCall(method, path, token string) response {
	m.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		r := m.call(method, path, token, nil)
		if (r.status != http.StatusServiceUnavailable && r.status != http.StatusBadGateway) || time.Now().After(deadline) {
			return r
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// bootstrapPassword is the password an operator hands the owner a bootstrap
// creates; the owner must replace it at the first sign-in.
const bootstrapPassword = "the operator's one-time passphrase"

// bootstrap creates a company and its owner with the operator command, then
// does what the owner must do first, over REST: the bootstrap password's
// sign-in answers PASSWORD_CHANGE_REQUIRED with a token, which sets the
// owner's own password.
func (m *mesh) bootstrap(code, ownerEmail, password string) {
	m.t.Helper()
	m.bootstrapOnly(code, ownerEmail, bootstrapPassword)
	token := m.passwordChangeToken(code, ownerEmail, bootstrapPassword)
	m.call(http.MethodPost, "/api/v1/auth/password:reset", "", map[string]string{
		"companyCode": code, "token": token, "newPassword": password,
	}).expect(m.t, http.StatusOK, "owner chooses a password")
}

// bootstrapOnly creates a company and its owner with the operator command.
func (m *mesh) bootstrapOnly(code, ownerEmail, password string) {
	m.t.Helper()
	cmd := exec.Command(filepath.Join(m.bin, "company"), "bootstrap")
	cmd.Env = append(append(os.Environ(), m.baseEnv...),
		"BOOTSTRAP_COMPANY_CODE="+code,
		"BOOTSTRAP_LEGAL_NAME="+strings.ToUpper(code)+" Home Medical LLC",
		"BOOTSTRAP_OWNER_EMAIL="+ownerEmail,
		"BOOTSTRAP_OWNER_PASSWORD="+password,
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		m.t.Fatalf("bootstrap %s: %v\n%s", code, err, out)
	}
}

// passwordChangeToken signs in as an account that must change its
// password and returns the token the refusal carries.
func (m *mesh) passwordChangeToken(code, email, password string) string {
	m.t.Helper()
	r := m.call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{
		"companyCode": code, "email": email, "password": password,
	}).expect(m.t, http.StatusBadRequest, "sign-in that must change its password")
	if reason := r.str("reason"); reason != "PASSWORD_CHANGE_REQUIRED" {
		m.t.Fatalf("sign-in that must change its password: reason %q, want PASSWORD_CHANGE_REQUIRED; %s", reason, r.raw)
	}
	meta, _ := r.body["metadata"].(map[string]any)
	token, _ := meta["password_change_token"].(string)
	if token == "" {
		m.t.Fatalf("PASSWORD_CHANGE_REQUIRED without a token: %s", r.raw)
	}
	return token
}

func (m *mesh) waitHTTP(url string) {
	m.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	m.t.Fatalf("%s never answered 200", url)
}

// response is a decoded REST response.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// call sends a JSON request over REST, with a bearer token when given.
func (m *mesh) call(method, path, token string, body any) response {
	m.t.Helper()
	return m.callWith(method, path, body, func(r *http.Request) {
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
	})
}

func (m *mesh) callWith(method, path string, body any, edit func(*http.Request)) response {
	m.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			m.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, m.rest+path, rd)
	if err != nil {
		m.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			m.t.Fatalf("%s %s: response is not a JSON object: %v\n%s", method, path, err, raw)
		}
	}
	return r
}

// expect fails the test unless the response has the wanted status, and for
// errors checks the documented body shape.
func (r response) expect(t testing.TB, want int, what string) response {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d; body %s", what, r.status, want, r.raw)
	}
	if want >= 400 {
		if got, _ := r.body["statusCode"].(float64); int(got) != want {
			t.Fatalf("%s: error body statusCode %v, want %d; body %s", what, r.body["statusCode"], want, r.raw)
		}
		if _, ok := r.body["message"].(string); !ok {
			t.Fatalf("%s: error body has no message: %s", what, r.raw)
		}
		if id, _ := r.body["requestId"].(string); id == "" || id != r.header.Get("X-Request-Id") {
			t.Fatalf("%s: error body requestId %q does not match X-Request-Id %q", what, id, r.header.Get("X-Request-Id"))
		}
	}
	return r
}

func (r response) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}
