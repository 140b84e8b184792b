#!/usr/bin/env bash
# Regenerates gen/go and gen/openapi from proto/ with the pinned local tools,
# then the partner client (e2e/partnerclient) from the OpenAPI document with
# go-swagger, the way a partner would. The output is committed; `make lint`
# fails when it is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh
scripts/proto-deps.sh
export PATH="$PWD/.bin:$PATH"
find gen/go -name '*.pb.go' -o -name '*.pb.gw.go' | xargs -r rm -f
rm -rf gen/openapi
buf generate --path proto/ariesone

rm -rf e2e/partnerclient
mkdir -p e2e/partnerclient
swagger generate client --quiet --skip-validation -A ariesone \
  -f gen/openapi/ariesone.swagger.json -t e2e/partnerclient
