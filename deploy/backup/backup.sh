#!/bin/sh
# Dump the database in custom format, check the dump is readable, keep BACKUP_RETENTION_DAYS of them.
# Env: DATABASE_URL (required), BACKUP_DIR (default /backups), BACKUP_RETENTION_DAYS (default 14).
set -eu
: "${DATABASE_URL:?DATABASE_URL is required}"
BACKUP_DIR="${BACKUP_DIR:-/backups}"
RETENTION_DAYS="${BACKUP_RETENTION_DAYS:-14}"
mkdir -p "$BACKUP_DIR"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$BACKUP_DIR/automana-$stamp.dump"
partial="$target.partial"

pg_dump --format=custom --no-owner --no-privileges --file="$partial" "$DATABASE_URL"
# A dump that pg_restore cannot list is not a backup.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$target"
echo "backup written: $target ($(wc -c <"$target") bytes)"

find "$BACKUP_DIR" -name 'automana-*.dump' -type f -mtime +"$RETENTION_DAYS" -print -delete
find "$BACKUP_DIR" -name 'automana-*.dump.partial' -type f -mmin +120 -delete
