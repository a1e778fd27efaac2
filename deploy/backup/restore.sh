#!/bin/sh
# Restore a dump made by backup.sh into the database named by DATABASE_URL (objects are replaced).
# Usage: DATABASE_URL=postgresql://... restore.sh /backups/automana-20260101T023000Z.dump
set -eu
: "${DATABASE_URL:?DATABASE_URL is required}"
dump="${1:?usage: restore.sh DUMP_FILE}"
[ -r "$dump" ] || { echo "cannot read $dump" >&2; exit 2; }
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
    --dbname="$DATABASE_URL" "$dump"
echo "restored $dump"
