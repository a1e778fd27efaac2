-- Foundation: one schema per domain, and the ops schema (runs, steps, resources, logs).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE SCHEMA IF NOT EXISTS card_catalog;
CREATE SCHEMA IF NOT EXISTS pricing;
CREATE SCHEMA IF NOT EXISTS user_management;
CREATE SCHEMA IF NOT EXISTS user_collection;
CREATE SCHEMA IF NOT EXISTS app_integration;
CREATE SCHEMA IF NOT EXISTS ops;

-- One row per pipeline run (Scryfall ingestion, MTGStocks load, uploads...).
CREATE TABLE ops.ingestion_runs (
    id            BIGSERIAL PRIMARY KEY,
    pipeline      TEXT        NOT NULL,
    run_key       TEXT        NOT NULL,
    status        TEXT        NOT NULL DEFAULT 'running'
                  CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped')),
    triggered_by  TEXT,
    params        JSONB       NOT NULL DEFAULT '{}'::jsonb,
    counts        JSONB       NOT NULL DEFAULT '{}'::jsonb,
    error         TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at    TIMESTAMPTZ,
    heartbeat_at  TIMESTAMPTZ,
    finished_at   TIMESTAMPTZ
);
CREATE INDEX ingestion_runs_pipeline_created_idx ON ops.ingestion_runs (pipeline, created_at DESC);
CREATE INDEX ingestion_runs_status_idx ON ops.ingestion_runs (status) WHERE status IN ('pending', 'running');

CREATE TABLE ops.ingestion_steps (
    id           BIGSERIAL PRIMARY KEY,
    run_id       BIGINT      NOT NULL REFERENCES ops.ingestion_runs (id) ON DELETE CASCADE,
    name         TEXT        NOT NULL,
    status       TEXT        NOT NULL DEFAULT 'running'
                 CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
    counts       JSONB       NOT NULL DEFAULT '{}'::jsonb,
    error        TEXT,
    started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at  TIMESTAMPTZ,
    UNIQUE (run_id, name)
);

-- Remote resources we downloaded, so unchanged ones are skipped and every load is traceable.
CREATE TABLE ops.resources (
    id             BIGSERIAL PRIMARY KEY,
    source         TEXT        NOT NULL,
    resource_type  TEXT        NOT NULL,
    uri            TEXT        NOT NULL,
    version        TEXT,
    updated_at     TIMESTAMPTZ,
    size_bytes     BIGINT,
    etag           TEXT,
    last_modified  TEXT,
    sha256         TEXT,
    local_path     TEXT,
    run_id         BIGINT REFERENCES ops.ingestion_runs (id) ON DELETE SET NULL,
    fetched_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX resources_source_type_idx ON ops.resources (source, resource_type, fetched_at DESC);

-- WARNING+ log records from API and workers, plus pipeline events; served by /api/logs.
CREATE TABLE ops.log_records (
    id            BIGSERIAL PRIMARY KEY,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    level         TEXT        NOT NULL,
    logger        TEXT        NOT NULL,
    message       TEXT        NOT NULL,
    service_type  TEXT        NOT NULL,   -- api | worker | pipeline | cli
    request_id    TEXT,
    task_id       TEXT,
    task_name     TEXT,
    username      TEXT,
    status        TEXT,
    context       JSONB       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX log_records_created_idx ON ops.log_records (created_at DESC);
CREATE INDEX log_records_level_created_idx ON ops.log_records (level, created_at DESC);
CREATE INDEX log_records_task_name_idx ON ops.log_records (task_name, created_at DESC) WHERE task_name IS NOT NULL;
CREATE INDEX log_records_message_trgm_idx ON ops.log_records USING gin (message gin_trgm_ops);
