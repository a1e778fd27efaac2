-- Runs, steps and downloaded resources of ingestion pipelines (ops schema).

-- name: create_run
INSERT INTO ops.ingestion_runs (pipeline, run_key, status, triggered_by, params, started_at, heartbeat_at)
VALUES ($1, $2, $3, $4, $5::text::jsonb,
        CASE WHEN $3 = 'running' THEN now() END, CASE WHEN $3 = 'running' THEN now() END)
RETURNING id;

-- name: get_run
SELECT id, pipeline, run_key, status, triggered_by, params::text AS params, counts::text AS counts, error,
       created_at, started_at, heartbeat_at, finished_at
FROM ops.ingestion_runs WHERE id = $1;

-- name: get_run_for_update
SELECT id, pipeline, run_key, status, params::text AS params FROM ops.ingestion_runs WHERE id = $1 FOR UPDATE;

-- name: list_runs
-- Paged by the repository kit, newest first.
SELECT id, pipeline, run_key, status, triggered_by, params::text AS params, counts::text AS counts, error,
       created_at, started_at, heartbeat_at, finished_at
FROM ops.ingestion_runs
WHERE pipeline = ANY($1::text[]) AND ($2::text IS NULL OR status = $2)

-- name: active_runs
SELECT id, status, heartbeat_at, created_at,
       coalesce(heartbeat_at, started_at, created_at) < now() - make_interval(secs => $2) AS stale
FROM ops.ingestion_runs
WHERE pipeline = $1 AND status IN ('pending', 'running')
ORDER BY id;

-- name: mark_running
UPDATE ops.ingestion_runs
SET status = 'running', started_at = coalesce(started_at, now()), heartbeat_at = now(), error = NULL
WHERE id = $1 AND status IN ('pending', 'running');

-- name: heartbeat
UPDATE ops.ingestion_runs SET heartbeat_at = now(), counts = counts || $2::text::jsonb WHERE id = $1;

-- name: finish_run
UPDATE ops.ingestion_runs
SET status = $2, counts = counts || $3::text::jsonb, error = $4, finished_at = now(), heartbeat_at = now()
WHERE id = $1;

-- name: fail_abandoned_steps
UPDATE ops.ingestion_steps SET status = 'failed', error = $2, finished_at = now()
WHERE run_id = $1 AND status = 'running';

-- name: start_step
INSERT INTO ops.ingestion_steps (run_id, name, status)
VALUES ($1, $2, 'running')
ON CONFLICT (run_id, name) DO UPDATE SET status = 'running', error = NULL, started_at = now(), finished_at = NULL
RETURNING id;

-- name: step_progress
UPDATE ops.ingestion_steps SET counts = $3::text::jsonb WHERE run_id = $1 AND name = $2;

-- name: finish_step
UPDATE ops.ingestion_steps SET status = $3, counts = $4::text::jsonb, error = $5, finished_at = now()
WHERE run_id = $1 AND name = $2;

-- name: list_steps
SELECT id, name, status, counts::text AS counts, error, started_at, finished_at,
       extract(epoch FROM (coalesce(finished_at, now()) - started_at)) AS duration_seconds
FROM ops.ingestion_steps WHERE run_id = $1 ORDER BY started_at, id;

-- name: record_resource
INSERT INTO ops.resources (source, resource_type, uri, version, updated_at, size_bytes, etag, last_modified,
                           sha256, local_path, run_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
RETURNING id;

-- name: latest_resource
SELECT id, source, resource_type, uri, version, updated_at, size_bytes, etag, last_modified, sha256,
       local_path, run_id, fetched_at
FROM ops.resources
WHERE source = $1 AND resource_type = $2 AND ($3::text IS NULL OR version = $3) AND sha256 IS NOT NULL
ORDER BY fetched_at DESC, id DESC
LIMIT 1;

-- name: run_resources
SELECT id, source, resource_type, uri, version, updated_at, size_bytes, etag, last_modified, sha256,
       local_path, fetched_at
FROM ops.resources WHERE run_id = $1 ORDER BY id;

-- name: succeeded_run_with_sha
-- A finished load of exactly this file content (so a re-run can be skipped).
SELECT r.id FROM ops.ingestion_runs r
WHERE r.pipeline = $1 AND r.status = 'succeeded' AND r.counts ->> 'file_sha256' = $2
ORDER BY r.id DESC LIMIT 1;

-- name: try_lock
SELECT pg_try_advisory_lock(hashtextextended($1, 0));

-- name: lock
SELECT pg_advisory_lock(hashtextextended($1, 0));

-- name: unlock
SELECT pg_advisory_unlock(hashtextextended($1, 0));

-- name: xact_lock
SELECT pg_advisory_xact_lock(hashtextextended($1, 0));

-- name: fail_if_unfinished
-- A run that never got going (e.g. its task could not be queued, or it failed before its first step).
UPDATE ops.ingestion_runs SET status = 'failed', error = $2, finished_at = now()
WHERE id = $1 AND status IN ('pending', 'running')

-- name: active_runs_of
-- Pending/running runs of these pipelines, with who started them and their parameters.
SELECT id, pipeline, status, triggered_by, params::text AS params, created_at
FROM ops.ingestion_runs
WHERE pipeline = ANY($1::text[]) AND status IN ('pending', 'running')
ORDER BY id
