package gateway_test

// Every FHIR body the facade answers in this package's tests is recorded
// (harness.do) and, once every test has passed, validated against the
// official R4 definitions by tools/fhir-validate. The validator is run as a
// command, not imported: it is its own module (google/fhir/go pins old
// protobuf versions), and the gateway module must not depend on it.
//
// The same helper lives in gateway/internal/fhir's tests: a _test file cannot
// be shared between packages, and a shared package would be test machinery
// in the gateway's production tree.

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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ariesone/ariesone/gateway/internal/fhir"
	clinicalv1 "github.com/ariesone/ariesone/gen/go/ariesone/clinical/v1"
)

func TestMain(m *testing.M) {
	code := m.Run()
	// A failing run has said what failed; validating its partial output
	// would only add noise.
	if code == 0 {
		code = recorded.validate("gateway/internal/gateway")
	}
	os.Exit(code)
}

// recorded holds every FHIR body produced by this package's tests.
var recorded = &fhirRecorder{}

// fhirRecorder keeps FHIR resources, each under the name of the test that
// produced it; tests may run in parallel.
type fhirRecorder struct {
	mu    sync.Mutex
	items []recordedResource
}

type recordedResource struct {
	test string
	body []byte
}

// addResponse records body when header says it is FHIR JSON, so that every
// answer the facade gives, errors (OperationOutcome) and Bundles (with their
// entries inside) included, gets validated. Empty bodies (HEAD, 304) carry no
// resource.
func (r *fhirRecorder) addResponse(test string, header map[string][]string, body []byte) {
	ct := ""
	if v := header["Content-Type"]; len(v) > 0 {
		ct = v[0]
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != fhir.MediaType || len(bytes.TrimSpace(body)) == 0 {
		return
	}
	r.add(test, body)
}

func (r *fhirRecorder) add(test string, body []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items = append(r.items, recordedResource{test: test, body: bytes.Clone(body)})
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// write puts each resource in a file of dir named by its test and its
// sequence number, which the validator's messages then name. It returns how
// many resources the files hold, counting each Bundle's entries as well.
func (r *fhirRecorder) write(dir string) (files, resources int, err error) {
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

// validate writes the recorded resources to a temporary directory and runs
// the validator on it, returning the test binary's exit code. On failure the
// directory is kept, for the files the validator names.
func (r *fhirRecorder) validate(pkg string) int {
	dir, err := os.MkdirTemp("", "fhir-recorded-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "fhir-validate:", err)
		return 1
	}
	files, resources, err := r.write(dir)
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
	if err := validateDir(dir); err != nil {
		fmt.Fprintf(os.Stderr, "fhir-validate: %s produced FHIR the R4 definitions refuse (files kept in %s):\n%v\n", pkg, dir, err)
		return 1
	}
	os.RemoveAll(dir)
	fmt.Printf("fhir-validate: %d resources valid (%d bodies from %s tests, checked in %s)\n",
		resources, files, pkg, time.Since(start).Round(time.Millisecond))
	return 0
}

// validateDir runs tools/fhir-validate's CLI on every *.json file in dir. It
// runs with GOWORK=off because that module is outside go.work (the way make
// test runs it); the build cache keeps runs after the first one quick.
func validateDir(dir string) error {
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

// TestValidatorRefusesBrokenResource shows the check can fail: a Patient of
// the facade's own shape with a gender outside the required binding goes the
// same way as the recorded answers and must be refused, naming the element.
func TestValidatorRefusesBrokenResource(t *testing.T) {
	p := fhir.PatientFromProto(&clinicalv1.Patient{Id: patientID, FirstName: "Ann", LastName: "Lee", Sex: clinicalv1.Sex_SEX_MALE}, companyID)
	p.Gender = "m"
	body, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	rec := &fhirRecorder{}
	rec.addResponse(t.Name(), map[string][]string{"Content-Type": {fhir.ContentType}}, body)
	dir := t.TempDir()
	if files, _, err := rec.write(dir); err != nil || files != 1 {
		t.Fatalf("write: %d files, %v", files, err)
	}
	err = validateDir(dir)
	if err == nil {
		t.Fatalf("validator accepted %s", body)
	}
	if !strings.Contains(err.Error(), "Patient.gender") {
		t.Errorf("error does not name Patient.gender:\n%v", err)
	}
	t.Logf("refused as it should be: %v", err)
}
