#!/bin/sh
# Starts a throwaway PostgreSQL 15 for tests on 127.0.0.1 and prints the URL.
#
#   eval "$(scripts/pg.sh)"        # exports TEAMLENS_PG_URL
#   scripts/pg.sh stop             # stops it and removes the data directory
#
# Environment: PGPORT (5433), PGDATA_DIR (/tmp/teamlens-pg), PGBIN
# (/usr/lib/postgresql/15/bin). Runs the server as the postgres OS user,
# because PostgreSQL refuses to run as root.
set -eu

PGPORT=${PGPORT:-5433}
PGDATA_DIR=${PGDATA_DIR:-/tmp/teamlens-pg}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DB=teamlens
DBUSER=teamlens
DBPASS=teamlens

as_postgres() {
	if [ "$(id -un)" = postgres ]; then
		sh -c "$1"
	else
		runuser -u postgres -- sh -c "$1"
	fi
}

if [ "${1:-start}" = stop ]; then
	if [ -f "$PGDATA_DIR/postmaster.pid" ]; then
		as_postgres "$PGBIN/pg_ctl -D '$PGDATA_DIR' -m fast -w stop" >&2
	fi
	rm -rf "$PGDATA_DIR"
	exit 0
fi

if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
	mkdir -p "$PGDATA_DIR"
	chown postgres "$PGDATA_DIR"
	chmod 700 "$PGDATA_DIR"
	as_postgres "$PGBIN/initdb -D '$PGDATA_DIR' -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale" >/dev/null
fi

if ! as_postgres "$PGBIN/pg_ctl -D '$PGDATA_DIR' status" >/dev/null 2>&1; then
	# Sockets live in the data directory so nothing else on the machine is touched.
	as_postgres "$PGBIN/pg_ctl -D '$PGDATA_DIR' -l '$PGDATA_DIR/server.log' -w \
		-o \"-p $PGPORT -c listen_addresses=127.0.0.1 -k '$PGDATA_DIR' -c fsync=off -c max_connections=200\" start" >/dev/null
fi

psql() {
	as_postgres "$PGBIN/psql -h '$PGDATA_DIR' -p $PGPORT -U postgres -d postgres -v ON_ERROR_STOP=1 -qtAc \"$1\""
}
if [ -z "$(psql "SELECT 1 FROM pg_roles WHERE rolname = '$DBUSER'")" ]; then
	psql "CREATE ROLE $DBUSER LOGIN PASSWORD '$DBPASS'" >/dev/null
fi
if [ -z "$(psql "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
	psql "CREATE DATABASE $DB OWNER $DBUSER" >/dev/null
fi

echo "export TEAMLENS_PG_URL='postgres://$DBUSER:$DBPASS@127.0.0.1:$PGPORT/$DB?sslmode=disable'"
