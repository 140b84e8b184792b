#!/usr/bin/env bash
# Regenerates gen/go and the OpenAPI document the gateway embeds
# (gateway/internal/openapi) from proto/ with the pinned local tools,
# then the partner client (e2e/partnerclient) from the OpenAPI document with
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
rm -rf e2e/partnerclient
mkdir -p e2e/partnerclient
cp "$served" e2e/partnerclient/openapi.json
swagger generate client --quiet --skip-validation -A ariesone \
  -f e2e/partnerclient/openapi.json -t e2e/partnerclient
