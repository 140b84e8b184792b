#!/usr/bin/env bash
# Regenerates gen/go and the OpenAPI document the gateway embeds
# (gateway/internal/openapi) from proto/ with the pinned local tools, then
# two clients from the documents as the gateway serves them, the way partners
# would: gen/partnerclient from Swagger 2.0 with go-swagger, and
# gen/openapi3client from OpenAPI 3.0 with oapi-codegen (each a module of its
# own). The output is committed; `make lint` fails when it is stale.
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
trap 'rm -f "$served" "$served.v3"' EXIT
go build -o "$served.bin" github.com/ariesone/ariesone/gateway/cmd/gateway
env -i PATH="$PATH" HOME="$HOME" "$served.bin" openapi >"$served"
env -i PATH="$PATH" HOME="$HOME" "$served.bin" openapi v3 >"$served.v3"
rm -f "$served.bin"
# Everything but go.mod and go.sum is regenerated.
find gen/partnerclient -mindepth 1 -maxdepth 1 ! -name go.mod ! -name go.sum -exec rm -rf {} +
cp "$served" gen/partnerclient/openapi.json
swagger generate client --quiet --skip-validation -A ariesone \
  -f gen/partnerclient/openapi.json -t gen/partnerclient

# The OpenAPI 3 client keeps the document it was generated from beside it,
# as the partner client does, so a test can prove the gateway still serves it.
find gen/openapi3client -mindepth 1 -maxdepth 1 ! -name go.mod ! -name go.sum -exec rm -rf {} +
cp "$served.v3" gen/openapi3client/openapi.yaml
oapi-codegen -generate types,client -package openapi3client \
  -o gen/openapi3client/client.gen.go gen/openapi3client/openapi.yaml
