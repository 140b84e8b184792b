#!/usr/bin/env bash
# Builds the pinned code-generation tools of tools/go.mod (buf and the protoc
# plugins) into .bin. Rebuilt only when tools/go.mod or go.sum change.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.bin/.tools-sum
want=$(cat tools/go.mod tools/go.sum | sha256sum | cut -d' ' -f1)
if [[ -x .bin/buf && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
mkdir -p .bin
(cd tools && GOWORK=off GOBIN="$PWD/../.bin" go install tool)
echo "$want" >"$stamp"
