#!/usr/bin/env bash
# Builds the pinned code-generation tools into .bin: buf and the protoc plugins
# (tools/go.mod), go-swagger (tools/swagger), oapi-codegen (tools/oapi-codegen)
# and ghz (tools/ghz), each a module
# of its own so their dependencies never move buf's. Rebuilt only when a pin
# changes. dockerfile-lint (tools/dockerfile-lint, BuildKit's Dockerfile
# checks) is our own main in a module of its own: go build is incremental, so
# it is built every time, a no-op when it is current.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .bin
(cd tools/dockerfile-lint && GOWORK=off go build -o ../../.bin/dockerfile-lint .)
stamp=.bin/.tools-sum
want=$(cat tools/go.mod tools/go.sum tools/*/go.mod tools/*/go.sum | sha256sum | cut -d' ' -f1)
if [[ -x .bin/buf && -x .bin/swagger && -x .bin/oapi-codegen && -x .bin/ghz && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
mkdir -p .bin
(cd tools && GOWORK=off GOBIN="$PWD/../.bin" go install tool)
for m in tools/swagger tools/oapi-codegen tools/ghz; do
  (cd "$m" && GOWORK=off GOBIN="$PWD/../../.bin" go install tool)
done
echo "$want" >"$stamp"
