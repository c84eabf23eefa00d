#!/usr/bin/env bash
# Run the test suite against real components: a PostgreSQL server is started here (Debian's
# postgresql package) and its URL handed to the tests in PEEL_TEST_POSTGRES_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v pg_ctlcluster >/dev/null 2>&1; then
  ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  [ -d "/etc/postgresql/$ver/main" ] || pg_createcluster "$ver" main >/dev/null
  pg_ctlcluster "$ver" main start 2>/dev/null || true
  su postgres -c "psql -qtc \"SELECT 1 FROM pg_roles WHERE rolname='peel'\"" | grep -q 1 \
    || su postgres -c "psql -qc \"CREATE ROLE peel LOGIN SUPERUSER PASSWORD 'peel'\""
  su postgres -c "psql -qtc \"SELECT 1 FROM pg_database WHERE datname='peel_test'\"" | grep -q 1 \
    || su postgres -c "createdb -O peel peel_test"
  port=$(su postgres -c "psql -qtAc 'SHOW port'")
  export PEEL_TEST_POSTGRES_URL="postgresql+psycopg://peel:peel@127.0.0.1:${port}/peel_test"
fi

# Two workers (pytest-xdist): CI has two cores, and much of the suite waits on browsers,
# servers and disks. PEEL_TEST_WORKERS=0 runs it in one process.
exec .venv/bin/python -m pytest -n "${PEEL_TEST_WORKERS:-2}" "$@"
