# Scheduled pg_dump with retention. Same major version as the database server.
FROM postgres:15-alpine
COPY deploy/backup/backup.sh deploy/backup/restore.sh /usr/local/bin/
RUN chmod +x /usr/local/bin/backup.sh /usr/local/bin/restore.sh
# BACKUP_SCHEDULE is a crontab expression (default: daily at 02:30 UTC).
CMD ["sh", "-c", "echo \"${BACKUP_SCHEDULE:-30 2 * * *} /usr/local/bin/backup.sh >> /proc/1/fd/1 2>&1\" | crontab - && crond -f -l 8"]
HEALTHCHECK --interval=60s --timeout=10s --retries=3 CMD pg_isready -d "$DATABASE_URL"
