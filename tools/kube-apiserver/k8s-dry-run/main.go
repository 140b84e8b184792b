// Command k8s-dry-run applies rendered manifests to a real, throwaway
// kube-apiserver with server-side apply, dryRun=All and
// fieldValidation=Strict: the check the offline schema validation of
// deploy/cmd/k8s-check cannot make (defaulting, the API's own validation
// such as a Deployment's selector against its template labels, immutable
// fields, CEL rules and OpenAPI validation of the operators' CRDs, PodSecurity
// admission against the namespace's labels).
//
// It starts etcd and kube-apiserver (both built from the Go module proxy,
// see scripts/k8s-dry-run.sh) on loopback ports with a temporary directory
// for their data, certificates and keys, installs the CustomResourceDefinitions
// found in -crds for real and waits until they are Established, then for each
// FILE (a multi-document YAML stream, as `kustomize build` prints it) applies
// the stream's Namespaces for real, so namespaced objects have somewhere to
// go and PodSecurity admission sees their labels, and every object with
// dryRun=All. It prints the objects the server accepted per kind and fails
// with the server's message on any refusal or warning. Both processes are
// stopped and the temporary directory removed when it returns.
//
// The operators' admission webhooks do not run here: CRD OpenAPI and CEL
// validation is exercised, the operators' own defaulting and validation
// webhooks are not.
package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

const fieldManager = "ariesone-k8s-dry-run"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "k8s-dry-run: %v\n", err)
		os.Exit(1)
	}
}

// overlay is one FILE argument: a name to report it by and its objects.
type overlay struct {
	name    string
	objects []*unstructured.Unstructured
}

func run(ctx context.Context, args []string, out io.Writer) (err error) {
	fs := flag.NewFlagSet("k8s-dry-run", flag.ContinueOnError)
	apiserverBin := fs.String("kube-apiserver", "", "the kube-apiserver binary")
	etcdBin := fs.String("etcd", "", "the etcd binary")
	crdDir := fs.String("crds", "", "directory of CustomResourceDefinitions (*.yaml) to install first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *apiserverBin == "" || *etcdBin == "" || *crdDir == "" || fs.NArg() == 0 {
		return errors.New("usage: k8s-dry-run -kube-apiserver BIN -etcd BIN -crds DIR [NAME=]FILE...")
	}

	// Everything is read before anything is started.
	crds, err := readCRDs(*crdDir)
	if err != nil {
		return err
	}
	var overlays []overlay
	for _, arg := range fs.Args() {
		name, file, ok := strings.Cut(arg, "=")
		if !ok {
			name, file = arg, arg
		}
		objects, err := readObjects(file)
		if err != nil {
			return err
		}
		overlays = append(overlays, overlay{name: name, objects: objects})
	}

	tmp, err := os.MkdirTemp("", "ariesone-k8s-dry-run-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	started := time.Now()
	cluster, err := start(ctx, tmp, *etcdBin, *apiserverBin)
	if cluster != nil {
		defer cluster.stop()
	}
	if err != nil {
		return err
	}
	// On a failure of the check itself (not a refused manifest) the
	// processes' logs say more.
	defer func() {
		if err != nil && !errors.Is(err, errRefused) {
			cluster.dumpLogs(os.Stderr)
		}
	}()
	version, err := cluster.version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "kube-apiserver %s ready on %s in %s\n", version, cluster.config.Host, time.Since(started).Round(100*time.Millisecond))

	dyn, err := dynamic.NewForConfig(cluster.config)
	if err != nil {
		return err
	}
	disco, err := discovery.NewDiscoveryClientForConfig(cluster.config)
	if err != nil {
		return err
	}
	if err := installCRDs(ctx, dyn, crds); err != nil {
		return err
	}
	fmt.Fprintf(out, "CRDs: %d installed from %s, Established\n", len(crds), *crdDir)

	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco))
	failed := false
	for _, o := range overlays {
		accepted, problems, err := applyOverlay(ctx, dyn, mapper, o)
		if err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
		total := 0
		var kinds []string
		for kind, n := range accepted {
			kinds = append(kinds, fmt.Sprintf("%s %d", kind, n))
			total += n
		}
		sort.Strings(kinds)
		fmt.Fprintf(out, "%s: %d of %d objects accepted by the API server, dry run, strict (%s)\n",
			o.name, total, len(o.objects), strings.Join(kinds, ", "))
		for _, p := range problems {
			fmt.Fprintf(out, "%s: %s\n", o.name, p)
			failed = true
		}
	}
	if failed {
		return errRefused
	}
	return nil
}

var errRefused = errors.New("the API server refused manifests or warned about them")

// readCRDs reads every CustomResourceDefinition in dir's *.yaml files.
func readCRDs(dir string) ([]*unstructured.Unstructured, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.yaml in %s", dir)
	}
	sort.Strings(files)
	var crds []*unstructured.Unstructured
	for _, f := range files {
		objects, err := readObjects(f)
		if err != nil {
			return nil, err
		}
		for _, o := range objects {
			if o.GroupVersionKind() != crdGVK {
				return nil, fmt.Errorf("%s: %s %s is not a %s", f, o.GetKind(), o.GetName(), crdGVK.Kind)
			}
			crds = append(crds, o)
		}
	}
	return crds, nil
}

// readObjects decodes a multi-document YAML (or JSON) stream, skipping
// empty documents.
func readObjects(file string) ([]*unstructured.Unstructured, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objects []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if len(m) == 0 {
			continue
		}
		o := &unstructured.Unstructured{Object: m}
		if o.GetKind() == "" || o.GetAPIVersion() == "" || o.GetName() == "" {
			return nil, fmt.Errorf("%s: a document has no apiVersion, kind or metadata.name", file)
		}
		objects = append(objects, o)
	}
	return objects, nil
}

var (
	crdGVK = schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}
	crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	nsGVR  = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
)

// installCRDs creates the CRDs for real and waits until every one is
// Established (its API served).
func installCRDs(ctx context.Context, dyn dynamic.Interface, crds []*unstructured.Unstructured) error {
	client := dyn.Resource(crdGVR)
	for _, crd := range crds {
		if _, err := client.Create(ctx, crd, metav1.CreateOptions{FieldManager: fieldManager, FieldValidation: metav1.FieldValidationStrict}); err != nil {
			return fmt.Errorf("CRD %s: %w", crd.GetName(), err)
		}
	}
	for _, crd := range crds {
		err := poll(ctx, time.Minute, func() (bool, error) {
			got, err := client.Get(ctx, crd.GetName(), metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			conditions, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
			for _, c := range conditions {
				if c, ok := c.(map[string]any); ok && c["type"] == "Established" && c["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return fmt.Errorf("CRD %s not Established: %w", crd.GetName(), err)
		}
	}
	return nil
}

// applyOverlay applies the overlay's Namespaces for real, then every object
// with dryRun=All, and returns the count accepted per kind and one line per
// refusal or warning. err is for what is not the manifests' fault.
func applyOverlay(ctx context.Context, dyn dynamic.Interface, mapper *restmapper.DeferredDiscoveryRESTMapper, o overlay) (accepted map[string]int, problems []string, err error) {
	accepted = map[string]int{}
	namespaces := map[string]bool{}
	for _, obj := range o.objects {
		if obj.GetAPIVersion() == "v1" && obj.GetKind() == "Namespace" {
			if _, err := apply(ctx, dyn.Resource(nsGVR), obj, false); err != nil {
				problems = append(problems, fmt.Sprintf("REFUSED Namespace %s (applied for real, first): %v", obj.GetName(), err))
			}
			namespaces[obj.GetName()] = true
		}
	}
	for _, obj := range o.objects {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		what := obj.GetKind() + " " + obj.GetName()
		mapping, err := restMapping(ctx, mapper, obj.GroupVersionKind())
		if err != nil {
			problems = append(problems, fmt.Sprintf("REFUSED %s: %v", what, err))
			continue
		}
		var client dynamic.ResourceInterface = dyn.Resource(mapping.Resource)
		if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
			ns := obj.GetNamespace()
			if ns == "" {
				// As kubectl would, in a context with no namespace set.
				ns = metav1.NamespaceDefault
			}
			if !namespaces[ns] {
				// A namespace the overlay expects to exist already
				// (default, or one of an operator's).
				if err := ensureNamespace(ctx, dyn, ns); err != nil {
					return nil, nil, err
				}
				namespaces[ns] = true
			}
			client = dyn.Resource(mapping.Resource).Namespace(ns)
			what += " (namespace " + ns + ")"
		}
		warnings, err := apply(ctx, client, obj, true)
		if err != nil {
			problems = append(problems, fmt.Sprintf("REFUSED %s: %v", what, err))
			continue
		}
		if len(warnings) > 0 {
			// Such as PodSecurity's "would violate": the server takes
			// the Deployment but would refuse its pods.
			problems = append(problems, fmt.Sprintf("WARNED %s: %s", what, strings.Join(warnings, "; ")))
			continue
		}
		accepted[obj.GetKind()]++
	}
	return accepted, problems, nil
}

// apply server-side applies obj, with dryRun=All if dryRun, and returns the
// warnings the server sent with its answer.
func apply(ctx context.Context, client dynamic.ResourceInterface, obj *unstructured.Unstructured, dryRun bool) ([]string, error) {
	data, err := json.Marshal(obj.Object)
	if err != nil {
		return nil, err
	}
	force := true
	opts := metav1.PatchOptions{FieldManager: fieldManager, FieldValidation: metav1.FieldValidationStrict, Force: &force}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	w := &warnings{}
	_, err = client.Patch(context.WithValue(ctx, warningsKey{}, w), obj.GetName(), types.ApplyPatchType, data, opts)
	return w.list, err
}

// restMapping finds the resource serving gvk, refreshing discovery for a
// while when it is not known yet (a CRD's API appears in discovery shortly
// after it is Established).
func restMapping(ctx context.Context, mapper *restmapper.DeferredDiscoveryRESTMapper, gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	var mapping *meta.RESTMapping
	err := poll(ctx, 30*time.Second, func() (bool, error) {
		var err error
		mapping, err = mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if meta.IsNoMatchError(err) {
			mapper.Reset()
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return nil, fmt.Errorf("the API server serves no %s: %w", gvk, err)
	}
	return mapping, nil
}

func ensureNamespace(ctx context.Context, dyn dynamic.Interface, name string) error {
	if _, err := dyn.Resource(nsGVR).Get(ctx, name, metav1.GetOptions{}); err == nil {
		return nil
	}
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name},
	}}
	if _, err := apply(ctx, dyn.Resource(nsGVR), ns, false); err != nil {
		return fmt.Errorf("creating namespace %s: %w", name, err)
	}
	return nil
}

// poll calls done every 100ms until it reports true or an error, or timeout
// passes.
func poll(ctx context.Context, timeout time.Duration, done func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := done()
		if ok || err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still not after %s", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// warnings collects the Warning headers of one request, which carries it in
// its context.
type warnings struct {
	mu   sync.Mutex
	list []string
}

type warningsKey struct{}

type warningHandler struct{}

func (warningHandler) HandleWarningHeaderWithContext(ctx context.Context, code int, agent, text string) {
	if w, ok := ctx.Value(warningsKey{}).(*warnings); ok && code == 299 {
		w.mu.Lock()
		w.list = append(w.list, text)
		w.mu.Unlock()
	}
}

// cluster is a running etcd and kube-apiserver.
type cluster struct {
	config    *rest.Config
	processes []*process // stopped in reverse order
}

type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error // when done is closed
}

// start runs etcd and kube-apiserver with their state in dir and waits
// until the API server is ready. The returned cluster, even with an error,
// must be stopped.
func start(ctx context.Context, dir, etcdBin, apiserverBin string) (*cluster, error) {
	c := &cluster{}
	ports, err := freePorts(3)
	if err != nil {
		return c, err
	}
	etcdClient := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	etcdPeer := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	// A single-member etcd on loopback only, no fsync: its data is thrown
	// away when the check ends.
	if err := c.run("etcd", dir, etcdBin,
		"--name=dry-run",
		"--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdClient,
		"--advertise-client-urls="+etcdClient,
		"--listen-peer-urls="+etcdPeer,
		"--initial-advertise-peer-urls="+etcdPeer,
		"--initial-cluster=dry-run="+etcdPeer,
		"--listen-metrics-urls=",
		"--unsafe-no-fsync",
		"--log-level=warn",
	); err != nil {
		return c, err
	}
	if err := c.waitHTTP(ctx, etcdClient+"/health", http.DefaultClient, `"health":"true"`); err != nil {
		return c, fmt.Errorf("etcd: %w", err)
	}

	// The service-account token signer the API server insists on, and an
	// admin bearer token (group system:masters) from a static token file.
	saKey := filepath.Join(dir, "service-account.key")
	if err := writeECKey(saKey); err != nil {
		return c, err
	}
	token := make([]byte, 32)
	if _, err := rand.Read(token); err != nil {
		return c, err
	}
	tokenFile := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokenFile, fmt.Appendf(nil, "%x,admin,admin,system:masters\n", token), 0o600); err != nil {
		return c, err
	}
	certDir := filepath.Join(dir, "certs")
	// Serving on loopback only, with a certificate it signs itself into
	// --cert-dir. AlwaysAllow: every authenticated request is authorized (no
	// RBAC bootstrap to wait for); anonymous requests are refused.
	// No endpoint reconciler: there is no node or kubelet behind this server.
	// Admission plugins are the defaults (PodSecurity, ResourceQuota, ...);
	// no webhook is registered.
	if err := c.run("kube-apiserver", dir, apiserverBin,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", ports[2]),
		"--cert-dir="+certDir,
		"--etcd-servers="+etcdClient,
		"--token-auth-file="+tokenFile,
		"--anonymous-auth=false",
		"--authorization-mode=AlwaysAllow",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+saKey,
		"--service-account-signing-key-file="+saKey,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--endpoint-reconciler-type=none",
	); err != nil {
		return c, err
	}
	c.config = &rest.Config{
		Host:        fmt.Sprintf("https://127.0.0.1:%d", ports[2]),
		BearerToken: hex.EncodeToString(token),
		// The self-signed serving certificate is written by the server
		// itself; on loopback, to a token only this run knows, it is not
		// verified.
		TLSClientConfig:           rest.TLSClientConfig{Insecure: true},
		WarningHandlerWithContext: warningHandler{},
		QPS:                       200,
		Burst:                     400,
		Timeout:                   time.Minute,
	}
	hc, err := rest.HTTPClientFor(c.config)
	if err != nil {
		return c, err
	}
	if err := c.waitHTTP(ctx, c.config.Host+"/readyz", &bearer{hc, c.config.BearerToken}, "ok"); err != nil {
		return c, fmt.Errorf("kube-apiserver: %w", err)
	}
	return c, nil
}

func (c *cluster) run(name, dir, bin string, args ...string) error {
	p := &process{name: name, log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
	logFile, err := os.Create(p.log)
	if err != nil {
		return err
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	p.cmd.SysProcAttr = sysProcAttr()
	if err := p.cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	c.processes = append(c.processes, p)
	return nil
}

// waitHTTP polls url until it answers 200 with a body containing want, for
// up to two minutes, failing early if a process exits.
func (c *cluster) waitHTTP(ctx context.Context, url string, client interface {
	Do(*http.Request) (*http.Response, error)
}, want string) error {
	deadline := time.Now().Add(2 * time.Minute)
	var last string
	for time.Now().Before(deadline) {
		for _, p := range c.processes {
			select {
			case <-p.done:
				return fmt.Errorf("%s exited: %v", p.name, p.err)
			default:
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(string(body), want) {
				return nil
			}
			last = fmt.Sprintf("%s: %s", resp.Status, bytes.TrimSpace(body))
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s not ready after 2m: %s", url, last)
}

func (c *cluster) version(ctx context.Context) (string, error) {
	disco, err := discovery.NewDiscoveryClientForConfig(c.config)
	if err != nil {
		return "", err
	}
	v, err := disco.ServerVersion()
	if err != nil {
		return "", err
	}
	return v.GitVersion, nil
}

// stop terminates the processes, the API server first, and waits for them
// (killing whichever has not exited after ten seconds).
func (c *cluster) stop() {
	for i := len(c.processes) - 1; i >= 0; i-- {
		p := c.processes[i]
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
}

// dumpLogs prints the end of each process's log.
func (c *cluster) dumpLogs(w io.Writer) {
	for _, p := range c.processes {
		data, err := os.ReadFile(p.log)
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 30 {
			lines = lines[len(lines)-30:]
		}
		fmt.Fprintf(w, "--- last lines of %s's log:\n%s\n", p.name, strings.Join(lines, "\n"))
	}
}

type bearer struct {
	*http.Client
	token string
}

func (b *bearer) Do(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+b.token)
	return b.Client.Do(req)
}

// freePorts returns n loopback ports free at the time of asking.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// writeECKey writes a new P-256 private key, PEM, to path.
func writeECKey(path string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
}
