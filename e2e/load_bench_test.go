package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ariesone/ariesone/platform/postgres/pgtest"
)

// loadInFlight is the concurrency of every load in the mesh benchmark.
const loadInFlight = 16

// loadDuration is how long each load runs; BENCH_LOAD_SECONDS overrides.
func loadDuration() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("BENCH_LOAD_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 10 * time.Second
}

// result is one load's outcome.
type result struct {
	name     string
	rps      float64
	p50, p99 time.Duration
	errors   int
}

// BenchmarkMeshLoad measures reads through the whole stack, in one run and
// at 16 in flight: pgbench select-only as the database baseline; company's
// GetLocation with ghz over gRPC (the full interceptor chain) and with a Go
// load generator over REST through the gateway; and clinical's GetPatient
// over gRPC, which decrypts two PHI fields (MBI and SSN) and is audited like
// every patient read. It prints throughput, p50/p99 and the ratios
// gRPC/pgbench, REST/gRPC and GetPatient/pgbench. It runs once whatever b.N
// is (make bench passes -benchtime 1x); the figures are printed, never
// asserted.
func BenchmarkMeshLoad(b *testing.B) {
	m := startMesh(b, "RATE_LIMIT_READ=1000000/s:1000000", "RATE_LIMIT_EDGE=1000000/s:1000000", "LOG_LEVEL=warn")
	m.bootstrap("bench", "owner@bench.test", ownerPassword)
	token := login(b, m, "bench", "owner@bench.test", ownerPassword).str("accessToken")
	id := m.call(http.MethodPost, "/api/v1/locations", token, newLocation("BENCH-01")).expect(b, http.StatusOK, "create location").str("id")
	patient := m.call(http.MethodPost, "/api/v1/patients", token, intakePatient(id)).expect(b, http.StatusOK, "create patient")
	if patient.str("mbi") != flowMBI || patient.str("ssn") != flowSSN {
		b.Fatalf("the benchmark's patient does not read its PHI in clear: %s", patient.raw)
	}

	d := loadDuration()
	pg := pgbenchSelectOnly(b, d)
	grpcRes := ghzUnary(b, "gRPC GetLocation (ghz)", m.grpc, "ariesone.company.v1.LocationService/GetLocation", id, token, d)
	restRes := restGetLocation(b, m.rest+"/api/v1/locations/"+id, token, d)
	patientRes := ghzUnary(b, "gRPC GetPatient (ghz)", m.clinical, "ariesone.clinical.v1.PatientService/GetPatient", patient.str("id"), token, d)

	fmt.Printf("\nRead load, %d in flight, %s each\n", loadInFlight, d)
	fmt.Printf("%-28s %12s %10s %10s %8s\n", "load", "req/s", "p50", "p99", "errors")
	for _, r := range []result{pg, grpcRes, restRes, patientRes} {
		fmt.Printf("%-28s %12.0f %10s %10s %8d\n", r.name, r.rps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.errors)
	}
	fmt.Printf("ratio gRPC GetLocation/pgbench-S = %.3f (aim >= 0.25)\n", grpcRes.rps/pg.rps)
	fmt.Printf("ratio REST/gRPC GetLocation      = %.3f (aim >= 0.6)\n", restRes.rps/grpcRes.rps)
	fmt.Printf("ratio gRPC GetPatient/pgbench-S  = %.3f (aim >= 0.2)\n", patientRes.rps/pg.rps)
	fmt.Printf("p99 GetLocation gRPC %s, REST %s; GetPatient gRPC %s (aim < 5ms)\n", grpcRes.p99.Round(time.Microsecond),
		restRes.p99.Round(time.Microsecond), patientRes.p99.Round(time.Microsecond))
}

// pgbenchSelectOnly runs pgbench's built-in select-only script on a fresh
// database.
func pgbenchSelectOnly(b *testing.B, d time.Duration) result {
	b.Helper()
	url := pgtest.NewDatabase(b)
	if out, err := exec.Command("pgbench", "-i", "-q", "-s", "10", url).CombinedOutput(); err != nil {
		b.Fatalf("pgbench -i: %v\n%s", err, out)
	}
	r := pgtest.Pgbench(b, url, nil, "-S", "-n", "-c", strconv.Itoa(loadInFlight), "-j", "2", "-T", strconv.Itoa(int(d.Seconds())))
	return result{name: "pgbench -S (database)", rps: r.TPS, p50: r.Percentile(50), p99: r.Percentile(99)}
}

// ghzUnary drives a Get method (a request of one field, id) of a service's
// gRPC API with ghz, through the full interceptor chain (token, rate limit,
// validation, audit).
func ghzUnary(b *testing.B, name, addr, call, id, token string, d time.Duration) result {
	data, _ := json.Marshal(map[string]string{"id": id})
	return ghzLoad(b, name, addr, call, string(data), token, d)
}

// ghzLoad drives method call with the JSON request data, which may use
// ghz's template fields ({{.RequestNumber}}) to vary each call.
func ghzLoad(b *testing.B, name, addr, call, data, token string, d time.Duration) result {
	b.Helper()
	ghz := filepath.Join("..", ".bin", "ghz")
	if _, err := os.Stat(ghz); err != nil {
		if out, err := exec.Command("../scripts/tools.sh").CombinedOutput(); err != nil {
			b.Fatalf("building ghz: %v\n%s", err, out)
		}
	}
	meta, _ := json.Marshal(map[string]string{"authorization": "Bearer " + token})
	out, err := exec.Command(ghz, "--insecure", "--call", call,
		"-d", data, "-m", string(meta), "-c", strconv.Itoa(loadInFlight), "--connections", "2",
		"-z", d.String(), "-O", "json", addr).Output()
	if err != nil {
		b.Fatalf("ghz: %v\n%s", err, out)
	}
	var report struct {
		Rps       float64 `json:"rps"`
		Latencies []struct {
			Percentage int   `json:"percentage"`
			Latency    int64 `json:"latency"`
		} `json:"latencyDistribution"`
		StatusCodeDistribution map[string]int `json:"statusCodeDistribution"`
	}
	if err := json.Unmarshal(out, &report); err != nil {
		b.Fatalf("ghz report: %v\n%s", err, out)
	}
	r := result{name: name, rps: report.Rps}
	for _, l := range report.Latencies {
		switch l.Percentage {
		case 50:
			r.p50 = time.Duration(l.Latency)
		case 99:
			r.p99 = time.Duration(l.Latency)
		}
	}
	for code, n := range report.StatusCodeDistribution {
		if code != "OK" {
			r.errors += n
		}
	}
	return r
}

// restGetLocation is a closed-loop HTTP load generator: loadInFlight workers
// each send the next request as soon as the previous one is answered.
func restGetLocation(b *testing.B, url, token string, d time.Duration) result {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadInFlight, MaxConnsPerHost: loadInFlight}}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		mu     sync.Mutex
		lat    []time.Duration
		errors int
		wg     sync.WaitGroup
	)
	start := time.Now()
	for w := 0; w < loadInFlight; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						bad++
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					bad++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errors += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	p50, p99 := percentiles(lat)
	return result{name: "REST GetLocation (gateway)", rps: float64(len(lat)) / elapsed.Seconds(), p50: p50, p99: p99, errors: errors}
}

func percentiles(lat []time.Duration) (p50, p99 time.Duration) {
	if len(lat) == 0 {
		return 0, 0
	}
	slices.Sort(lat)
	return lat[len(lat)*50/100], lat[min(len(lat)-1, len(lat)*99/100)]
}
