// Package fhirtest checks the FHIR a package's tests produce against the
// official R4 definitions: each test records what it produced (AssertJSON,
// RecordResponse), and Main, the package's TestMain, runs the validator of
// tools/fhir-validate over all of it once every test has passed. The
// validator runs as a command, not imported: it is its own module
// (google/fhir/go pins old protobuf versions), which the gateway module must
// not depend on.
package fhirtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// mediaType is FHIR JSON's media type; only such answers are recorded.
const mediaType = "application/fhir+json"

// recorded holds what this test binary's tests produced.
var recorded = &Recorder{}

// Main runs the package's tests and then, when they passed, validates what
// they recorded; pkg names the package in the report. Call it from
// TestMain.
func Main(m *testing.M, pkg string) {
	code := m.Run()
	// A failing run has said what failed; validating its partial output
	// would only add noise.
	if code == 0 {
		code = recorded.Validate(pkg)
	}
	os.Exit(code)
}

// Record keeps body for validation when it is a resource.
func Record(test string, body []byte) { recorded.AddResource(test, body) }

// RecordResponse keeps an HTTP answer's body for validation when its
// Content-Type says it is FHIR JSON.
func RecordResponse(test string, header map[string][]string, body []byte) {
	recorded.AddResponse(test, header, body)
}

// AssertJSON compares what got marshals to with want, as JSON values, so
// key order and spacing do not matter but every key and value does, and
// records got for validation.
func AssertJSON(t *testing.T, got any, want string) {
	t.Helper()
	gotBuf, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	Record(t.Name(), gotBuf)
	var g, w any
	if err := json.Unmarshal(gotBuf, &g); err != nil {
		t.Fatalf("unmarshal got: %v", err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v\n%s", err, want)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("JSON mismatch (-want +got):\n%s\ngot: %s", diff, gotBuf)
	}
}

// Recorder keeps FHIR resources, each under the name of the test that
// produced it; tests may run in parallel.
type Recorder struct {
	mu    sync.Mutex
	items []recordedResource
}

type recordedResource struct {
	test string
	body []byte
}

// AddResource records body when it is a resource (a JSON object with a
// resourceType), so that assertJSON may also compare data types without
// sending them to a resource validator.
func (r *Recorder) AddResource(test string, body []byte) {
	var v struct {
		ResourceType string `json:"resourceType"`
	}
	if json.Unmarshal(body, &v) != nil || v.ResourceType == "" {
		return
	}
	r.add(test, body)
}

func (r *Recorder) add(test string, body []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items = append(r.items, recordedResource{test: test, body: bytes.Clone(body)})
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// Write puts each resource in a file of dir named by its test and its
// sequence number, which the validator's messages then name. It returns how
// many resources the files hold, counting each Bundle's entries as well.
func (r *Recorder) Write(dir string) (files, resources int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, it := range r.items {
		name := fmt.Sprintf("%s-%04d.json", unsafeName.ReplaceAllString(it.test, "_"), i+1)
		if err := os.WriteFile(filepath.Join(dir, name), it.body, 0o644); err != nil {
			return 0, 0, err
		}
		resources += 1 + bundleEntries(it.body)
	}
	return len(r.items), resources, nil
}

// bundleEntries counts the resources inside a Bundle (0 for anything else).
func bundleEntries(body []byte) int {
	var b struct {
		ResourceType string `json:"resourceType"`
		Entry        []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if json.Unmarshal(body, &b) != nil || b.ResourceType != "Bundle" {
		return 0
	}
	n := 0
	for _, e := range b.Entry {
		if len(e.Resource) > 0 {
			n++
		}
	}
	return n
}

// Validate writes the recorded resources to a temporary directory and runs
// the validator on it, returning the test binary's exit code. On failure the
// directory is kept, for the files the validator names.
func (r *Recorder) Validate(pkg string) int {
	dir, err := os.MkdirTemp("", "fhir-recorded-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "fhir-validate:", err)
		return 1
	}
	files, resources, err := r.Write(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fhir-validate:", err)
		return 1
	}
	if files == 0 {
		// A -run selecting no FHIR test: nothing to check.
		os.RemoveAll(dir)
		return 0
	}
	start := time.Now()
	if err := ValidateDir(dir); err != nil {
		fmt.Fprintf(os.Stderr, "fhir-validate: %s produced FHIR the R4 definitions refuse (files kept in %s):\n%v\n", pkg, dir, err)
		return 1
	}
	os.RemoveAll(dir)
	fmt.Printf("fhir-validate: %d resources valid (%d bodies from %s tests, checked in %s)\n",
		resources, files, pkg, time.Since(start).Round(time.Millisecond))
	return 0
}

// ValidateDir runs tools/fhir-validate's CLI on every *.json file in dir. It
// runs with GOWORK=off because that module is outside go.work (the way make
// test runs it); the build cache keeps runs after the first one quick.
func ValidateDir(dir string) error {
	tool, err := validatorDir()
	if err != nil {
		return err
	}
	// Bounded, as the time after m.Run is outside go test's -timeout alarm.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "./cmd/fhir-validate", dir)
	cmd.Dir = tool
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go run ./cmd/fhir-validate (in %s): %w\n%s", tool, err, out)
	}
	return nil
}

// validatorDir finds tools/fhir-validate from the test's working directory
// (the package's directory), walking up to the repository root.
func validatorDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		tool := filepath.Join(d, "tools", "fhir-validate")
		if _, err := os.Stat(filepath.Join(tool, "go.mod")); err == nil {
			return tool, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("tools/fhir-validate not found above " + wd)
		}
	}
}

// AddResponse records body when header says it is FHIR JSON, so that every
// answer the facade gives, errors (OperationOutcome) and Bundles (with their
// entries inside) included, gets validated. Empty bodies (HEAD, 304) carry no
// resource.
func (r *Recorder) AddResponse(test string, header map[string][]string, body []byte) {
	ct := ""
	if v := header["Content-Type"]; len(v) > 0 {
		ct = v[0]
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != mediaType || len(bytes.TrimSpace(body)) == 0 {
		return
	}
	r.add(test, body)
}
