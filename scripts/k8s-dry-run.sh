#!/usr/bin/env bash
# Applies every overlay under deploy/k8s/overlays to a real, throwaway
# kube-apiserver with server-side apply, dryRun=All and fieldValidation=Strict
# (tools/kube-apiserver/k8s-dry-run): what scripts/k8s-check.sh's offline
# schema validation cannot catch (the API's own validation, such as a
# Deployment's selector against its template labels, defaulting, CEL rules of
# the operators' CRDs, PodSecurity admission) fails here with the server's
# message; so does a warning the server sends back (PodSecurity's "would
# violate", a deprecated API). The operators' admission webhooks do not run.
#
# kube-apiserver is built from source through the Go module proxy, as
# k8s.io/kubernetes at the version tools/kube-apiserver/go.mod pins (its
# staging modules replaced by their published k8s.io/* versions), and etcd as
# the go.etcd.io/etcd/server version that release requires. Both are cached
# in .bin and rebuilt only when that module changes (about 3.5 minutes on two
# cores with a cold build cache). The CRDs installed first are the operators'
# own, read from K8S_CRDS_DIR (default: the k8s-crds folder kept beside the
# checkout, ../shared).
set -euo pipefail
cd "$(dirname "$0")/.."

crds=${K8S_CRDS_DIR:-../shared/k8s-crds}
if ! compgen -G "$crds/*.yaml" >/dev/null; then
  echo "k8s-dry-run: no CustomResourceDefinitions in '$crds'; set K8S_CRDS_DIR to the folder holding the operators' CRD files" >&2
  exit 1
fi

mkdir -p .bin
tool=tools/kube-apiserver
kubernetes_version=$(cd "$tool" && GOWORK=off go list -m -f '{{.Version}}' k8s.io/kubernetes)
# The version kube-apiserver reports (/version), as release builds stamp it.
minor=${kubernetes_version#v1.}
minor=${minor%%.*}
ldflags="-X k8s.io/component-base/version.gitVersion=$kubernetes_version"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
stamp=.bin/.kube-apiserver-sum
want=$( (cat "$tool/go.mod" "$tool/go.sum" "$tool/etcd/main.go"; echo "$ldflags") | sha256sum | cut -d' ' -f1)
if [[ ! -x .bin/kube-apiserver || ! -x .bin/etcd || ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
  echo "k8s-dry-run: building kube-apiserver $kubernetes_version and etcd from the Go module proxy (minutes, once)"
  (cd "$tool" && GOWORK=off go build -ldflags "$ldflags" -o ../../.bin/kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver)
  (cd "$tool" && GOWORK=off go build -o ../../.bin/etcd ./etcd)
  echo "$want" >"$stamp"
fi
# Our own code: go build is incremental, a no-op when it is current.
(cd "$tool" && GOWORK=off go build -o ../../.bin/k8s-dry-run ./k8s-dry-run)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
go build -o "$scratch/k8s-render" ./deploy/cmd/k8s-render
args=()
for dir in deploy/k8s/overlays/*/; do
  rendered=$scratch/$(basename "$dir").yaml
  "$scratch/k8s-render" "$dir" >"$rendered"
  args+=("$dir=$rendered")
done

.bin/k8s-dry-run -kube-apiserver .bin/kube-apiserver -etcd .bin/etcd -crds "$crds" "${args[@]}"
