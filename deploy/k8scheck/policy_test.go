package k8scheck_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ariesone/ariesone/deploy/k8scheck"
)

var overlays = []string{"dev", "production"}

func render(t *testing.T, overlay string) k8scheck.Rendered {
	t.Helper()
	r, err := k8scheck.Render(filepath.Join("..", "k8s", "overlays", overlay))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func externalSecrets(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "k8s", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names, err := k8scheck.ExternalSecrets(f)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestOverlaysMeetThePolicy(t *testing.T) {
	external := externalSecrets(t)
	for _, overlay := range overlays {
		t.Run(overlay, func(t *testing.T) {
			r := render(t, overlay)
			deployments := 0
			for _, o := range r.Objects {
				if o.GVK.Kind == "Deployment" {
					deployments++
				}
			}
			// The five services, the gateway and Redis: a policy that checks
			// nothing passes too.
			if deployments != 7 {
				t.Fatalf("%d Deployments rendered, want 7", deployments)
			}
			for _, v := range k8scheck.Policy(r.Objects, external) {
				t.Error(v)
			}
		})
	}
}

// TestPolicyRefuses breaks one rendered object at a time and expects the
// policy to name what broke.
func TestPolicyRefuses(t *testing.T) {
	external := externalSecrets(t)
	tests := []struct {
		name   string
		break_ func(objects []k8scheck.Object)
		want   string
	}{
		{"writable root filesystem", func(o []k8scheck.Object) {
			container(o, "serials")["securityContext"].(map[string]any)["readOnlyRootFilesystem"] = false
		}, "Deployment serials container serials: readOnlyRootFilesystem must be true"},
		{"privilege escalation in an init container", func(o []k8scheck.Object) {
			pod(o, "orders")["initContainers"].([]any)[0].(map[string]any)["securityContext"].(map[string]any)["allowPrivilegeEscalation"] = true
		}, "Deployment orders initContainer migrate: allowPrivilegeEscalation must be false"},
		{"no seccomp profile", func(o []k8scheck.Object) {
			delete(pod(o, "gateway")["securityContext"].(map[string]any), "seccompProfile")
		}, "Deployment gateway: pod securityContext.seccompProfile.type must be RuntimeDefault"},
		{"capability added", func(o []k8scheck.Object) {
			container(o, "notify")["securityContext"].(map[string]any)["capabilities"].(map[string]any)["add"] = []any{"NET_ADMIN"}
		}, "Deployment notify container notify: adds capability NET_ADMIN"},
		{"no liveness probe", func(o []k8scheck.Object) {
			delete(container(o, "company"), "livenessProbe")
		}, "Deployment company container company: no livenessProbe"},
		{"no memory limit", func(o []k8scheck.Object) {
			delete(container(o, "clinical")["resources"].(map[string]any), "limits")
		}, "Deployment clinical container clinical: no limits.memory"},
		{"latest tag", func(o []k8scheck.Object) {
			container(o, "redis")["image"] = "redis:latest"
		}, `Deployment redis container redis: image "redis:latest" must name a version (no latest)`},
		{"untagged operator image", func(o []k8scheck.Object) {
			object(o, "Cluster", "ariesone-db").Map["spec"].(map[string]any)["imageName"] = "ghcr.io/cloudnative-pg/postgresql"
		}, `Cluster ariesone-db: image "ghcr.io/cloudnative-pg/postgresql" must name a version (no latest)`},
		{"no disruption budget", func(o []k8scheck.Object) {
			object(o, "PodDisruptionBudget", "serials").Map["spec"].(map[string]any)["selector"] = map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": "nothing"}}
		}, "Deployment serials: no PodDisruptionBudget selects its pods"},
		{"only the default deny", func(o []k8scheck.Object) {
			object(o, "NetworkPolicy", "redis").Map["spec"].(map[string]any)["podSelector"] = map[string]any{}
		}, "Deployment redis: no NetworkPolicy selects its pods by label"},
		{"token mounted", func(o []k8scheck.Object) {
			object(o, "ServiceAccount", "gateway").Map["automountServiceAccountToken"] = true
		}, "ServiceAccount gateway: automountServiceAccountToken must be false"},
		{"undocumented secret", func(o []k8scheck.Object) {
			env := container(o, "orders")["env"].([]any)
			env[1].(map[string]any)["valueFrom"].(map[string]any)["secretKeyRef"].(map[string]any)["name"] = "orders-passwords"
		}, `Deployment orders: references Secret "orders-passwords", which is neither in the overlay nor documented as external`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			objects := render(t, "production").Objects
			tc.break_(objects)
			got := k8scheck.Policy(objects, external)
			if len(got) != 1 || got[0] != tc.want {
				t.Fatalf("violations:\n%s\nwant exactly:\n%s", strings.Join(got, "\n"), tc.want)
			}
		})
	}
}

func TestExternalSecretsTable(t *testing.T) {
	names := externalSecrets(t)
	for _, want := range []string{"ariesone-encryption", "ariesone-db-app", "ariesone-mq-default-user", "ariesone-gateway-tls"} {
		if !names[want] {
			t.Errorf("%s not read from the Secrets table", want)
		}
	}
	if _, err := k8scheck.ExternalSecrets(strings.NewReader("# no table\n")); err == nil {
		t.Error("a README without the table was accepted")
	}
}

func object(objects []k8scheck.Object, kind, name string) k8scheck.Object {
	for _, o := range objects {
		if o.GVK.Kind == kind && o.Name == name {
			return o
		}
	}
	panic(kind + " " + name + " not rendered")
}

func pod(objects []k8scheck.Object, deployment string) map[string]any {
	return object(objects, "Deployment", deployment).Map["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
}

func container(objects []k8scheck.Object, deployment string) map[string]any {
	return pod(objects, deployment)["containers"].([]any)[0].(map[string]any)
}
