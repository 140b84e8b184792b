#!/usr/bin/env bash
# Brings the third-party protos AriesOne imports into .proto-deps (ignored by
# git): googleapis' api/type/rpc protos from the npm package google-proto-files,
# protovalidate's validate.proto from its Go module, and grpc-gateway's
# openapiv2 options from the grpc-gateway Go module. Versions are pinned here
# and in tools/go.mod; the folder is rebuilt only when the pins change.
set -euo pipefail
cd "$(dirname "$0")/.."

GOOGLE_PROTO_FILES_VERSION=6.0.1
PROTOVALIDATE_VERSION=v1.2.2
GATEWAY_VERSION=$(cd tools && GOWORK=off go list -m -f '{{.Version}}' github.com/grpc-ecosystem/grpc-gateway/v2)

dest=.proto-deps
stamp="$dest/.pins"
want="google-proto-files@$GOOGLE_PROTO_FILES_VERSION protovalidate@$PROTOVALIDATE_VERSION grpc-gateway@$GATEWAY_VERSION"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi

rm -rf "$dest" && mkdir -p "$dest/google"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

npm install --silent --no-save --no-audit --no-fund --ignore-scripts --prefix "$work" \
  "google-proto-files@$GOOGLE_PROTO_FILES_VERSION" >/dev/null
# Only the top-level files: sub-packages import protos this project never needs.
for dir in api type rpc; do
  mkdir -p "$dest/google/$dir"
  cp "$work/node_modules/google-proto-files/google/$dir"/*.proto "$dest/google/$dir/"
done

pv=$(cd tools && GOWORK=off go mod download -json "github.com/bufbuild/protovalidate@$PROTOVALIDATE_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
mkdir -p "$dest/buf/validate"
cp "$pv/proto/protovalidate/buf/validate/validate.proto" "$dest/buf/validate/"

gw=$(cd tools && GOWORK=off go mod download -json "github.com/grpc-ecosystem/grpc-gateway/v2@$GATEWAY_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
mkdir -p "$dest/protoc-gen-openapiv2/options"
cp "$gw"/protoc-gen-openapiv2/options/*.proto "$dest/protoc-gen-openapiv2/options/"

chmod -R u+w "$dest"
echo "$want" >"$stamp"
