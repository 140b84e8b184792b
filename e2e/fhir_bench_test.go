package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fhirWarmUp is how long each read runs before it is measured, so that the
// first calls' costs (connections, the verification caches of the caller's
// token) and the start of the drift fhirPhases describes fall outside the
// measured phases.
const fhirWarmUp = 5 * time.Second

// fhirFormat is FHIR's _format override of the Accept header, asking for
// application/fhir+json. The read loads put it in the URL because the
// closed-loop load generator (restGetLocation) sends no header but the
// token; the facade negotiates it exactly as Accept: application/fhir+json,
// and the benchmark checks first that both answer the same bytes.
const fhirFormat = "_format=application%2Ffhir%2Bjson"

// BenchmarkFHIRPatientRead measures what the FHIR R4 facade costs on the
// read partners use most, against the REST read it translates: the same
// patient read through the same gateway with the same token, as
// GET /api/v1/patients/{id} and as GET /fhir/r4/Patient/{id}. Both end in
// the same clinical GetPatient (interceptor chain, tenant transaction, PHI
// masked for the caller, audited); the FHIR one adds the mapping onto
// Patient and its JSON. The token is a partner's (an API key with
// ROLE_AUDITOR exchanged for a bearer token), the caller the facade is
// for. Each read is warmed up, then each runs at 16 in flight for
// BENCH_LOAD_SECONDS in all, in alternating phases of the same run (see
// fhirPhases), and the FHIR/REST throughput ratio is printed with each
// phase's calls/s, p50/p99 and the CPU the gateway and clinical spent per
// call (see fhirCPUProcesses). A non-200 answer fails the benchmark, since
// a refused call is cheaper than a served one and would flatter the
// figures; timings are never asserted. It runs once whatever b.N is (make
// bench passes -benchtime 1x).
func BenchmarkFHIRPatientRead(b *testing.B) {
	m := startMesh(b, "RATE_LIMIT_READ=1000000/s:1000000", "RATE_LIMIT_EDGE=1000000/s:1000000", "LOG_LEVEL=warn")
	m.bootstrap("bench", "owner@bench.test", ownerPassword)
	owner := login(b, m, "bench", "owner@bench.test", ownerPassword).str("accessToken")
	branch := m.call(http.MethodPost, "/api/v1/locations", owner, newLocation("BENCH-01")).expect(b, http.StatusOK, "create branch").str("id")
	patient := m.call(http.MethodPost, "/api/v1/patients", owner, intakePatient(branch)).expect(b, http.StatusOK, "create patient").str("id")
	key := m.call(http.MethodPost, "/api/v1/api-keys", owner, map[string]any{
		"apiKey": map[string]any{"clientName": "Bench EHR bridge", "roles": []string{"ROLE_AUDITOR"}},
	}).expect(b, http.StatusOK, "create the partner's key").str("secret")
	partner := m.call(http.MethodPost, "/api/v1/auth/token", "", map[string]string{"apiKey": key}).
		expect(b, http.StatusOK, "exchange the partner's key").str("accessToken")

	restURL := m.rest + "/api/v1/patients/" + patient
	fhirURL := m.rest + "/fhir/r4/Patient/" + patient + "?" + fhirFormat
	checkFHIRRead(b, m, patient, partner)

	reads := []struct {
		short, name, url string
	}{
		{"REST", "REST GET /api/v1/patients/{id}", restURL},
		{"FHIR", "FHIR GET /fhir/r4/Patient/{id}", fhirURL},
	}
	for _, r := range reads {
		if res := restGetLocation(b, r.url, partner, fhirWarmUp); res.errors > 0 {
			b.Fatalf("%s: %d errors while warming up", r.name, res.errors)
		}
	}

	d := loadDuration()
	perRead := len(fhirPhases) / len(reads)
	phaseLen := d / time.Duration(perRead)
	order := make([]string, len(fhirPhases))
	for j, i := range fhirPhases {
		order[j] = reads[i].short
	}
	fmt.Printf("\nPatient read through the gateway, one patient, a partner's token, %d in flight, %s each (%d phases of %s: %s) after %s of warm-up each\n",
		loadInFlight, d, perRead, phaseLen, strings.Join(order, " "), fhirWarmUp)
	fmt.Printf("%-36s %12s %10s %10s %8s %14s %14s\n", "phase", "calls/s", "p50", "p99", "errors", "gateway CPU", "clinical CPU")
	phases := make([][]result, len(reads))
	cpu := make([]map[string]time.Duration, len(reads)) // CPU used per process, over each read's phases
	for i := range cpu {
		cpu[i] = map[string]time.Duration{}
	}
	measured := true
	for _, i := range fhirPhases {
		before, ok := cpuTimes(m, fhirCPUProcesses)
		r := restGetLocation(b, reads[i].url, partner, phaseLen)
		after, ok2 := cpuTimes(m, fhirCPUProcesses)
		measured = measured && ok && ok2
		r.name = fmt.Sprintf("%s (%d/%d)", reads[i].name, len(phases[i])+1, perRead)
		calls := r.rps * phaseLen.Seconds()
		perCall := make([]string, len(fhirCPUProcesses))
		for j, name := range fhirCPUProcesses {
			used := after[j] - before[j]
			cpu[i][name] += used
			perCall[j] = "-"
			if ok && ok2 && calls > 0 {
				perCall[j] = fmt.Sprintf("%.0f µs/call", float64(used.Microseconds())/calls)
			}
		}
		fmt.Printf("%-36s %12.0f %10s %10s %8d %14s %14s\n", r.name, r.rps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.errors,
			perCall[0], perCall[1])
		if r.errors > 0 {
			b.Fatalf("%s: %d calls failed or answered other than 200", r.name, r.errors)
		}
		phases[i] = append(phases[i], r)
	}

	rps := make([]float64, len(reads))
	gatewayPerCall := make([]float64, len(reads))
	for i, r := range reads {
		// The phases are equally long, so the mean of their rates is the
		// rate over all of them.
		var p50, p99 time.Duration
		for _, ph := range phases[i] {
			rps[i] += ph.rps / float64(len(phases[i]))
			p50, p99 = max(p50, ph.p50), max(p99, ph.p99)
		}
		fmt.Printf("%-32s %6.0f calls/s over its phases; worse phase p50 %s, p99 %s", r.name, rps[i], p50.Round(time.Microsecond), p99.Round(time.Microsecond))
		if calls := rps[i] * d.Seconds(); measured && calls > 0 {
			gatewayPerCall[i] = float64(cpu[i]["gateway"].Microseconds()) / calls
			fmt.Printf("; CPU per call: gateway %.0f µs, clinical %.0f µs", gatewayPerCall[i], float64(cpu[i]["clinical"].Microseconds())/calls)
		}
		fmt.Println()
	}
	fmt.Printf("ratio FHIR/REST Patient read = %.3f× (aim ≥ 0.8×)\n", rps[1]/rps[0])
	if measured && gatewayPerCall[0] > 0 {
		fmt.Printf("gateway CPU per call FHIR/REST = %.2f× (the facade's own cost, steadier than throughput on shared cores)\n", gatewayPerCall[1]/gatewayPerCall[0])
	}
}

// fhirCPUProcesses are the processes whose CPU time each phase reports per
// call: the gateway, where the two reads differ (REST's protojson against
// the facade's mapping and encoding/json), and clinical, where they should
// not. Throughput on a small shared machine moves with everything else that
// runs; CPU per call in the gateway shows the facade's cost more steadily.
var fhirCPUProcesses = []string{"gateway", "clinical"}

// cpuTimes returns the CPU time (user and system, every thread) each named
// process of the mesh has used so far, from /proc/PID/stat; false where
// that cannot be read (no /proc), in which case no CPU figures are printed.
func cpuTimes(m *mesh, names []string) ([]time.Duration, bool) {
	out := make([]time.Duration, len(names))
	for i, name := range names {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", m.procs[name].cmd.Process.Pid))
		if err != nil {
			return nil, false
		}
		// The command's name, in parentheses, may hold spaces; utime and
		// stime are the 12th and 13th fields after it, in clock ticks of
		// 1/100 s (USER_HZ, fixed for user space on Linux).
		end := bytes.LastIndexByte(raw, ')')
		if end < 0 {
			return nil, false
		}
		f := strings.Fields(string(raw[end+1:]))
		if len(f) < 13 {
			return nil, false
		}
		utime, err1 := strconv.ParseInt(f[11], 10, 64)
		stime, err2 := strconv.ParseInt(f[12], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, false
		}
		out[i] = time.Duration(utime+stime) * 10 * time.Millisecond
	}
	return out, true
}

// fhirPhases is the order of the measured phases, by index into the reads
// (0 REST, 1 FHIR), each read as often as the other, its phases sharing
// its load duration equally. The mesh's throughput still drifts after the
// warm-up (the first phase measured is often the slowest by far), and a
// small machine's cores are shared with whatever else runs: whichever read
// was measured first would be handicapped. The mirrored order gives both
// reads the same average position in the run.
var fhirPhases = []int{0, 1, 1, 0}

// checkFHIRRead reads the patient once with Accept: application/fhir+json
// and once with fhirFormat, and fails unless both are the same Patient in
// application/fhir+json: what the load measures is then the facade's
// ordinary answer to an ordinary FHIR client.
func checkFHIRRead(b *testing.B, m *mesh, id, token string) {
	b.Helper()
	read := func(path string, accept bool) response {
		r := m.callWith(http.MethodGet, path, nil, func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+token)
			if accept {
				r.Header.Set("Accept", "application/fhir+json")
			}
		}).expect(b, http.StatusOK, "FHIR read "+path)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
			b.Fatalf("FHIR read %s: Content-Type %q", path, ct)
		}
		return r
	}
	byAccept := read("/fhir/r4/Patient/"+id, true)
	byFormat := read("/fhir/r4/Patient/"+id+"?"+fhirFormat, false)
	var p struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	if err := json.Unmarshal(byAccept.raw, &p); err != nil || p.ResourceType != "Patient" || p.ID != id {
		b.Fatalf("FHIR read: not the Patient %s (%v): %s", id, err, byAccept.raw)
	}
	if !bytes.Equal(byAccept.raw, byFormat.raw) {
		b.Fatalf("FHIR read with _format differs from the one with Accept:\n%s\n%s", byFormat.raw, byAccept.raw)
	}
}
