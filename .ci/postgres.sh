#!/usr/bin/env bash
# A throw-away PostgreSQL server for the inventory tests (tests/store) and the benchmark.
#
#   source .ci/postgres.sh     # exports AIBOM_TEST_POSTGRES_URL
#   bash .ci/postgres.sh       # prints the URL (and `stop` as first argument stops it)
#
# Installs Debian's postgresql when no initdb is found (needs root and apt-get), creates a
# cluster in $AIBOM_PG_DIR (default: /tmp/aibom-ci-postgres) owned by the `postgres` user
# when run as root, starts it on a free 127.0.0.1 port (trust authentication: CI only,
# nothing else can reach it), and creates the database `aibom_test`. Idempotent: a second
# run reuses the running server. fsync is off: the data is disposable.

_aibom_pg() {
    local dir="${AIBOM_PG_DIR:-/tmp/aibom-ci-postgres}" db=aibom_test bin="" port run=()
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        if [ "$(id -u)" != 0 ]; then
            echo "postgres.sh: no PostgreSQL found and not root to install it" >&2
            return 1
        fi
        echo "postgres.sh: installing postgresql" >&2
        (export DEBIAN_FRONTEND=noninteractive
         apt-get update -qq && apt-get install -y -qq postgresql >/dev/null) || return 1
        bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
        [ -x "$bin/initdb" ] || { echo "postgres.sh: no initdb after installing" >&2; return 1; }
    fi
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" postgres || return 1
        run=(runuser -u postgres -- env -C "$dir")
    fi
    if [ "${1:-}" = stop ]; then
        [ -d "$dir" ] || return 0
        [ -f "$dir/data/PG_VERSION" ] && "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop
        return 0
    fi
    mkdir -p "$dir" && chmod 700 "$dir" || return 1
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir" || return 1; fi
    if ! "${run[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        if [ ! -f "$dir/data/PG_VERSION" ]; then
            "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
                --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
                || { cat "$dir/initdb.log" >&2; return 1; }
        fi
        port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
        "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null || { tail -n 20 "$dir/server.log" >&2; return 1; }
        echo "$port" >"$dir/port"
    fi
    port="$(cat "$dir/port")"
    if ! "${run[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
        "${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db" || return 1
    fi
    export AIBOM_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/$db"
    echo "$AIBOM_TEST_POSTGRES_URL"
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    _aibom_pg "$@"
else
    set -euo pipefail
    _aibom_pg "$@"
fi
