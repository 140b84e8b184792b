# AriesOne developer commands. Every target works from a fresh clone: tools
# and third-party protos are fetched by the scripts they call.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

# Every module of the workspace, as package patterns.
MODULES := $(shell go list -m -f '{{.Dir}}' 2>/dev/null)
PACKAGES := $(shell go list -m -f '{{.Path}}/...' 2>/dev/null)
TEST_TIMEOUT ?= 8m

.PHONY: help tools generate lint fmt vet build test bench up down reset images

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

tools: ## build the pinned buf and protoc plugins into .bin
	scripts/tools.sh

generate: ## regenerate gen/ from proto/ (commit the result)
	scripts/generate.sh

lint: ## buf lint + format + breaking, generated code current, gofmt, go vet, layering, generated trees marked, OpenAPI documents linted (Redocly), deploy/k8s rendered, validated and dry-run applied, Dockerfile lint, offline image check
	scripts/proto-lint.sh
	@unformatted=$$(gofmt -l $(MODULES)); if [[ -n "$$unformatted" ]]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet $(PACKAGES)
	go test -count=1 github.com/ariesone/ariesone/arch/...
	scripts/generated-check.sh
	scripts/openapi-lint.sh
	scripts/k8s-check.sh
	scripts/k8s-dry-run.sh
	scripts/tools.sh && .bin/dockerfile-lint Dockerfile
	cd tools/dockerfile-lint && GOWORK=off go test -count=1 ./
	scripts/image-check.sh

fmt: ## gofmt every module and buf format the protos
	gofmt -w $(MODULES)
	scripts/tools.sh && .bin/buf format -w proto

build: ## compile every module
	go build $(PACKAGES)

images: ## build the six runtime images ariesone/<service>:<version> (docker, else buildah; pulls base images)
	scripts/images.sh

# The end-to-end suite restarts the broker, so it runs after the others
# rather than beside them.
E2E := github.com/ariesone/ariesone/e2e/...
UNIT_PACKAGES := $(filter-out $(E2E),$(PACKAGES))

# The unit packages mostly wait on Postgres (a fresh database per test), so
# four run at once on two cores.
test: ## every test of every module, race detector on, against real Postgres/RabbitMQ/Redis
	go test -race -count=1 -p 4 -timeout $(TEST_TIMEOUT) $(UNIT_PACKAGES)
	cd tools/fhir-validate && GOWORK=off go test -count=1 ./...
	go test -race -count=1 -timeout $(TEST_TIMEOUT) $(E2E)

bench: ## benchmarks with ratios against baselines measured in the same run
	scripts/bench.sh

up: ## run the mesh locally with demo data (Ctrl-C stops it)
	scripts/up.sh

down: ## stop a stack left running by make up
	scripts/down.sh

reset: ## stop the stack and wipe this checkout's demo data (FORCE=1: without asking)
	scripts/reset.sh
