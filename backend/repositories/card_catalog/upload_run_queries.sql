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

-- name: fail_if_unfinished
UPDATE ops.ingestion_runs SET status = 'failed', error = $2, finished_at = now()
WHERE id = $1 AND status IN ('pending', 'running')
