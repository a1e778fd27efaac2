-- Card file uploads are ops.ingestion_runs rows (pipeline 'catalog_upload') with their steps.

-- name: create_run
INSERT INTO ops.ingestion_runs (pipeline, run_key, status, triggered_by, params)
VALUES ('catalog_upload', $1, 'pending', $2, $3::jsonb)
RETURNING id

-- name: get_run
SELECT id AS run_id, pipeline, status, counts, error, params, created_at, started_at, finished_at
FROM ops.ingestion_runs WHERE id = $1 AND pipeline = 'catalog_upload'

-- name: run_steps
SELECT name, status, counts, error, started_at, finished_at
FROM ops.ingestion_steps WHERE run_id = $1 ORDER BY started_at, id

-- name: claim_run
-- pending -> running; returns nothing when another worker already finished it.
UPDATE ops.ingestion_runs
SET status = 'running', started_at = COALESCE(started_at, now()), heartbeat_at = now()
WHERE id = $1 AND pipeline = 'catalog_upload' AND status IN ('pending', 'running')
RETURNING params

-- name: start_step
INSERT INTO ops.ingestion_steps (run_id, name, status) VALUES ($1, $2, 'running')
ON CONFLICT (run_id, name) DO UPDATE SET status = 'running', started_at = now(), finished_at = NULL, error = NULL

-- name: record_progress
UPDATE ops.ingestion_runs SET counts = $2::jsonb, heartbeat_at = now() WHERE id = $1

-- name: finish_step
UPDATE ops.ingestion_steps SET status = $3, counts = $4::jsonb, error = $5, finished_at = now()
WHERE run_id = $1 AND name = $2

-- name: finish_run
UPDATE ops.ingestion_runs SET status = $2, counts = $3::jsonb, error = $4, finished_at = now(), heartbeat_at = now()
WHERE id = $1
