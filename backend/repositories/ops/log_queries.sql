-- name: search_logs
-- $1 start, $2 end, $3 level list, $4 task_name, $5 service_type, $6 username, $7 status,
-- $8 search text, $9 limit, $10 offset. NULL parameters do not filter.
SELECT id, created_at, level, logger, message, service_type, request_id, task_id, task_name,
       username, status, context, count(*) OVER () AS total_count
FROM ops.log_records
WHERE created_at >= $1
  AND created_at <  $2
  AND ($3::text[] IS NULL OR level = ANY($3::text[]))
  AND ($4::text IS NULL OR task_name = $4)
  AND ($5::text IS NULL OR service_type = $5)
  AND ($6::text IS NULL OR username = $6)
  AND ($7::text IS NULL OR status = $7)
  AND ($8::text IS NULL OR message ILIKE '%' || $8 || '%')
ORDER BY created_at DESC, id DESC
LIMIT $9 OFFSET $10;

-- name: delete_older_than
DELETE FROM ops.log_records WHERE created_at < $1;
