#!/usr/bin/env bash
# Installs everything Assay needs to build and test, idempotently: Debian packages (only when
# one is missing, so a set-up machine does no network work) and the npm test tools (DuckDB as an
# independent Parquet reader, csv-spectrum). Safe to run any number of times.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libyaml-cpp-dev libsimdjson-dev nlohmann-json3-dev libre2-dev libspdlog-dev libfmt-dev
  libcli11-dev libzstd-dev libsnappy-dev zlib1g-dev libsqlite3-dev libxxhash-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev
  clang clang-format clang-tidy libclang-rt-14-dev
  time
  # PostgreSQL: libpq for the database source, the server for the tests (tests/servers), and
  # openssl to make the test server's TLS certificate
  libpq-dev postgresql-15 openssl
  # MariaDB/MySQL: Connector/C for the database source, the server for the tests
  libmariadb-dev mariadb-server
  # ODBC: unixODBC for the database source; the SQLite and PostgreSQL ODBC drivers for its tests
  unixodbc-dev libsqliteodbc odbc-postgresql
  # the Schema Registry client that tests/registry_clients drive (run with /usr/bin/python3)
  python3-confluent-kafka python3-requests
  # the Redis source (hiredis) and the real server its tests start
  libhiredis-dev redis-server
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere than Debian (its npm bundled): only ask apt when it is absent.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm ci is exact and offline-safe once node_modules matches the lock file.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.assay-lock; then
  echo "setup: installing npm test tools"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.assay-lock
fi
