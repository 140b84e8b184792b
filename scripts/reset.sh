#!/usr/bin/env bash
# `make reset`: stop this checkout's stack and wipe its demo data: its own
# database, and everything under .run (encryption key, credentials, logs, a
# private Postgres cluster). The next `make up` starts from nothing. Asks
# first unless FORCE=1; without a terminal to ask on, FORCE=1 is required.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
run=$root/.run
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"

if [[ ! -d $run ]]; then
  echo "nothing to reset: this checkout has no .run state"
  exit 0
fi
db_name=$(cat "$run/database" 2>/dev/null || true)
if [[ ${FORCE:-} != 1 ]]; then
  if [[ ! -t 0 ]]; then
    echo "make reset wipes ${db_name:-the demo data} and .run; run it with FORCE=1 to do so without asking" >&2
    exit 1
  fi
  read -r -p "Drop database ${db_name:-(none)} and delete .run (key, credentials, logs)? [y/N] " answer
  [[ $answer == [yY]* ]] || { echo "nothing changed"; exit 1; }
fi

scripts/down.sh >/dev/null || true
if [[ -n $db_name ]]; then
  if [[ -z ${DATABASE_URL:-} ]] && ! port_open 5432 && [[ -f $run/pg/PG_VERSION ]]; then
    say "the private cluster goes with .run"
  elif find_postgres none; then
    psql_admin -c "drop database if exists $db_name with (force)"
    say "dropped database $db_name"
  fi
fi
rm -rf "$run"
say "reset: the next 'make up' starts with a new database, key and password"
