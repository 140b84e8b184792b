package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Figures of the sign-in flood. The memory bound is derived from how the
// company service hashes passwords and how Go collects garbage, not from a
// measurement.
const (
	// floodPasswordChecks is PASSWORD_CHECKS at its default
	// (authn.DefaultPasswordChecks): the gate's bound, left as deployed.
	floodPasswordChecks = 4
	// argonMiB is what one argon2id hash holds while it runs (m=65536 KiB,
	// services/company/internal/domain/password.go), in one allocation.
	argonMiB = 64
	// floodGOGC is the garbage collector's GOGC, Go's default, which the
	// services do not change (nor set GOMEMLIMIT); the mesh is given it
	// explicitly so that a GOGC in the test's own environment cannot move
	// the bound.
	floodGOGC = 100
	// floodAllowanceMiB is for everything besides the hashes: the rest of
	// the heap (doubled by the collector as well), the goroutines and
	// buffers of floodWorkers sign-ins in flight, most of them waiting for
	// a slot, gRPC and database pools, and the runtime's own memory.
	floodAllowanceMiB = 128
	// floodClients is how many client addresses the flood comes from, half
	// IPv4, half IPv6 (each in a /64 of its own: the services key IPv6 by
	// its /64).
	floodClients = 200
	// floodWorkers is how many sign-ins are in flight at once.
	floodWorkers = 64
	// floodFor is how long the flood lasts.
	floodFor = 10 * time.Second
)

// TestLoginFloodKeepsCompanyMemoryBounded floods sign-in with unknown
// company codes from many client addresses and checks that the company
// process's memory stays bounded, because its password-check gate
// (platform/gate, PASSWORD_CHECKS) lets only so many argon2id hashes run at
// once and refuses the rest with 429 BUSY and Retry-After.
//
// Every sign-in, even one naming no company, spends one argon2id hash of 64
// MiB (the same work for every failure, so timing tells nothing). The
// gateway trusts loopback as a proxy (TRUSTED_PROXIES, in every mesh), so
// each request names its client in X-Forwarded-For; the edge limit
// (RATE_LIMIT_EDGE) and the services' sign-in limit (RATE_LIMIT_LOGIN) are
// per address and set generous here, so the flood reaches the hashing and
// what is shown is the memory bound of the gate itself, not of the rate
// limits in front of it.
//
// The bound on the company process's peak resident memory (VmHWM) is
//
//	baseline + (1 + GOGC/100) × PASSWORD_CHECKS × 64 MiB + 128 MiB
//
// baseline being its resident memory before the flood. At most
// PASSWORD_CHECKS hashes hold their 64 MiB at once; a finished hash's
// block is garbage that only the next collection reclaims, and Go lets the
// heap grow to (1 + GOGC/100) times what it found live at the last
// collection before it collects again: with PASSWORD_CHECKS hashes live at
// one collection, the heap runs to twice their memory before the next
// (GOGC=100). With the default of 4
// checks that is baseline + 2 × 256 MiB + 128 MiB = baseline + 640 MiB.
// (The baseline already holds the freed block of the one hash company
// computes at start, for the unknown-user path, which the flood reuses.)
// Without the gate every sign-in in flight hashes at once: 64 × 64 MiB =
// 4 GiB live, several times the bound.
//
// Every answer must be 401 (unknown company: invalid credentials) or 429
// (BUSY from the gate, or rate limited): no 5xx, no broken connection. At
// least one 429 must be BUSY with Retry-After, and afterwards the company
// process must still run and sign its owner in. Nothing here is timed.
func TestLoginFloodKeepsCompanyMemoryBounded(t *testing.T) {
	m := startMesh(t,
		"RATE_LIMIT_EDGE=10000/s:10000",
		"RATE_LIMIT_LOGIN=600000/m:10000",
		"GOGC="+strconv.Itoa(floodGOGC),
	)
	company := m.procs["company"]
	pid := company.cmd.Process.Pid
	baseline := procStatusKiB(t, pid, "VmRSS")

	m.bootstrap("floodco", "owner@floodco.test", ownerPassword)

	clients := make([]string, floodClients)
	for i := range clients {
		if i%2 == 0 {
			clients[i] = fmt.Sprintf("198.51.%d.%d", 100+i/250, 1+i%250)
		} else {
			clients[i] = fmt.Sprintf("2001:db8:%x:%x::7", 0x100+i, i)
		}
	}

	var (
		sent, unauthorized, busy, limited, busyRetryAfter atomic.Int64
		failMu                                            sync.Mutex
		failures                                          []string
	)
	fail := func(format string, args ...any) {
		failMu.Lock()
		defer failMu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns: floodWorkers, MaxIdleConnsPerHost: floodWorkers,
	}}
	defer client.CloseIdleConnections()

	var peakRSS atomic.Int64
	samplerDone := make(chan struct{})
	stopSampling := make(chan struct{})
	go func() {
		defer close(samplerDone)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if kib, ok := readProcStatusKiB(pid, "VmRSS"); ok && kib > peakRSS.Load() {
				peakRSS.Store(kib)
			}
			select {
			case <-stopSampling:
				return
			case <-tick.C:
			}
		}
	}()

	deadline := time.Now().Add(floodFor)
	var wg sync.WaitGroup
	for w := range floodWorkers {
		wg.Go(func() {
			for n := 0; time.Now().Before(deadline); n++ {
				i := w*7919 + n
				body, _ := json.Marshal(map[string]string{
					"companyCode": fmt.Sprintf("nobody-%04d", i%10000),
					"email":       fmt.Sprintf("someone%d@nowhere.test", i),
					"password":    "a guess that is long enough",
				})
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.rest+"/api/v1/auth/login", bytes.NewReader(body))
				if err != nil {
					cancel()
					fail("request: %v", err)
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-For", clients[i%len(clients)])
				sent.Add(1)
				resp, err := client.Do(req)
				if err != nil {
					cancel()
					fail("sign-in from %s: %v", clients[i%len(clients)], err)
					continue
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				cancel()
				switch resp.StatusCode {
				case http.StatusUnauthorized:
					unauthorized.Add(1)
				case http.StatusTooManyRequests:
					var b struct {
						Reason string `json:"reason"`
					}
					_ = json.Unmarshal(raw, &b)
					switch b.Reason {
					case "BUSY":
						busy.Add(1)
						if resp.Header.Get("Retry-After") != "" {
							busyRetryAfter.Add(1)
						}
					case "RATE_LIMITED":
						limited.Add(1)
					default:
						fail("429 of reason %q: %s", b.Reason, raw)
					}
				default:
					fail("sign-in from %s: status %d: %s", clients[i%len(clients)], resp.StatusCode, raw)
				}
			}
		})
	}
	wg.Wait()
	close(stopSampling)
	<-samplerDone

	select {
	case <-company.done:
		t.Fatalf("the company process ended during the flood")
	default:
	}
	peak := procStatusKiB(t, pid, "VmHWM")
	bound := baseline + ((1+floodGOGC/100)*floodPasswordChecks*argonMiB+floodAllowanceMiB)*1024
	t.Logf("flood: %d sign-ins sent from %d addresses by %d workers in %s: %d × 401, %d × 429 BUSY (%d with Retry-After), %d × 429 rate limited",
		sent.Load(), len(clients), floodWorkers, floodFor, unauthorized.Load(), busy.Load(), busyRetryAfter.Load(), limited.Load())
	t.Logf("company memory: baseline RSS %d MiB, highest sampled RSS %d MiB, peak RSS (VmHWM) %d MiB, bound %d MiB (baseline + (1 + %d/100) × %d × %d MiB + %d MiB)",
		baseline/1024, peakRSS.Load()/1024, peak/1024, bound/1024, floodGOGC, floodPasswordChecks, argonMiB, floodAllowanceMiB)

	for _, f := range failures {
		t.Error(f)
	}
	if got := unauthorized.Load() + busy.Load() + limited.Load(); got != sent.Load() {
		t.Errorf("%d of %d sign-ins were answered 401 or 429", got, sent.Load())
	}
	if busyRetryAfter.Load() == 0 {
		t.Errorf("no sign-in was refused 429 BUSY with Retry-After: the gate never turned anyone away")
	}
	if busyRetryAfter.Load() != busy.Load() {
		t.Errorf("%d of %d BUSY refusals had no Retry-After", busy.Load()-busyRetryAfter.Load(), busy.Load())
	}
	if peak > bound {
		t.Errorf("company's peak RSS %d MiB is over the bound %d MiB", peak/1024, bound/1024)
	}

	// Still serving: the owner signs in.
	login(t, m, "floodco", "owner@floodco.test", ownerPassword)
}

// procStatusKiB reads a "Vm..." line of /proc/PID/status, in KiB.
func procStatusKiB(t testing.TB, pid int, field string) int64 {
	t.Helper()
	kib, ok := readProcStatusKiB(pid, field)
	if !ok {
		t.Fatalf("no %s in /proc/%d/status", field, pid)
	}
	return kib
}

func readProcStatusKiB(pid int, field string) (int64, bool) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, value, ok := strings.Cut(s.Text(), ":")
		if !ok || name != field {
			continue
		}
		kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		return kib, err == nil
	}
	return 0, false
}
