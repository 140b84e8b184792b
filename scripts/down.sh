#!/usr/bin/env bash
# `make down`: stop a stack that `make up` left running (its pids are in
# .run/pids), and the private Postgres cluster if it started one.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -f .run/pids ]]; then
  kill $(cat .run/pids) 2>/dev/null || true
  rm -f .run/pids
  echo "stopped the services and the gateway"
else
  echo "no stack recorded in .run/pids"
fi
if [[ -f .run/pg/postmaster.pid ]]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  "$pgbin/pg_ctl" -D .run/pg stop -m fast >/dev/null && echo "stopped the private Postgres cluster"
fi
