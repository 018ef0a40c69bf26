#!/bin/sh
# At the first start, a cluster whose superuser $POSTGRES_USER has the password $POSTGRES_PASSWORD
# (scram-sha-256 over TCP) and a database $POSTGRES_DB; at every start, the server in the
# foreground on every address.
set -eu
bin=/usr/lib/postgresql/15/bin
user=${POSTGRES_USER:-snapdepot}
database=${POSTGRES_DB:-snapdepot}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    password=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$password"
    "$bin/initdb" -D "$PGDATA" -U "$user" --pwfile="$password" --auth-local=trust --auth-host=scram-sha-256 \
        > /dev/null
    rm -f "$password"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    "$bin/pg_ctl" -D "$PGDATA" -o "-c listen_addresses='' -k /tmp" -w start > /dev/null
    psql -h /tmp -U "$user" -d postgres -q -c "CREATE DATABASE \"$database\""
    "$bin/pg_ctl" -D "$PGDATA" -w stop > /dev/null
fi
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp -c max_connections=200
