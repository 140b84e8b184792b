#!/usr/bin/env bash
# Lints the OpenAPI documents exactly as the gateway serves them (default
# settings: `gateway openapi` and `gateway openapi v3`) with Redocly CLI, a
# maintained third-party linter, on its recommended rules
# (tools/redocly/redocly.yaml). Any error fails; warnings are printed and
# counted. Redocly CLI is pinned in tools/redocly/package-lock.json and
# installed there with npm ci when missing or when the lock changes.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=tools/redocly
stamp="$dir/node_modules/.lock-sha256"
want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  npm ci --silent --no-audit --no-fund --ignore-scripts --prefix "$dir" >/dev/null
  echo "$want" >"$stamp"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/gateway" github.com/ariesone/ariesone/gateway/cmd/gateway
env -i PATH="$PATH" HOME="$HOME" "$work/gateway" openapi >"$work/openapi.json"
env -i PATH="$PATH" HOME="$HOME" "$work/gateway" openapi v3 >"$work/openapi.yaml"

# No telemetry and no update check: the linter runs offline but for npm.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
status=0
for doc in openapi.json openapi.yaml; do
  echo "openapi-lint: $doc"
  if ! out=$("$dir/node_modules/.bin/redocly" lint --config "$dir/redocly.yaml" --format=summary \
    --max-problems 100000 "$work/$doc" 2>&1); then
    status=1
  fi
  grep -E '^(error|warning) |validated|Woohoo|Validation failed' <<<"$out" || echo "$out"
done
if ((status != 0)); then
  echo "openapi-lint: errors above; fix the protos or gateway/internal/openapi, not the output" >&2
fi
exit "$status"
