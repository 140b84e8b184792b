#!/usr/bin/env bash
# The generated trees are marked (.gitattributes linguist-generated) and say
# so: every Go file under them opens with the standard "Code generated ...
# DO NOT EDIT." line (https://go.dev/s/generatedcode), and no tracked Go
# file outside them does, so a hand edit cannot hide in generated code and
# generated code cannot pass for hand-written.
set -euo pipefail
cd "$(dirname "$0")/.."

header='^// Code generated .* DO NOT EDIT\.$'
mapfile -t marked < <(git ls-files -- '*.go' | git check-attr --stdin linguist-generated | awk -F': ' '$3 == "true" {print $1}')
mapfile -t unmarked < <(git ls-files -- '*.go' | git check-attr --stdin linguist-generated | awk -F': ' '$3 != "true" {print $1}')
if ((${#marked[@]} == 0)); then
  echo "generated-check: no Go file is marked linguist-generated; is .gitattributes missing?" >&2
  exit 1
fi

status=0
missing=$(for f in "${marked[@]}"; do head -n 5 "$f" | grep -qE "$header" || echo "$f"; done)
if [[ -n $missing ]]; then
  echo "generated-check: marked generated but without the 'Code generated ... DO NOT EDIT.' line:" >&2
  echo "$missing" >&2
  status=1
fi
claiming=$(for f in "${unmarked[@]}"; do head -n 5 "$f" | grep -qE "$header" && echo "$f"; done || true)
if [[ -n $claiming ]]; then
  echo "generated-check: say they are generated but are not under a generated tree in .gitattributes:" >&2
  echo "$claiming" >&2
  status=1
fi
((status == 0)) && echo "generated-check: ${#marked[@]} generated Go files marked and headed, ${#unmarked[@]} hand-written"
exit $status
