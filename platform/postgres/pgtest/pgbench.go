package pgtest

import (
	"os"
	osexec "os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// PgbenchResult is what one pgbench run measured: its throughput, and the
// latency of every transaction, sorted, from its per-transaction log.
type PgbenchResult struct {
	TPS       float64
	Latencies []time.Duration
}

// Percentile returns the q-th percentile latency (0 < q < 100).
func (r PgbenchResult) Percentile(q int) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[min(len(r.Latencies)-1, len(r.Latencies)*q/100)]
}

var pgbenchTPS = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// Pgbench runs pgbench with args against connURL, logging every
// transaction, and returns what it measured. env adds variables
// (PGOPTIONS=-c search_path=...). It is the database baseline the load
// benchmarks print their ratios against, measured in the same run.
func Pgbench(t testing.TB, connURL string, env []string, args ...string) PgbenchResult {
	t.Helper()
	dir := t.TempDir()
	cmd := osexec.Command("pgbench", append(args, "-l", "--log-prefix", filepath.Join(dir, "tx"), connURL)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgbench %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	m := pgbenchTPS.FindSubmatch(out)
	if m == nil {
		t.Fatalf("pgbench output has no tps:\n%s", out)
	}
	var r PgbenchResult
	r.TPS, _ = strconv.ParseFloat(string(m[1]), 64)
	logs, _ := filepath.Glob(filepath.Join(dir, "tx*"))
	for _, f := range logs {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			// client_id transaction_no time(us) script_no epoch epoch_us
			if fields := strings.Fields(line); len(fields) >= 3 {
				if us, err := strconv.Atoi(fields[2]); err == nil {
					r.Latencies = append(r.Latencies, time.Duration(us)*time.Microsecond)
				}
			}
		}
	}
	if len(r.Latencies) == 0 {
		t.Fatalf("pgbench wrote no transaction log in %s", dir)
	}
	slices.Sort(r.Latencies)
	return r
}
