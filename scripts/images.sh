#!/usr/bin/env bash
# Builds the six runtime images from the Dockerfile, tagged
# ariesone/<service>:<version>: with docker when an engine answers, else with
# buildah. Both pull the build stages' base images (golang, and node for the
# gateway's swagger-ui), so a registry must be reachable; scripts/image-check.sh
# (make lint) is the offline check of the same runtime stages.
#
#   make images [VERSION=v1.4.0] [SERVICES="orders gateway"]
set -euo pipefail
cd "$(dirname "$0")/.."

version=${VERSION:-$(git describe --always --dirty 2>/dev/null || echo devel)}
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
services=${SERVICES:-company clinical orders serials notify gateway}

if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  build() { DOCKER_BUILDKIT=1 docker build "$@" .; }
  engine=docker
elif command -v buildah >/dev/null; then
  build() { buildah bud --layers "$@" .; }
  engine=buildah
else
  echo "make images: no Docker engine answers ('docker info' failed) and buildah is not installed" >&2
  echo "  start Docker, or install buildah (apt-get install buildah); 'make lint' checks the runtime image offline" >&2
  exit 1
fi

for s in $services; do
  echo "== ariesone/$s:$version ($engine)"
  if ! build --target "$s" --build-arg "SERVICE=$s" --build-arg "VERSION=$version" \
    --build-arg "REVISION=$revision" -t "ariesone/$s:$version" -f Dockerfile; then
    echo "make images: building ariesone/$s:$version with $engine failed; it pulls docker.io/library/golang" >&2
    echo "  (and node for the gateway) from a registry: is one reachable from here?" >&2
    exit 1
  fi
done
echo "built: $(for s in $services; do printf 'ariesone/%s:%s ' "$s" "$version"; done)"
