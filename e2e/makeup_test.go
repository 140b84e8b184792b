package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ariesone/ariesone/platform/keyring"
)

// upPorts are the fixed ports `make up` serves on.
var upPorts = []int{8080, 8081, 8082, 8083, 8084, 8085, 9080, 9081, 9082, 9083, 9084, 9085}

// banner is what `make up` printed once the mesh was up.
type banner struct {
	database, code, email, password string
}

var (
	bannerDatabase = regexp.MustCompile(`Database\s+(\S+)`)
	bannerOwner    = regexp.MustCompile(`company code: (\S+)\s+email: (\S+)\s+password: (\S+)`)
)

// TestMakeUpInTwoCheckouts is what a new user does: clone, `make up`, sign
// in with the printed credentials; then the same in a second clone on the
// same machine. Each checkout has its own database and its credentials
// work. With the checkout's key replaced, `make up` stops with the message
// naming the ways out, and the services report NOT_SERVING.
func TestMakeUpInTwoCheckouts(t *testing.T) {
	for _, p := range upPorts {
		if portOpen(p) {
			t.Fatalf("port %d is in use: stop the stack `make up` left running (make down) before running this test", p)
		}
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	first, second := cloneCheckout(t, root), cloneCheckout(t, root)

	a := makeUp(t, first)
	signIn(t, a)
	stopUp(t, first)
	b := makeUp(t, second)
	signIn(t, b)
	stopUp(t, second)
	if a.database == b.database || a.password == b.password {
		t.Errorf("two checkouts share database %q or password: %+v %+v", a.database, a, b)
	}

	// The key the second checkout's database was initialised with is lost.
	ring, err := keyring.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(second, ".run", "encryption.key"), []byte(ring+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runUp(t, second)
	if err == nil {
		t.Fatalf("make up with another key succeeded:\n%s", out)
	}
	for _, want := range []string{"make reset", "ENCRYPTION_KEY", `"field":"company","message":"NOT_SERVING"`} {
		if !strings.Contains(out, want) {
			t.Errorf("make up with another key says nothing of %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "AriesOne is up") {
		t.Errorf("make up printed its banner although the data cannot be opened:\n%s", out)
	}
}

func portOpen(port int) bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// cloneCheckout clones the repository as a new user would, and wipes the
// clone's demo data (its database) when the test ends.
func cloneCheckout(t *testing.T, root string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ariesone")
	if out, err := exec.Command("git", "clone", "--quiet", root, dir).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		cmd := exec.Command("bash", "scripts/reset.sh")
		cmd.Dir, cmd.Env = dir, append(os.Environ(), "FORCE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("make reset in %s: %v\n%s", dir, err, out)
		}
	})
	return dir
}

// upCommand is `make up` in dir, kept quick under test (smaller signing
// keys), in a process group of its own so a stuck run can be killed whole.
func upCommand(ctx context.Context, dir string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "bash", "scripts/up.sh")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SIGNING_KEY_BITS=2048", "LOG_LEVEL=warn")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}

// makeUp runs `make up` in dir until it prints its banner, and returns
// what the banner says; the stack keeps running until stopUp.
func makeUp(t *testing.T, dir string) banner {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	cmd := upCommand(ctx, dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	var seen strings.Builder
	var b banner
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		seen.WriteString(line + "\n")
		if m := bannerDatabase.FindStringSubmatch(line); m != nil {
			b.database = m[1]
		}
		if m := bannerOwner.FindStringSubmatch(line); m != nil {
			b.code, b.email, b.password = m[1], m[2], m[3]
		}
		if strings.Contains(line, "Ctrl-C stops the stack") {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			if b.database == "" || b.password == "" {
				t.Fatalf("make up's banner lacks the database or the credentials:\n%s", seen.String())
			}
			return b
		}
	}
	t.Fatalf("make up in %s ended before its banner:\n%s", dir, seen.String())
	return b
}

// runUp runs `make up` in dir to its end and returns what it printed.
func runUp(t *testing.T, dir string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	out, err := upCommand(ctx, dir).CombinedOutput()
	return string(out), err
}

// stopUp stops the stack of dir as a user would (make down).
func stopUp(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command("bash", "scripts/down.sh")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make down: %v\n%s", err, out)
	}
	for deadline := time.Now().Add(30 * time.Second); portOpen(8080) || portOpen(8081); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the stack still listens 30 s after make down")
		}
	}
}

// signIn signs in with a banner's credentials, as its printed curl does.
func signIn(t *testing.T, b banner) {
	t.Helper()
	body := fmt.Sprintf(`{"companyCode":%q,"email":%q,"password":%q}`, b.code, b.email, b.password)
	resp, err := http.Post("http://127.0.0.1:8080/api/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		t.Fatalf("signing in with the banner's credentials: %d %s", resp.StatusCode, raw)
	}
}
