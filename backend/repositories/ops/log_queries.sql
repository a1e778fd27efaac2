-- name: search_logs
-- $1 start, $2 end, $3 level list, $4 task_name, $5 service_type, $6 username, $7 status,
-- $8 search text. NULL parameters do not filter. Paged by the repository kit, newest first (the
-- total counts the rows matching every filter, within the time window).
SELECT id, created_at, level, logger, message, service_type, request_id, task_id, task_name,
       username, status, context
FROM ops.log_records
WHERE created_at >= $1
  AND created_at <  $2
  AND ($3::text[] IS NULL OR level = ANY($3::text[]))
  AND ($4::text IS NULL OR task_name = $4)
  AND ($5::text IS NULL OR service_type = $5)
  AND ($6::text IS NULL OR username = $6)
  AND ($7::text IS NULL OR status = $7)
  AND ($8::text IS NULL OR message ILIKE '%' || $8 || '%')

-- name: delete_older_than
DELETE FROM ops.log_records WHERE created_at < $1;

-- name: insert_log_record
-- Run by the log writer thread through psycopg2 (named %(...)s parameters), one row per record.
INSERT INTO ops.log_records (level, logger, message, service_type, request_id, task_id, task_name,
                             username, status, context)
VALUES (%(level)s, %(logger)s, %(message)s, %(service_type)s, %(request_id)s, %(task_id)s, %(task_name)s,
        %(username)s, %(status)s, %(context)s::jsonb)
