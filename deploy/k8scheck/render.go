// Package k8scheck renders the kustomize overlays under deploy/k8s and
// checks them offline: every object against the Kubernetes API's schemas
// and the operators' CustomResourceDefinitions (kubeconform, strict), and
// against the deployment policy the tests in this package assert.
package k8scheck

import (
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// GVK names a kind in an API group and version; Group is "" for the core
// group.
type GVK struct {
	Group, Version, Kind string
}

func (g GVK) String() string {
	if g.Group == "" {
		return g.Version + "/" + g.Kind
	}
	return g.Group + "/" + g.Version + "/" + g.Kind
}

// Object is one rendered manifest.
type Object struct {
	GVK  GVK
	Name string
	// Map is the object as YAML decodes it.
	Map map[string]any
}

// Rendered is an overlay as kustomize builds it.
type Rendered struct {
	// YAML is the multi-document stream kubectl apply would take.
	YAML    []byte
	Objects []Object
}

// Render builds the kustomization in dir, as `kustomize build dir` does.
func Render(dir string) (Rendered, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return Rendered{}, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	out, err := resources.AsYaml()
	if err != nil {
		return Rendered{}, err
	}
	r := Rendered{YAML: out}
	for _, res := range resources.Resources() {
		m, err := res.Map()
		if err != nil {
			return Rendered{}, err
		}
		apiVersion := res.GetApiVersion()
		group, version := "", apiVersion
		if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
			group, version = apiVersion[:i], apiVersion[i+1:]
		}
		r.Objects = append(r.Objects, Object{
			GVK:  GVK{Group: group, Version: version, Kind: res.GetKind()},
			Name: res.GetName(),
			Map:  m,
		})
	}
	return r, nil
}

// Kinds is the set of kinds the objects use.
func (r Rendered) Kinds() map[GVK]bool {
	kinds := map[GVK]bool{}
	for _, o := range r.Objects {
		kinds[o.GVK] = true
	}
	return kinds
}
