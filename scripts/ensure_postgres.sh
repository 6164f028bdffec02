# Sourced by `make test-postgres` and `make bench`: exports DATABASE_URL for a PostgreSQL server.
# Uses $DATABASE_URL when it names PostgreSQL, else the server at 127.0.0.1:5432 (trust auth, user
# postgres), else installs PostgreSQL from Debian and starts a private throwaway server under var/,
# stopped when the calling shell exits. The PostgreSQL pass is never silently skipped.
# Tests create and drop their own database (pytest-django prefixes the name with test_).

_concord_pg_fail() { echo "ensure_postgres: $*" >&2; return 1; }

# The server binaries (initdb, pg_ctl, pg_dump) from Debian's package: for a private server
# here, and for the fault tests, which start and restart throwaway servers of their own
# (tests/pg_cluster.py) whichever server the suite runs on.
_pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z "$_pg_bin" || ! -x "$_pg_bin/initdb" ]]; then
  echo "PostgreSQL: installing Debian's server binaries…"
  _apt=apt-get; [[ "$(id -u)" == 0 ]] || _apt="sudo apt-get"
  $_apt update -qq && DEBIAN_FRONTEND=noninteractive $_apt install -y -qq postgresql \
    || _concord_pg_fail "could not install PostgreSQL from Debian"
  _pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  echo "PostgreSQL: using DATABASE_URL from the environment."
elif pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || \
     (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/concord"
  echo "PostgreSQL: using the server at 127.0.0.1:5432."
else
  echo "PostgreSQL: no server at 127.0.0.1:5432; starting a private one under var/pg."
  _pg_dir="$(pwd)/var/pg"
  _pg_port=54329
  rm -rf "$_pg_dir" && mkdir -p "$_pg_dir"
  _as_pg=()
  if [[ "$(id -u)" == 0 ]]; then
    # initdb refuses to run as root; the postgres user comes with Debian's package.
    id postgres >/dev/null 2>&1 || useradd --system --home "$_pg_dir" postgres
    chown -R postgres "$_pg_dir"
    _as_pg=(runuser -u postgres --)
  fi
  "${_as_pg[@]}" "$_pg_bin/initdb" -D "$_pg_dir/data" -U postgres --auth=trust -E UTF8 >/dev/null \
    || _concord_pg_fail "initdb failed"
  "${_as_pg[@]}" "$_pg_bin/pg_ctl" -D "$_pg_dir/data" -l "$_pg_dir/server.log" -w \
    -o "-p $_pg_port -k $_pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
    || _concord_pg_fail "the private server did not start; see $_pg_dir/server.log"
  trap '"${_as_pg[@]}" "$_pg_bin/pg_ctl" -D "$_pg_dir/data" -m fast stop >/dev/null 2>&1; rm -rf "$_pg_dir"' EXIT
  export DATABASE_URL="postgres://postgres@127.0.0.1:$_pg_port/concord"
fi
# The backup drill (tests/core/test_drill.py) runs pg_dump, pg_restore and createdb; it fails,
# never skips, without them.
if ! command -v pg_dump >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_dump >/dev/null 2>&1; then
  echo "PostgreSQL: installing Debian's client tools (pg_dump, pg_restore) for the backup drill."
  _apt=apt-get; [[ "$(id -u)" == 0 ]] || _apt="sudo apt-get"
  $_apt update -qq && DEBIAN_FRONTEND=noninteractive $_apt install -y -qq postgresql-client \
    || _concord_pg_fail "could not install postgresql-client from Debian"
fi
