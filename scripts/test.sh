#!/usr/bin/env bash
# The whole suite: every test on SQLite, then the integration and API tests again on PostgreSQL.
# PostgreSQL: $AISMS_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test) when it answers;
# with AISMS_REQUIRE_POSTGRES=1 (as in CI) a missing server fails the run instead of skipping it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export AISMS_DATA_DIR="${AISMS_TEST_DATA_DIR:-$PWD/var/test}"
mkdir -p "$AISMS_DATA_DIR"
unset DATABASE_URL
WORKERS="${AISMS_TEST_WORKERS:-2}"

echo "== all tests on SQLite"
$BIN/pytest -p no:cacheprovider -n "$WORKERS" --dist loadgroup tests

PG_URL="${AISMS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
if $BIN/python - "$PG_URL" <<'PY'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
except Exception as exc:  # any failure means: no usable server
    print(f"PostgreSQL at {sys.argv[1]} does not answer: {exc}", file=sys.stderr)
    sys.exit(1)
PY
then
  echo "== integration and API tests on PostgreSQL"
  DATABASE_URL="$PG_URL" $BIN/pytest -p no:cacheprovider -n "$WORKERS" tests/integration tests/api
elif [ "${AISMS_REQUIRE_POSTGRES:-0}" = "1" ]; then
  echo "PostgreSQL is required here (AISMS_REQUIRE_POSTGRES=1) but does not answer" >&2
  exit 1
else
  echo "== PostgreSQL not reachable: its run was skipped (set AISMS_REQUIRE_POSTGRES=1 to fail instead)"
fi
