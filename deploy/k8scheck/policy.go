package k8scheck

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Policy checks what every rendered overlay must hold beyond schema
// validity, and returns one line per violation:
//
//   - every pod meets the Pod Security Standards' "restricted" profile
//     (non-root, RuntimeDefault seccomp, no privilege escalation, all
//     capabilities dropped, no host namespaces or paths) and writes nothing
//     to its image (read-only root filesystem);
//   - every container has startup, readiness and liveness probes, and every
//     container and init container CPU and memory requests and a memory
//     limit;
//   - every image, ours and the operators' workloads', names a version: no
//     "latest", no untagged name;
//   - every Deployment is covered by a PodDisruptionBudget and by a
//     NetworkPolicy that selects its pods by label (beyond the namespace's
//     default deny), and takes no Kubernetes API token;
//   - every Secret referenced is in the overlay or named in external, the
//     Secrets an operator of the cluster (or another controller) provides.
func Policy(objects []Object, external map[string]bool) []string {
	var v violations
	secrets := map[string]bool{}
	for _, o := range objects {
		if o.GVK.Kind == "Secret" {
			secrets[o.Name] = true
		}
	}
	for _, o := range objects {
		what := o.GVK.Kind + " " + o.Name
		switch o.GVK.Kind {
		case "Deployment":
			pod := mapAt(o.Map, "spec", "template", "spec")
			checkPod(&v, what, pod)
			labels := stringMap(mapAt(o.Map, "spec", "template", "metadata", "labels"))
			if !coveredBy(objects, "PodDisruptionBudget", labels, "spec", "selector", "matchLabels") {
				v.add(what, "no PodDisruptionBudget selects its pods")
			}
			if !coveredBy(objects, "NetworkPolicy", labels, "spec", "podSelector", "matchLabels") {
				v.add(what, "no NetworkPolicy selects its pods by label")
			}
		case "ServiceAccount":
			if b, ok := o.Map["automountServiceAccountToken"].(bool); !ok || b {
				v.add(what, "automountServiceAccountToken must be false")
			}
		case "Cluster":
			checkImage(&v, what, str(mapAt(o.Map, "spec"), "imageName"))
		case "RabbitmqCluster":
			checkImage(&v, what, str(mapAt(o.Map, "spec"), "image"))
		}
		for _, name := range secretRefs(o.Map, nil) {
			if !secrets[name] && !external[name] {
				v.add(what, fmt.Sprintf("references Secret %q, which is neither in the overlay nor documented as external", name))
			}
		}
	}
	sort.Strings(v)
	return v
}

type violations []string

func (v *violations) add(what, problem string) { *v = append(*v, what+": "+problem) }

func checkPod(v *violations, what string, pod map[string]any) {
	for _, host := range []string{"hostNetwork", "hostPID", "hostIPC"} {
		if b, _ := pod[host].(bool); b {
			v.add(what, host+" is set")
		}
	}
	if b, ok := pod["automountServiceAccountToken"].(bool); !ok || b {
		v.add(what, "automountServiceAccountToken must be false")
	}
	psc := mapAt(pod, "securityContext")
	podNonRoot, _ := psc["runAsNonRoot"].(bool)
	if str(mapAt(psc, "seccompProfile"), "type") != "RuntimeDefault" {
		v.add(what, "pod securityContext.seccompProfile.type must be RuntimeDefault")
	}
	if uid, ok := psc["runAsUser"]; ok && fmt.Sprint(uid) == "0" {
		v.add(what, "runs as user 0")
	}
	for _, vol := range list(pod, "volumes") {
		if _, ok := vol["hostPath"]; ok {
			v.add(what, fmt.Sprintf("volume %s is a hostPath", str(vol, "name")))
		}
	}
	for _, kind := range []string{"initContainers", "containers"} {
		for _, c := range list(pod, kind) {
			cwhat := fmt.Sprintf("%s %s %s", what, strings.TrimSuffix(kind, "s"), str(c, "name"))
			checkImage(v, cwhat, str(c, "image"))
			sc := mapAt(c, "securityContext")
			if b, ok := sc["allowPrivilegeEscalation"].(bool); !ok || b {
				v.add(cwhat, "allowPrivilegeEscalation must be false")
			}
			if b, _ := sc["privileged"].(bool); b {
				v.add(cwhat, "is privileged")
			}
			if b, ok := sc["readOnlyRootFilesystem"].(bool); !ok || !b {
				v.add(cwhat, "readOnlyRootFilesystem must be true")
			}
			if nonRoot, ok := sc["runAsNonRoot"].(bool); !(podNonRoot || nonRoot) || (ok && !nonRoot) {
				v.add(cwhat, "must run as non-root (runAsNonRoot)")
			}
			caps := mapAt(sc, "capabilities")
			if !slices.Contains(stringList(caps, "drop"), "ALL") {
				v.add(cwhat, "must drop ALL capabilities")
			}
			for _, c := range stringList(caps, "add") {
				if c != "NET_BIND_SERVICE" {
					v.add(cwhat, "adds capability "+c)
				}
			}
			res := mapAt(c, "resources")
			for _, need := range [][2]string{{"requests", "cpu"}, {"requests", "memory"}, {"limits", "memory"}} {
				if _, ok := mapAt(res, need[0])[need[1]]; !ok {
					v.add(cwhat, "no "+need[0]+"."+need[1])
				}
			}
			if kind == "containers" {
				for _, probe := range []string{"startupProbe", "readinessProbe", "livenessProbe"} {
					if _, ok := c[probe]; !ok {
						v.add(cwhat, "no "+probe)
					}
				}
			}
		}
	}
}

// checkImage refuses an image with no tag or digest, or tagged latest.
func checkImage(v *violations, what, image string) {
	if image == "" {
		v.add(what, "no image")
		return
	}
	if strings.Contains(image, "@sha256:") {
		return
	}
	name := image[strings.LastIndex(image, "/")+1:]
	i := strings.LastIndex(name, ":")
	if i < 0 || name[i+1:] == "latest" {
		v.add(what, fmt.Sprintf("image %q must name a version (no latest)", image))
	}
}

// coveredBy reports whether an object of kind has a non-empty label
// selector (at path) that labels satisfy.
func coveredBy(objects []Object, kind string, labels map[string]string, path ...string) bool {
	for _, o := range objects {
		if o.GVK.Kind != kind {
			continue
		}
		selector := stringMap(mapAt(o.Map, path...))
		if len(selector) == 0 {
			continue
		}
		matches := true
		for k, want := range selector {
			if labels[k] != want {
				matches = false
			}
		}
		if matches {
			return true
		}
	}
	return false
}

// secretRefs lists the Secrets an object names: env and envFrom
// references, volumes and TLS (secretName), and the operators' credential
// references (passwordSecret, s3Credentials' keys, ...).
func secretRefs(node any, acc []string) []string {
	switch n := node.(type) {
	case map[string]any:
		for k, val := range n {
			switch k {
			case "secretKeyRef", "secretRef", "passwordSecret", "accessKeyId", "secretAccessKey", "superuserSecret":
				if name := str(mapAt(n, k), "name"); name != "" {
					acc = append(acc, name)
				}
			case "secretName":
				if s, ok := val.(string); ok {
					acc = append(acc, s)
				}
			}
			acc = secretRefs(val, acc)
		}
	case []any:
		for _, e := range n {
			acc = secretRefs(e, acc)
		}
	}
	return acc
}

// externalSecretRow is a row of the Secrets table in deploy/k8s/README.md:
// its first cell names the Secret in backquotes.
var externalSecretRow = regexp.MustCompile("^\\|\\s*`([a-z0-9][a-z0-9.-]*)`\\s*\\|")

// ExternalSecrets reads the Secrets that deploy/k8s/README.md documents as
// provided outside the overlays (its table under "## Secrets").
func ExternalSecrets(readme io.Reader) (map[string]bool, error) {
	names := map[string]bool{}
	in := false
	sc := bufio.NewScanner(readme)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = strings.TrimSpace(line) == "## Secrets"
			continue
		}
		if m := externalSecretRow.FindStringSubmatch(line); in && m != nil {
			names[m[1]] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no Secrets table under \"## Secrets\"")
	}
	return names, nil
}

func mapAt(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		next, _ := m[p].(map[string]any)
		if next == nil {
			return nil
		}
		m = next
	}
	return m
}

func list(m map[string]any, key string) []map[string]any {
	raw, _ := m[key].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, e := range raw {
		if em, ok := e.(map[string]any); ok {
			out = append(out, em)
		}
	}
	return out
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func stringList(m map[string]any, key string) []string {
	raw, _ := m[key].([]any)
	out := make([]string, 0, len(raw))
	for _, e := range raw {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func stringMap(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}
