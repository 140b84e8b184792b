#!/usr/bin/env bash
# Builds the pinned code-generation tools into .bin: buf and the protoc plugins
# (tools/go.mod), go-swagger (tools/swagger) and ghz (tools/ghz), each a module
# of its own so their dependencies never move buf's. Rebuilt only when a pin
# changes.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.bin/.tools-sum
want=$(cat tools/go.mod tools/go.sum tools/*/go.mod tools/*/go.sum | sha256sum | cut -d' ' -f1)
if [[ -x .bin/buf && -x .bin/swagger && -x .bin/ghz && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
mkdir -p .bin
(cd tools && GOWORK=off GOBIN="$PWD/../.bin" go install tool)
for m in tools/swagger tools/ghz; do
  (cd "$m" && GOWORK=off GOBIN="$PWD/../../.bin" go install tool)
done
echo "$want" >"$stamp"
