#!/usr/bin/env bash
# Regenerates gen/go and the OpenAPI document the gateway embeds
# (gateway/internal/openapi) from proto/ with the pinned local tools,
# then the partner client (gen/partnerclient, a module of its own) from the OpenAPI document with
# go-swagger, the way a partner would. The output is committed; `make lint`
# fails when it is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh
scripts/proto-deps.sh
export PATH="$PWD/.bin:$PATH"
find gen/go -name '*.pb.go' -o -name '*.pb.gw.go' | xargs -r rm -f
rm -f gateway/internal/openapi/ariesone.swagger.json
buf generate --path proto/ariesone

# The partner client is generated from the document exactly as the gateway
# serves it (default settings), as a partner downloading it would.
served=$(mktemp)
trap 'rm -f "$served"' EXIT
go build -o "$served.bin" github.com/ariesone/ariesone/gateway/cmd/gateway
env -i PATH="$PATH" HOME="$HOME" "$served.bin" openapi >"$served"
rm -f "$served.bin"
# Everything but go.mod and go.sum is regenerated.
find gen/partnerclient -mindepth 1 -maxdepth 1 ! -name go.mod ! -name go.sum -exec rm -rf {} +
cp "$served" gen/partnerclient/openapi.json
swagger generate client --quiet --skip-validation -A ariesone \
  -f gen/partnerclient/openapi.json -t gen/partnerclient
