#!/usr/bin/env bash
# Services the tests need, on 127.0.0.1 only, installed from Debian's packages when absent:
# PostgreSQL (the store at scale) and Redis (the distributed crawl's shared frontier). `start` prints the variables to export; `stop` ends them.
# Without root (a developer's machine), nothing is started and those tests skip.
set -euo pipefail
PGPORT=${VIGIE_TEST_PG_PORT:-54329}
PGDATA=${VIGIE_TEST_PG_DATA:-/tmp/vigie-test-pg}
REDISPORT=${VIGIE_TEST_REDIS_PORT:-63799}
REDISPID=/tmp/vigie-test-redis-$REDISPORT.pid  # one per port: several checkouts may run tests

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
# As the postgres user, from / : the checkout may be in a folder that user cannot enter
# (a mktemp -d folder), which su would report on every call.
as_postgres() { (cd / && su postgres -c "$1"); }

start() {
  [ "$(id -u)" = 0 ] || { echo "# services.sh : pas root, PostgreSQL non démarré" >&2; return 0; }
  if [ -z "$(pg_bin)" ]; then
    echo "# Installation de postgresql (Debian)…" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local bin; bin=$(pg_bin)
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    rm -rf "$PGDATA" && mkdir -p "$PGDATA" && chown postgres "$PGDATA"
    as_postgres "$bin/initdb -D $PGDATA -A trust -U postgres" >/dev/null
  fi
  if ! as_postgres "$bin/pg_ctl -D $PGDATA status" >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl -D $PGDATA -l $PGDATA/server.log -w \
      -o '-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1' start" >/dev/null
  fi
  echo "export VIGIE_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "# Installation de redis-server (Debian)…" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  if ! { [ -f "$REDISPID" ] && kill -0 "$(cat "$REDISPID")" 2>/dev/null; }; then
    redis-server --bind 127.0.0.1 --port "$REDISPORT" --save "" --appendonly no \
      --daemonize yes --pidfile "$REDISPID" --logfile "/tmp/vigie-test-redis-$REDISPORT.log"
    for _ in $(seq 50); do redis-cli -p "$REDISPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  echo "export VIGIE_TEST_REDIS_URL=redis://127.0.0.1:$REDISPORT/0"
}

stop() {
  [ "$(id -u)" = 0 ] || return 0
  if [ -f "$REDISPID" ]; then
    kill "$(cat "$REDISPID")" 2>/dev/null || true
    rm -f "$REDISPID"
  fi
  [ -f "$PGDATA/postmaster.pid" ] || return 0
  as_postgres "$(pg_bin)/pg_ctl -D $PGDATA -m fast -w stop" >/dev/null
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
