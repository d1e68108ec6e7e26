#!/usr/bin/env bash
# Entrypoint of the workshop's local stand-in for `postgres:15-bookworm`
# (see scripts/standin-images). Written for this project; it keeps the
# official image's documented contract:
#   - starts as root, gives $PGDATA to `postgres` (uid 999) and drops to it;
#   - on an empty $PGDATA: initdb for POSTGRES_USER with POSTGRES_PASSWORD
#     (required unless POSTGRES_HOST_AUTH_METHOD=trust), creates POSTGRES_DB,
#     runs /docker-entrypoint-initdb.d/*.sql, *.sql.gz and *.sh once;
#   - then runs the server on all interfaces, password (scram) auth over TCP.
# FOO_FILE variants (Docker secrets) are read for the POSTGRES_* settings.
set -Eeuo pipefail

say() { echo "docker-entrypoint: $*" >&2; }

# VAR from $VAR, or from the file named by $VAR_FILE, or a default.
from_env_or_file() {
  local name="$1" fallback="${2:-}" file_name="${1}_FILE" value
  if [ -n "${!name:-}" ] && [ -n "${!file_name:-}" ]; then
    say "set $name or $file_name, not both"
    exit 1
  fi
  value="$fallback"
  if [ -n "${!name:-}" ]; then
    value="${!name}"
  elif [ -n "${!file_name:-}" ]; then
    value="$(<"${!file_name}")"
  fi
  export "$name=$value"
  unset "$file_name"
}

# `docker run IMAGE -c foo=bar` means `postgres -c foo=bar`.
if [ "${1:0:1}" = - ]; then
  set -- postgres "$@"
fi
if [ "${1:-}" != postgres ]; then
  exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  find "$PGDATA" ! -user postgres -exec chown postgres:postgres {} +
  chmod 700 "$PGDATA"
  chown postgres:postgres /var/run/postgresql
  chmod 3777 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  from_env_or_file POSTGRES_PASSWORD
  from_env_or_file POSTGRES_USER postgres
  from_env_or_file POSTGRES_DB "$POSTGRES_USER"
  from_env_or_file POSTGRES_INITDB_ARGS
  method="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$method" != trust ]; then
    say "the database is not initialised and POSTGRES_PASSWORD is not set."
    say "Set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust to allow"
    say "every connection without a password, which you should not)."
    exit 1
  fi

  say "initialising $PGDATA for user $POSTGRES_USER, database $POSTGRES_DB"
  work="$(mktemp -d)"
  args=(--pgdata="$PGDATA" --username="$POSTGRES_USER" --encoding=UTF8
        --auth-local=trust --auth-host="$method")
  if [ -n "$POSTGRES_PASSWORD" ]; then
    (umask 077; printf '%s\n' "$POSTGRES_PASSWORD" >"$work/pw")
    args+=(--pwfile="$work/pw")
  fi
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words
  initdb "${args[@]}" $POSTGRES_INITDB_ARGS >&2
  rm -rf "$work"
  # Every other host: the same method (the image's postgresql.conf listens
  # on all interfaces).
  printf '\n# docker-entrypoint: connections from other containers and hosts\nhost all all all %s\n' \
    "$method" >>"$PGDATA/pg_hba.conf"

  # A server for the set-up only: Unix socket, no TCP, so health checks
  # (pg_isready -h 127.0.0.1) do not pass before the real start.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >&2
  export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
  psql=(psql -X -q -v ON_ERROR_STOP=1 --username="$POSTGRES_USER" --no-password)
  if [ "$POSTGRES_DB" != postgres ]; then
    found="$("${psql[@]}" --dbname=postgres -tA -v db="$POSTGRES_DB" <<<"SELECT 1 FROM pg_database WHERE datname = :'db'")"
    if [ -z "$found" ]; then
      "${psql[@]}" --dbname=postgres -v db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
    fi
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then
          say "running $f"; "$f"
        else
          say "sourcing $f"; . "$f"
        fi ;;
      *.sql) say "running $f"; "${psql[@]}" --dbname="$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) say "running $f"; gzip -dc "$f" | "${psql[@]}" --dbname="$POSTGRES_DB" ;;
      *) say "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >&2
  unset PGPASSWORD
  say "initialisation done; starting the server"
fi

exec "$@"
