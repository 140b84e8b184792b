#!/usr/bin/env bash
# Runs the Go benchmarks and prints each measured cost as a ratio against the
# baseline measured in the same run (never against a remembered number).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "== interceptor chain and token verification (platform/server)"
go test -run '^$' -bench 'BenchmarkUnaryCall|BenchmarkVerify' -benchtime "${BENCHTIME:-3s}" -count 1 \
  github.com/ariesone/ariesone/platform/server | tee "$out"

awk '
  /^BenchmarkUnaryCall\/bare/               { bare = $3 }
  /^BenchmarkUnaryCall\/full_chain/         { full = $3 }
  /^BenchmarkUnaryCallParallel\/bare/       { pbare = $3 }
  /^BenchmarkUnaryCallParallel\/full_chain/ { pfull = $3 }
  /^BenchmarkVerify\/cold/          { cold = $3 }
  /^BenchmarkVerify\/cached/        { cached = $3 }
  END {
    if (bare && full) {
      printf "\none call at a time: chain overhead %.0f ns (bare %.0f ns, full chain %.0f ns); full/bare = %.3f; overhead = %.1f%% of a bare loopback call (aim < 10%%)\n", full - bare, bare, full, full / bare, 100 * (full - bare) / bare
    }
    if (pbare && pfull) {
      printf "16 in flight: bare %.0f calls/s, full chain %.0f calls/s; throughput full/bare = %.3f; chain cost = %.1f%% of a bare call (aim < 10%%)\n", 1e9 / pbare, 1e9 / pfull, pbare / pfull, 100 * (pfull - pbare) / pbare
    }
    if (cold && cached) {
      printf "token verification: cold %.0f ns, cached %.0f ns; cold/cached = %.1fx\n", cold, cached, cold / cached
    }
  }' "$out"

echo
echo "== rate-limit decision for a busy principal, 16 in flight: memory, Redis per call, Redis leased (platform/ratelimit)"
go test -run '^$' -bench BenchmarkAllow -benchtime "${BENCHTIME:-3s}" -count 1 \
  github.com/ariesone/ariesone/platform/ratelimit | tee "$out"
awk '
  /^BenchmarkAllow\/memory/ { mem = $3 }
  /^BenchmarkAllow\/redis/  { red = $3 }
  /^BenchmarkAllow\/leased/ { lea = $3 }
  END {
    if (mem && red && lea) {
      printf "\nleased %.0f ns against Redis per call %.0f ns: %.1fx cheaper; leased/memory = %.2f\n", lea, red, red / lea, lea / mem
    }
  }' "$out"

echo
echo "== event pipeline: outbox -> relay -> RabbitMQ -> inbox consumer, and the outbox write against pgbench (platform/outbox)"
go test -run '^$' -bench BenchmarkEventPipeline -benchtime 1x -timeout 10m github.com/ariesone/ariesone/platform/outbox 2>&1 |
  grep -v '^\s*{"time"'

echo
echo "== clinical GetPatient alone: full interceptor chain, tenant transaction, two PHI fields opened, 16 in flight, audit records kept in memory (services/clinical)"
go test -run '^$' -bench BenchmarkGetPatient -benchtime "${BENCHTIME:-3s}" -count 1 \
  github.com/ariesone/ariesone/services/clinical/internal/grpcapi 2>&1 | grep -v '^\s*{"time"' |
  awk '/^BenchmarkGetPatient/ { printf "%s\nGetPatient alone: %.0f calls/s (compare with pgbench -S below; the mesh figure adds the audit trail flowing to notify on the same two cores)\n", $0, 1e9 / $3; next } { print }'

echo
echo "== mesh load: GetLocation over gRPC (ghz) and REST (gateway), GetPatient over gRPC (decrypting two fields, audited), against pgbench -S (e2e)"
scripts/tools.sh
go test -run '^$' -bench BenchmarkMeshLoad -benchtime 1x -timeout 10m github.com/ariesone/ariesone/e2e 2>&1 |
  grep -v '^\s*{"time"'

echo
echo "== FHIR Patient read against REST GetPatient: the same patient, token and gateway, 16 in flight each, FHIR/REST throughput (e2e)"
go test -run '^$' -bench BenchmarkFHIRPatientRead -benchtime 1x -timeout 10m github.com/ariesone/ariesone/e2e 2>&1 |
  grep -v '^\s*{"time"'

echo
echo "== sustained mesh: GetPatient + ValidateSerial warm + GetLocation at 16 in flight each for ${BENCH_SUSTAINED_SECONDS:-60}s, the audit trail's ingest and lag, against pgbench -S (e2e)"
echo "   (BENCH_PROFILE_DIR=dir also saves and prints a CPU profile of each loaded service, taken in the middle of the load)"
BENCH_LOAD_SECONDS=${BENCH_SUSTAINED_SECONDS:-60} go test -run '^$' -bench BenchmarkMeshSustained -benchtime 1x -timeout 20m \
  github.com/ariesone/ariesone/e2e 2>&1 | grep -v '^\s*{"time"'

echo
echo "== serials ValidateSerial alone: full interceptor chain, 16 in flight, audit records kept in memory; warm = in-process cache, cold = database path (services/serials)"
go test -run '^$' -bench BenchmarkValidateSerial -benchtime "${BENCHTIME:-3s}" -count 1 \
  github.com/ariesone/ariesone/services/serials/internal/grpcapi 2>&1 | grep -v '^\s*{"time"' |
  awk '/^BenchmarkValidateSerial/ { printf "%s\nValidateSerial %s alone: %.0f calls/s (compare with pgbench -S below)\n", $0, ($1 ~ /warm/ ? "warm" : "cold"), 1e9 / $3; next } { print }'

echo
echo "== serials ValidateSerial over gRPC: warm (in-process cache) and cold (database path), audited, against pgbench -S (e2e)"
go test -run '^$' -bench BenchmarkValidateSerial -benchtime 1x -timeout 10m github.com/ariesone/ariesone/e2e 2>&1 |
  grep -v '^\s*{"time"'

echo
echo "== orders CreateOrder alone: three lines, outbox and audit, 16 in flight, against pgbench doing the same inserts (services/orders)"
go test -run '^$' -bench BenchmarkCreateOrder -benchtime 1x -timeout 10m \
  github.com/ariesone/ariesone/services/orders/internal/grpcapi 2>&1 | grep -v '^\s*{"time"'

echo
echo "== orders ApproveOrder end to end over REST: orders, serials' reservation and both services' events (e2e)"
go test -run '^$' -bench BenchmarkOrderApproval -benchtime 1x -timeout 10m github.com/ariesone/ariesone/e2e 2>&1 |
  grep -v '^\s*{"time"'

echo
echo "== orders billing run over ${BENCH_BILLING_RENTALS:-100000} active rental lines: claim lines, rentals and events per batch, against pgbench inserting the same rows (services/orders)"
go test -run '^$' -bench BenchmarkBillingRun -benchtime 1x -timeout 10m \
  github.com/ariesone/ariesone/services/orders/internal/grpcapi 2>&1 | grep -v '^\s*{"time"'
