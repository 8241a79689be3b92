#!/bin/sh
# Set up and run the whole test suite, twice: on SQLite, then on a real PostgreSQL server.
#  - system packages (apt, as root or via sudo): Debian chromium + a CJK font for the
#    real-browser tests, postgresql for the second run;
#  - a virtualenv with the package and its test extras;
#  - pytest on SQLite (everything, browser tests included);
#  - a throwaway PostgreSQL cluster (initdb + pg_ctl in a temp dir, free loopback port, as the
#    `postgres` user when run as root), pytest again with SCORECARD_TEST_PG (browser tests once
#    only), and the cluster stopped and removed at exit.
# SCORECARD_TEST_DATABASES="sqlite" (or "postgresql") runs one of the two only.
set -eu
cd "$(dirname "$0")"
DATABASES="${SCORECARD_TEST_DATABASES:-sqlite postgresql}"

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
need_apt=""
command -v chromium >/dev/null 2>&1 || need_apt="chromium"
fc-list 2>/dev/null | grep -qi "wenquanyi" || need_apt="$need_apt fonts-wqy-microhei"
case "$DATABASES" in *postgresql*)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt="$need_apt postgresql" ;;
esac
if [ -n "$need_apt" ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q $need_apt >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q $need_apt >/dev/null; }
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'

status=0
case "$DATABASES" in *sqlite*)
  echo "== pytest on SQLite"
  .venv/bin/pytest "$@" || status=$?
esac

case "$DATABASES" in *postgresql*)
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  PGTMP=$(mktemp -d /tmp/scorecard-pg.XXXXXX)
  PGPORT=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PGTMP"
    as_pg() { (cd "$PGTMP" && runuser -u postgres -- "$@"); }
  else
    as_pg() { "$@"; }
  fi
  stop_pg() {
    as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PGTMP"
  }
  trap stop_pg EXIT
  trap 'exit 130' INT TERM
  as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGTMP/initdb.log" 2>&1 \
    || { cat "$PGTMP/initdb.log"; exit 1; }
  # A throwaway cluster: durability settings off for speed; loopback only; socket in the temp dir.
  as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w \
    -o "-p $PGPORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$PGTMP/server.log"; exit 1; }
  echo "== pytest on PostgreSQL ($("$PGBIN/postgres" --version), port $PGPORT)"
  SCORECARD_TEST_PG="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres" \
  SCORECARD_PG_BIN="$PGBIN" \
    .venv/bin/pytest -m "not browser" --ignore=tests/browser "$@" || status=$?
esac
exit $status
