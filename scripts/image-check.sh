#!/usr/bin/env bash
# Builds one service's runtime image offline and checks it (make lint):
# the Dockerfile's runtime stages ("FROM scratch AS runtime" to the end),
# verbatim, with its build stage replaced by a locally built static binary,
# built with buildah from scratch: no base image is pulled and no engine or
# registry is needed. Then it reads the image's config (numeric non-root
# USER, exec-form ENTRYPOINT, labels), lists the image's files (exactly the
# binary, the CA bundle, passwd and group: no shell) and runs the binary
# from the image's filesystem, chrooted into it as user 65532, with
# --version. Everything it makes lives in a temporary storage root that is
# removed on exit.
#
#   scripts/image-check.sh [service]     (default serials)
#   DOCKERFILE=path scripts/image-check.sh   (check another Dockerfile's runtime stages)
#
# How buildah runs here: as root (CI and developers' machines are root), with
# the vfs storage driver (no overlay mount, no fuse-overlayfs) under a
# temporary --root/--runroot so nothing system-wide is touched, and
# --isolation chroot (no user namespaces needed). The runtime stages have no
# RUN step, so nothing is ever executed inside a container during the build.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

service=${1:-serials}
dockerfile=${DOCKERFILE:-Dockerfile}
case "$service" in
  company | clinical | orders | serials | notify) pkg=./services/$service/cmd/$service ;;
  gateway) pkg=./gateway/cmd/gateway ;;
  *) echo "image-check: unknown service '$service'" >&2; exit 2 ;;
esac

fail() { echo "image-check: $*" >&2; exit 1; }

# buildah is Debian's package (1.28 on bookworm); installed when missing so a
# fresh machine passes unattended.
if ! command -v buildah >/dev/null; then
  [[ $(id -u) == 0 ]] || fail "buildah is missing; install it (apt-get install buildah)"
  echo "image-check: installing buildah"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah >/dev/null
fi
[[ -f /etc/ssl/certs/ca-certificates.crt ]] || fail "/etc/ssl/certs/ca-certificates.crt is missing (Debian: apt-get install ca-certificates)"

version=$(git describe --always --dirty 2>/dev/null || echo devel)
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)

work=$(mktemp -d "${TMPDIR:-/tmp}/image-check.XXXXXX")
bah() { buildah --storage-driver vfs --root "$work/storage" --runroot "$work/run" "$@"; }
cleanup() {
  bah rm --all >/dev/null 2>&1 || true
  bah rmi --all --force >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The build stage's output, made here: the static binary and the runtime
# image's /etc (the same passwd and group lines as the Dockerfile's build
# stage writes).
ctx=$work/context
mkdir -p "$ctx/out" "$ctx/rootfs/etc/ssl/certs"
CGO_ENABLED=0 go build -trimpath -buildvcs=false \
  -ldflags "-s -w -X github.com/ariesone/ariesone/platform/buildinfo.version=$version" \
  -o "$ctx/out/$service" "$pkg"
cp /etc/ssl/certs/ca-certificates.crt "$ctx/rootfs/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n' >"$ctx/rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$ctx/rootfs/etc/group"
want=$(printf '%s\n' etc etc/group etc/passwd etc/ssl etc/ssl/certs etc/ssl/certs/ca-certificates.crt "$service")
# The gateway's image also holds swagger-ui-dist (the Dockerfile's docs
# stage), fetched from npm by the same script into its usual, ignored place.
docs_stage=
if [[ $service == gateway ]]; then
  gateway/scripts/fetch-swagger-ui.sh >/dev/null
  cp -r gateway/web/swagger-ui "$ctx/swagger-ui"
  docs_stage=$'FROM scratch AS docs\nCOPY swagger-ui/ /swagger-ui/\n'
  want+=$'\n'$(printf '%s\n' usr usr/share usr/share/ariesone usr/share/ariesone/swagger-ui)
  want+=$'\n'$(cd "$ctx" && find swagger-ui -mindepth 1 | sed 's|^|usr/share/ariesone/|')
fi
want=$(sort <<<"$want")

# The Dockerfile's global ARGs, an offline build stage, then its runtime
# stages unchanged.
grep -q '^FROM scratch AS runtime$' "$dockerfile" || fail "$dockerfile has no 'FROM scratch AS runtime' stage"
{
  sed -n '1,/^FROM /p' "$dockerfile" | grep '^ARG '
  printf 'FROM scratch AS build\nCOPY rootfs/ /rootfs/\nCOPY out/ /out/\n%s' "$docs_stage"
  sed -n '/^FROM scratch AS runtime$/,$p' "$dockerfile"
} >"$ctx/Dockerfile"

image=localhost/ariesone/$service:$version
bah bud --quiet --pull=never --isolation chroot --target "$service" \
  --build-arg "VERSION=$version" --build-arg "REVISION=$revision" \
  -f "$ctx/Dockerfile" -t "$image" "$ctx" >/dev/null

# The image's config.
config() { bah inspect --type image --format "$1" "$image"; }
user=$(config '{{.OCIv1.Config.User}}')
# (buildah 1.28's templates have no json function: quote each element.)
entrypoint=$(config '[{{range $i, $a := .OCIv1.Config.Entrypoint}}{{if $i}}, {{end}}{{printf "%q" $a}}{{end}}]')
cmd=$(config '[{{range $i, $a := .OCIv1.Config.Cmd}}{{if $i}}, {{end}}{{printf "%q" $a}}{{end}}]')
workdir=$(config '{{.OCIv1.Config.WorkingDir}}')
label() { config "{{index .OCIv1.Config.Labels \"$1\"}}"; }
[[ $user == 65532:65532 ]] || fail "USER is '$user', want 65532:65532 (numeric, non-root)"
[[ $entrypoint == "[\"/$service\"]" ]] || fail "ENTRYPOINT is $entrypoint, want [\"/$service\"] (exec form)"
[[ $cmd == '[]' ]] || fail "CMD is $cmd, want none"
[[ $workdir == / ]] || fail "WORKDIR is '$workdir', want /"
[[ $(label org.opencontainers.image.version) == "$version" ]] || fail "label version is '$(label org.opencontainers.image.version)', want $version"
[[ $(label org.opencontainers.image.revision) == "$revision" ]] || fail "label revision is '$(label org.opencontainers.image.revision)', want $revision"
[[ $(label org.opencontainers.image.title) == "$service" ]] || fail "label title is '$(label org.opencontainers.image.title)', want $service"
[[ -n $(label org.opencontainers.image.source) ]] || fail "label source is empty"
if [[ $service == gateway ]]; then
  env=$(config '{{range .OCIv1.Config.Env}}{{.}}{{"\n"}}{{end}}')
  grep -qx 'DOCS_DIR=/usr/share/ariesone/swagger-ui' <<<"$env" || fail "the gateway's DOCS_DIR is not /usr/share/ariesone/swagger-ui"
fi

# The image's files: exactly these, so no shell, no package manager.
ctr=$(bah from --pull-never --quiet "$image")
root=$(bah mount "$ctr")
files=$(cd "$root" && find . -mindepth 1 | sed 's|^\./||' | sort)
if [[ $files != "$want" ]]; then
  diff <(echo "$want") <(echo "$files") >&2 || true
  fail "the image's files differ from the binary, CA bundle, passwd and group and (gateway) swagger-ui (< wanted, > found)"
fi
for sh in sh bash dash ash zsh busybox; do
  [[ -z $(find "$root" -name "$sh") ]] || fail "the image has a shell: $sh"
done
grep -q '^nonroot:x:65532:65532:' "$root/etc/passwd" || fail "/etc/passwd names no user 65532"
buildinfo=$(go version -m "$root/$service")
grep -q 'CGO_ENABLED=0' <<<"$buildinfo" || fail "/$service was built with cgo"
grep -q -- '-trimpath=true' <<<"$buildinfo" || fail "/$service was built without -trimpath"

# The binary, from the image's filesystem only, as the image's user.
answer=$(chroot --userspec=65532:65532 "$root" "/$service" --version)
[[ $answer == "$service $version ("* ]] || fail "/$service --version said '$answer', want '$service $version (...)'"

echo "image-check: $image (offline, from the Dockerfile's runtime stages), in $((SECONDS - start))s"
echo "  user $user, entrypoint $entrypoint, workdir $workdir, no cmd"
echo "  files: $(echo "$files" | tr '\n' ' ')(no shell)"
echo "  static (CGO_ENABLED=0), -trimpath; labels version $version, revision ${revision:0:12}"
echo "  chroot as 65532: $answer"
