#!/usr/bin/env bash
# Fetches swagger-ui-dist, the static files of the /docs page, from npm into
# gateway/web/swagger-ui (ignored by git: the files are fetched by the build,
# never committed). Serve them with DOCS_DIR pointing there.
#
#   gateway/scripts/fetch-swagger-ui.sh [target-dir]
set -euo pipefail

version="5.35.0"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="${1:-$here/../web/swagger-ui}"
files=(swagger-ui.css swagger-ui-bundle.js swagger-ui-standalone-preset.js favicon-16x16.png favicon-32x32.png LICENSE)

if [[ -f "$target/.version" && "$(cat "$target/.version")" == "$version" ]]; then
	echo "swagger-ui-dist $version already in $target"
	exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@$version" >/dev/null)
tar -xzf "$work"/swagger-ui-dist-"$version".tgz -C "$work"

mkdir -p "$target"
for f in "${files[@]}"; do
	cp "$work/package/$f" "$target/$f"
done
echo "$version" >"$target/.version"
echo "swagger-ui-dist $version fetched into $target"
