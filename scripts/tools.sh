#!/usr/bin/env bash
# Builds the pinned code-generation tools into .bin: buf and the protoc plugins
# (tools/go.mod) and go-swagger (tools/swagger/go.mod, a module of its own so
# its dependencies never move buf's). Rebuilt only when a pin changes.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.bin/.tools-sum
want=$(cat tools/go.mod tools/go.sum tools/swagger/go.mod tools/swagger/go.sum | sha256sum | cut -d' ' -f1)
if [[ -x .bin/buf && -x .bin/swagger && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
mkdir -p .bin
(cd tools && GOWORK=off GOBIN="$PWD/../.bin" go install tool)
(cd tools/swagger && GOWORK=off GOBIN="$PWD/../../.bin" go install tool)
echo "$want" >"$stamp"
