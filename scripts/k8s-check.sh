#!/usr/bin/env bash
# Renders every overlay under deploy/k8s/overlays and validates every object
# offline with kubeconform in strict mode (deploy/cmd/k8s-check):
#  - Kubernetes kinds against schemas generated from the OpenAPI document
#    that the k8s.io/kubernetes module ships (api/openapi-spec/swagger.json),
#    fetched through the Go module proxy at the version tools/kube-apiserver
#    pins (the one the dry run's API server is built from);
#  - custom resources (CloudNativePG, RabbitMQ, Prometheus Operator) against
#    the operators' own CustomResourceDefinitions, read from K8S_CRDS_DIR
#    (default: the k8s-crds folder kept beside the checkout, ../shared).
# The policy the rendered objects must meet is a Go test (make test).
set -euo pipefail
cd "$(dirname "$0")/.."
tool=tools/kube-apiserver

crds=${K8S_CRDS_DIR:-../shared/k8s-crds}
if ! compgen -G "$crds/*.yaml" >/dev/null; then
  echo "k8s-check: no CustomResourceDefinitions in '$crds'; set K8S_CRDS_DIR to the folder holding the operators' CRD files" >&2
  exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
download=$(cd "$tool" && GOWORK=off go mod download -json k8s.io/kubernetes)
kubernetes_version=$(sed -n 's/^[[:space:]]*"Version": "\(.*\)",$/\1/p' <<<"$download")
module_dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$download")
swagger=$module_dir/api/openapi-spec/swagger.json
if [[ ! -f $swagger ]]; then
  echo "k8s-check: k8s.io/kubernetes@$kubernetes_version has no $swagger" >&2
  exit 1
fi

go run ./deploy/cmd/k8s-check -openapi "$swagger" -kubernetes-version "$kubernetes_version" \
  -crds "$crds" -schemas "$scratch/schemas" deploy/k8s/overlays/*/
