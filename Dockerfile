# One runtime image per program: the five services and the gateway.
#
#   docker build --build-arg SERVICE=orders --build-arg VERSION=v1.4.0 -t ariesone/orders:v1.4.0 .
#   docker build --target orders ...            (the same; `make images` builds all six this way)
#
# The build stage compiles all six static binaries at once (BuildKit caches it,
# so six images cost one compile); each image is scratch plus its one binary,
# CA certificates and an /etc/passwd naming the non-root user 65532. No shell,
# no package manager, nothing written to the image's filesystem at run time,
# so it runs with readOnlyRootFilesystem and runAsNonRoot (USER is numeric).
#
# Everything from "FROM scratch AS runtime" down is also built offline by
# scripts/image-check.sh (make lint), from a locally built binary: keep that
# part free of RUN and of any stage but build and docs.

# SERVICE picks the image when no --target is given: company, clinical,
# orders, serials, notify or gateway.
ARG SERVICE=serials

FROM docker.io/library/golang:1.26.8-bookworm AS build
WORKDIR /src
COPY . .
ARG VERSION=devel
RUN --mount=type=cache,target=/root/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/ariesone/ariesone/platform/buildinfo.version=${VERSION}" \
      -o /out/ \
      ./services/company/cmd/company ./services/clinical/cmd/clinical \
      ./services/orders/cmd/orders ./services/serials/cmd/serials \
      ./services/notify/cmd/notify ./gateway/cmd/gateway
# The runtime image's /etc: the CA bundle (for TLS to the database, broker and
# identity provider) and the non-root user. scripts/image-check.sh writes the
# same two lines each.
RUN mkdir -p /rootfs/etc/ssl/certs \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n' >/rootfs/etc/passwd \
 && printf 'root:x:0:\nnonroot:x:65532:\n' >/rootfs/etc/group

# swagger-ui-dist for the gateway's /docs page, fetched by the same script and
# pinned version as on a developer's machine.
FROM docker.io/library/node:22.14.0-bookworm-slim AS docs
COPY gateway/scripts/fetch-swagger-ui.sh /usr/local/bin/
RUN fetch-swagger-ui.sh /swagger-ui

FROM scratch AS runtime
COPY --from=build /rootfs/ /
ARG VERSION=devel
ARG REVISION=unknown
LABEL org.opencontainers.image.source="https://github.com/ariesone/ariesone" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="UNLICENSED"
WORKDIR /
USER 65532:65532

FROM runtime AS company
COPY --from=build /out/company /company
LABEL org.opencontainers.image.title="company"
EXPOSE 8081 9090
ENTRYPOINT ["/company"]

FROM runtime AS clinical
COPY --from=build /out/clinical /clinical
LABEL org.opencontainers.image.title="clinical"
EXPOSE 8082 9090
ENTRYPOINT ["/clinical"]

FROM runtime AS orders
COPY --from=build /out/orders /orders
LABEL org.opencontainers.image.title="orders"
EXPOSE 8083 9090
ENTRYPOINT ["/orders"]

FROM runtime AS serials
COPY --from=build /out/serials /serials
LABEL org.opencontainers.image.title="serials"
EXPOSE 8084 9090
ENTRYPOINT ["/serials"]

FROM runtime AS notify
COPY --from=build /out/notify /notify
LABEL org.opencontainers.image.title="notify"
EXPOSE 8085 9090
ENTRYPOINT ["/notify"]

FROM runtime AS gateway
COPY --from=build /out/gateway /gateway
COPY --from=docs /swagger-ui /usr/share/ariesone/swagger-ui
ENV DOCS_DIR=/usr/share/ariesone/swagger-ui
LABEL org.opencontainers.image.title="gateway"
EXPOSE 8080 9090
ENTRYPOINT ["/gateway"]

# BuildKit resolves a stage name here; buildah 1.28 does not, so build with
# --target there (make images always does).
FROM ${SERVICE}
