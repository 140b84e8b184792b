package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// profileDir is BENCH_PROFILE_DIR: when set, the sustained benchmark runs
// the services with pprof on their operations ports and saves a CPU profile
// of each loaded service there, taken in the middle of the load, so a missed
// aim comes with the profile that explains it.
func profileDir() string { return os.Getenv("BENCH_PROFILE_DIR") }

// profiledServices are the processes the sustained load keeps busy.
var profiledServices = []string{"clinical", "serials", "company", "notify"}

// captureProfiles starts, after wait, a CPU profile of span on each of
// services, all at once, saved as <dir>/<service><suffix>.pprof, and returns
// a function that waits for them and prints the top of each. It does
// nothing when dir is empty.
func captureProfiles(b *testing.B, m *mesh, dir string, services []string, suffix string, wait, span time.Duration) (report func()) {
	if dir == "" {
		return func() {}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(services))
	for i, name := range services {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(wait)
			errs[i] = fetchProfile(m.ops[name], span, filepath.Join(dir, name+suffix+".pprof"))
		}()
	}
	return func() {
		wg.Wait()
		for i, name := range services {
			path := filepath.Join(dir, name+suffix+".pprof")
			if errs[i] != nil {
				fmt.Printf("\nprofile of %s: %v\n", name, errs[i])
				continue
			}
			out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=20", path).CombinedOutput()
			if err != nil {
				fmt.Printf("\nprofile of %s saved to %s; pprof -top failed: %v\n", name, path, err)
				continue
			}
			fmt.Printf("\n-- %s, CPU profile of %s (%s):\n%s", name, span, path, out)
		}
	}
}

// fetchProfile saves a CPU profile of span from the service at base.
func fetchProfile(base string, span time.Duration, path string) error {
	client := &http.Client{Timeout: span + 30*time.Second}
	resp, err := client.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, max(1, int(span.Seconds()))))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", base, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
