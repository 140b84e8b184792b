#!/usr/bin/env bash
# Proto checks: buf lint, buf format, generated code up to date, and buf
# breaking against the previous commit's protos (FILE rules).
#
# The baseline is the protos of HEAD when the work tree changes them, else of
# HEAD~1, so the check means "this change breaks no v1 client" both before
# and after committing. It is skipped only while no earlier commit has protos.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh
scripts/proto-deps.sh
export PATH="$PWD/.bin:$PATH"

buf lint
buf format --diff --exit-code proto

snapshot() { find gen gateway/internal/openapi -type f -print0 | sort -z | xargs -0 sha256sum; }
before=$(snapshot)
scripts/generate.sh
if [[ "$before" != "$(snapshot)" ]]; then
  echo "generated code was stale; 'make generate' has now rewritten gen/:" >&2
  diff <(echo "$before") <(snapshot) >&2 || true
  exit 1
fi

if [[ -n "$(git status --porcelain -- proto)" ]]; then
  base=HEAD
else
  base=HEAD~1
fi
if ! git rev-parse --verify --quiet "$base:proto/ariesone" >/dev/null; then
  echo "buf breaking: skipped, no earlier commit has protos"
  exit 0
fi
work=$(mktemp -d)
trap 'git worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach --quiet "$work/tree" "$base"
cp -r .proto-deps "$work/tree/.proto-deps"
(cd "$work/tree" && buf build proto -o "$work/base.binpb")
buf breaking proto --against "$work/base.binpb"
echo "buf breaking: no breaking change against $(git rev-parse --short "$base")"
