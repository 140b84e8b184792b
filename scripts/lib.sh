# Shared by `make up` and `make reset`: where this checkout's Postgres and
# its own demo database are. Sourced, not run.

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[1;33m!!! %s\033[0m\n' "$*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# find_postgres sets admin_url: DATABASE_URL if set, else the server on
# 127.0.0.1:5432, else this checkout's private cluster under .run/pg
# (started when start_private is "start", created on first use).
find_postgres() { # start_private
  if [[ -n ${DATABASE_URL:-} ]]; then
    admin_url=$DATABASE_URL
    say "Postgres: using DATABASE_URL"
  elif port_open 5432; then
    admin_url="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
    say "Postgres: using the server on 127.0.0.1:5432"
  else
    pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
    if [[ -z $pgbin ]]; then
      echo "no Postgres: set DATABASE_URL, start one on 127.0.0.1:5432, or install the Postgres server binaries" >&2
      return 1
    fi
    if [[ $1 == start ]]; then
      if [[ ! -f $run/pg/PG_VERSION ]]; then
        say "Postgres: creating a private cluster in .run/pg"
        "$pgbin/initdb" -D "$run/pg" -U postgres --auth=trust >/dev/null
      fi
      if ! port_open 55432; then
        "$pgbin/pg_ctl" -D "$run/pg" -o "-p 55432 -k $run -c listen_addresses=127.0.0.1" -l "$run/logs/postgres.log" -w start >/dev/null
      fi
    fi
    admin_url="postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable"
    say "Postgres: private cluster on 127.0.0.1:55432"
  fi
}

psql_admin() { psql "$admin_url" -v ON_ERROR_STOP=1 -qtAX "$@"; }

db_url() { # url with the database name replaced
  local base=${admin_url%%\?*} query=""
  [[ $admin_url == *\?* ]] && query="?${admin_url#*\?}"
  echo "${base%/*}/$1$query"
}

# checkout_database sets db_name: this checkout's own demo database, named
# once at random and kept in .run/database, so two checkouts on one machine
# never share demo data (nor the encryption key and password it was made
# with), and a wiped .run starts from an empty database.
checkout_database() {
  if [[ ! -s $run/database ]]; then
    echo "ariesone_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$run/database"
  fi
  db_name=$(cat "$run/database")
}
