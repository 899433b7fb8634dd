#!/usr/bin/env bash
# A real PostgreSQL for the store and sync tests: starts Debian's cluster, creates the role and the
# database, prints the SQLAlchemy URL on stdout (diagnostics go to stderr). Idempotent.
# Usage: export TRAINPROOF_TEST_PG_URL=$(bash .ci/postgres.sh)
set -euo pipefail
ROLE=${TRAINPROOF_PG_ROLE:-trainproof}
PASSWORD=${TRAINPROOF_PG_PASSWORD:-trainproof}
DB=${TRAINPROOF_PG_DB:-trainproof_test}
PORT=${TRAINPROOF_PG_PORT:-5432}

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$*"; else sudo -n -u postgres sh -c "$*"; fi; }

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "postgres: installing postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

VERSION=$(pg_lsclusters --no-header | awk 'NR==1 {print $1}')
CLUSTER=$(pg_lsclusters --no-header | awk 'NR==1 {print $2}')
if [ -z "$VERSION" ]; then
  echo "postgres: no cluster found" >&2
  exit 1
fi
if ! pg_lsclusters --no-header | awk 'NR==1 {print $4}' | grep -q online; then
  $SUDO pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi
for _ in $(seq 1 50); do
  if as_postgres "pg_isready -q -h 127.0.0.1 -p $PORT"; then break; fi
  sleep 0.2
done

as_postgres "psql -q -v ON_ERROR_STOP=1 -p $PORT -tAc \"select 1 from pg_roles where rolname='$ROLE'\"" | grep -q 1 \
  || as_postgres "psql -q -v ON_ERROR_STOP=1 -p $PORT -c \"create role $ROLE login superuser password '$PASSWORD'\"" >&2
as_postgres "psql -q -v ON_ERROR_STOP=1 -p $PORT -tAc \"select 1 from pg_database where datname='$DB'\"" | grep -q 1 \
  || as_postgres "createdb -p $PORT -O $ROLE $DB" >&2

echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
