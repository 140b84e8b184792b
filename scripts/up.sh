#!/usr/bin/env bash
# `make up`: run the whole mesh on this machine with demo data.
#
#  - Postgres: DATABASE_URL if set, else the server on 127.0.0.1:5432, else a
#    private cluster under .run/pg when only the Postgres binaries are
#    installed. The demo data lives in this checkout's own database (named in
#    .run/database), made with this checkout's key and password.
#  - RabbitMQ: AMQP_URL if set, else 127.0.0.1:5672 when it answers, else the
#    in-process bus (said loudly: development only).
#  - Builds every service and the gateway, starts them with one login role
#    per service (migrations run as the admin connection), waits for health,
#    seeds a demo company with an owner, signs in with its credentials, and
#    only then prints addresses and credentials.
#  - REPLICAS=N (1 to 4, default 1) runs N of each service and of the
#    gateway: replica r listens 100*(r-1) ports above the first, and every
#    peer and backend address lists them all, so calls are spread over them.
#  - Ctrl-C stops everything it started; `make down` stops a stack left
#    running in the background.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
run=$root/.run
mkdir -p "$run/logs"

# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"

replicas=${REPLICAS:-1}
if [[ ! $replicas =~ ^[1-4]$ ]]; then
  echo "REPLICAS must be a number from 1 to 4, got '$replicas'" >&2
  exit 2
fi

if [[ -f $run/pids ]] && kill -0 $(cat "$run/pids") 2>/dev/null; then
  echo "a stack is already running (pids in .run/pids); run 'make down' first" >&2
  exit 1
fi

# --- Postgres: this checkout's own database -------------------------------------
find_postgres start
checkout_database
if [[ -z $(psql_admin -c "select 1 from pg_database where datname = '$db_name'") ]]; then
  psql_admin -c "create database $db_name"
fi
mesh_admin_url=$(db_url "$db_name")

# --- RabbitMQ -----------------------------------------------------------------
amqp_url=${AMQP_URL:-}
if [[ -z $amqp_url ]] && port_open 5672; then
  amqp_url="amqp://guest:guest@127.0.0.1:5672/"
fi
if [[ -n $amqp_url ]]; then
  say "RabbitMQ: ${amqp_url%%@*}@…"
else
  warn "RabbitMQ not reachable: running with the IN-PROCESS bus: events reach no other service (they wait in each service's outbox, and notify's audit trail stays empty). Development only."
fi

# --- secrets ------------------------------------------------------------------
if [[ ! -f $run/encryption.key ]]; then
  key() { head -c 32 /dev/urandom | base64 | tr -d '\n'; }
  (umask 077 && echo "index:$(key),1:$(key)" >"$run/encryption.key")
fi
encryption_key=$(cat "$run/encryption.key")

# --- build --------------------------------------------------------------------
say "building"
services=(company clinical orders serials notify)
pkgs=()
for s in "${services[@]}"; do pkgs+=("github.com/ariesone/ariesone/services/$s/cmd/$s"); done
pkgs+=("github.com/ariesone/ariesone/gateway/cmd/gateway")
mkdir -p "$root/bin"
# -trimpath: binaries free of this machine's paths, and a build cache that
# serves every checkout alike.
go build -trimpath -o "$root/bin/" "${pkgs[@]}"
if [[ -x gateway/scripts/fetch-swagger-ui.sh ]]; then
  gateway/scripts/fetch-swagger-ui.sh >/dev/null 2>&1 || warn "could not fetch swagger-ui; /docs will say how"
fi

# --- one login role per service -----------------------------------------------
# Roles are cluster-wide. Each service serves as its own login role, which
# owns nothing, so row-level security binds it; migrations run as the admin.
# (Local trust authentication is assumed for these roles.)
for s in "${services[@]}"; do
  psql_admin -c "do \$\$ begin
    if not exists (select from pg_roles where rolname = '${s}_svc') then
      create role ${s}_svc login nosuperuser nobypassrls nocreatedb nocreaterole;
    end if; end \$\$"
done
svc_url() { # the mesh database, logged in as the service's role
  db_url "$db_name" | sed -E "s#//[^@/]*@#//${1}_svc@#"
}

# --- start --------------------------------------------------------------------
pids=()
stop_all() {
  trap - INT TERM EXIT
  if ((${#pids[@]})); then
    say "stopping"
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  rm -f "$run/pids"
}
trap stop_all INT TERM EXIT

declare -A grpc_port=([company]=8081 [clinical]=8082 [orders]=8083 [serials]=8084 [notify]=8085)
declare -A ops_port=([company]=9081 [clinical]=9082 [orders]=9083 [serials]=9084 [notify]=9085)
jwks_url="http://127.0.0.1:${ops_port[company]}/.well-known/jwks.json"
common_env=(APP_ENV=development LOG_LEVEL=${LOG_LEVEL:-info} ENCRYPTION_KEY="$encryption_key" JWKS_URL="$jwks_url"
  FEATURE_REAL_TIME_UPDATES=true FEATURE_BULK_OPERATIONS=true)
[[ -n $amqp_url ]] && common_env+=(AMQP_URL="$amqp_url")
port_open 6379 && common_env+=(REDIS_HOST=127.0.0.1)

start() { # name (replica r of a service is "name-r"), then env assignments
  local name=$1; shift
  env "${common_env[@]}" "$@" "$root/bin/${name%-[0-9]}" >"$run/logs/$name.log" 2>&1 &
  pids+=($!)
  echo "${pids[@]}" >"$run/pids"
}
wait_port() { # name port
  local i
  for ((i = 0; i < 240; i++)); do
    port_open "$2" && return 0
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then
      echo "$1 exited; last lines of .run/logs/$1.log:" >&2; tail -n 20 "$run/logs/$1.log" >&2; return 1
    fi
    sleep 0.25
  done
  echo "$1 did not open port $2 within 60s; see .run/logs/$1.log" >&2
  return 1
}
replica_name() { # name r → name, name-2, ...
  if (($2 == 1)); then echo "$1"; else echo "$1-$2"; fi
}
addresses() { # first port → every replica's 127.0.0.1:port, joined by commas
  local out="" r
  for ((r = 0; r < replicas; r++)); do out+="${out:+,}127.0.0.1:$(($1 + 100 * r))"; done
  echo "$out"
}

say "starting company (applies migrations, creates signing keys)"
start company API_PORT=${grpc_port[company]} METRICS_PORT=${ops_port[company]} \
  DATABASE_URL="$(svc_url company)" DB_MIGRATE_URL="$mesh_admin_url"
wait_port company "${grpc_port[company]}"
wait_port company-ops "${ops_port[company]}"
for ((r = 2; r <= replicas; r++)); do
  start "company-$r" API_PORT=$((grpc_port[company] + 100 * (r - 1))) METRICS_PORT=$((ops_port[company] + 100 * (r - 1))) \
    DATABASE_URL="$(svc_url company)" DB_MIGRATE_URL="$mesh_admin_url"
done
# The services another one asks, with the caller's token, before it writes
# (peer connections are lazy, so the order of starting does not matter).
company_addr=COMPANY_ADDR=$(addresses "${grpc_port[company]}")
clinical_addr=CLINICAL_ADDR=$(addresses "${grpc_port[clinical]}")
serials_addr=SERIALS_ADDR=$(addresses "${grpc_port[serials]}")
declare -A peers=([clinical]="" [orders]="$company_addr $clinical_addr $serials_addr"
  [serials]="$company_addr $clinical_addr" [notify]="")
for ((r = 1; r <= replicas; r++)); do
  for s in clinical orders serials notify; do
    # shellcheck disable=SC2086 # peers[$s] is a list of NAME=host:port words
    start "$(replica_name "$s" "$r")" API_PORT=$((grpc_port[$s] + 100 * (r - 1))) METRICS_PORT=$((ops_port[$s] + 100 * (r - 1))) \
      DATABASE_URL="$(svc_url "$s")" DB_MIGRATE_URL="$mesh_admin_url" ${peers[$s]}
  done
done
for ((r = 1; r <= replicas; r++)); do
  for s in company clinical orders serials notify; do
    wait_port "$(replica_name "$s" "$r")" $((grpc_port[$s] + 100 * (r - 1)))
  done
done
for ((r = 1; r <= replicas; r++)); do
  start "$(replica_name gateway "$r")" GATEWAY_PORT=$((8080 + 100 * (r - 1))) METRICS_PORT=$((9080 + 100 * (r - 1))) \
    "$company_addr" "$clinical_addr" "$serials_addr" \
    ORDERS_ADDR="$(addresses "${grpc_port[orders]}")" NOTIFY_ADDR="$(addresses "${grpc_port[notify]}")" \
    DOCS_DIR="$root/gateway/web/swagger-ui"
  wait_port "$(replica_name gateway "$r")" $((8080 + 100 * (r - 1)))
done
ready=""
key_mismatch() { grep -qs "ENCRYPTION_KEY cannot open the data" "$run"/logs/*.log; }
for ((i = 0; i < 120; i++)); do
  ready=$(curl -s -w '\n%{http_code}' http://127.0.0.1:8080/readyz || true)
  [[ ${ready##*$'\n'} == 200 ]] && break
  # A wrong key does not heal by waiting; once company says so, stop.
  [[ ${ready} == *'"field":"company"'* ]] && key_mismatch && break
  sleep 0.5
done
if [[ ${ready##*$'\n'} != 200 ]]; then
  echo "AriesOne did not become ready: ${ready%$'\n'*}" >&2
  if key_mismatch; then
    cat >&2 <<MSG

  The database $db_name was initialised with another encryption key than .run/encryption.key,
  so its sealed data (signing keys, PHI) cannot be opened; the services report NOT_SERVING.
  Either run 'make reset' to wipe this checkout's demo data and start over, or set
  ENCRYPTION_KEY to the key the database was initialised with.
MSG
  else
    echo "see .run/logs/ for why" >&2
  fi
  exit 1
fi

# --- demo data ----------------------------------------------------------------
if [[ ! -f $run/credentials ]]; then
  (umask 077 && printf 'demo\nowner@demo.ariesone.test\n%s\n' "$(head -c 18 /dev/urandom | base64 | tr -d '/+=\n')" >"$run/credentials")
fi
mapfile -t cred <"$run/credentials"
say "seeding the demo company"
env "${common_env[@]}" DATABASE_URL="$(svc_url company)" DB_MIGRATE_URL="$mesh_admin_url" \
  BOOTSTRAP_COMPANY_CODE="${cred[0]}" BOOTSTRAP_LEGAL_NAME="Demo Home Medical LLC" \
  BOOTSTRAP_OWNER_EMAIL="${cred[1]}" BOOTSTRAP_OWNER_PASSWORD="bootstrap-${cred[2]}" \
  "$root/bin/company" bootstrap >>"$run/logs/bootstrap.log" 2>&1 || { tail -n 20 "$run/logs/bootstrap.log" >&2; exit 1; }

sign_in() { # password
  curl -s -w '\n%{http_code}' http://127.0.0.1:8080/api/v1/auth/login -H 'content-type: application/json' \
    -d "{\"companyCode\":\"${cred[0]}\",\"email\":\"${cred[1]}\",\"password\":\"$1\"}" || true
}
# A bootstrapped owner must choose their own password before anything else:
# the first run signs in with the bootstrap password, gets the one-time
# token that answer carries, and sets the demo password with it.
login=$(sign_in "${cred[2]}")
if [[ ${login##*$'\n'} != 200 ]]; then
  first=$(sign_in "bootstrap-${cred[2]}")
  token=$(grep -o '"password_change_token":"[^"]*"' <<<"$first" | cut -d'"' -f4 || true)
  if [[ -n $token ]]; then
    curl -s -o /dev/null http://127.0.0.1:8080/api/v1/auth/password:reset -H 'content-type: application/json' \
      -d "{\"companyCode\":\"${cred[0]}\",\"token\":\"$token\",\"newPassword\":\"${cred[2]}\"}" || true
  fi
  login=$(sign_in "${cred[2]}")
fi

# Credentials are printed only once they have just worked.
if [[ ${login##*$'\n'} != 200 ]]; then
  cat >&2 <<MSG
The demo owner cannot sign in with the credentials in .run/credentials: ${login%$'\n'*}
The demo company in database $db_name was made with others (was .run/credentials replaced?).
Run 'make reset' to wipe this checkout's demo data and start over.
MSG
  exit 1
fi

cat <<MSG

  AriesOne is up.
    REST       http://127.0.0.1:8080/api/v1
    OpenAPI    http://127.0.0.1:8080/api/v1/openapi.yaml (3.0)  /api/v1/openapi.json (Swagger 2.0)
    Docs       http://127.0.0.1:8080/docs
    gRPC       company 127.0.0.1:8081  clinical :8082  orders :8083  serials :8084  notify :8085
    Replicas   $replicas of each (replica r: every port above + 100·(r-1); REPLICAS=N make up)
    Logs       .run/logs/
    Database   $db_name (this checkout's own; make reset drops it)

  Demo owner   company code: ${cred[0]}   email: ${cred[1]}   password: ${cred[2]}

    curl -s http://127.0.0.1:8080/api/v1/auth/login -H 'content-type: application/json' \\
      -d '{"companyCode":"${cred[0]}","email":"${cred[1]}","password":"${cred[2]}"}'

  Ctrl-C stops the stack.
MSG
wait
