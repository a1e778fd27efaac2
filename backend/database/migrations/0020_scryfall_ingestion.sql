-- Scryfall ingestion: which printing an oracle row was taken from (so the choice does not depend on
-- file order), one active run per Scryfall pipeline, and lookups used by the loader and run views.

-- Rank of the printing the oracle row was built from ("1|2024-02-09|<id>": English first, then the
-- newest release). A lower-ranked printing never overwrites a higher one, so re-loads write nothing.
ALTER TABLE card_catalog.oracle_cards ADD COLUMN IF NOT EXISTS source_rank TEXT;

-- Hash of the card's bytes in the bulk file it was last written from: a re-load skips an
-- unchanged line without parsing it. content_hash (of the normalised row) decides writes.
ALTER TABLE card_catalog.card_versions ADD COLUMN IF NOT EXISTS source_hash TEXT;

-- At most one pending/running run of the scheduled Scryfall pipeline (backstop to the advisory lock).
CREATE UNIQUE INDEX IF NOT EXISTS ingestion_runs_scryfall_one_active_idx
    ON ops.ingestion_runs (pipeline)
    WHERE status IN ('pending', 'running') AND pipeline = 'scryfall_bulk';

CREATE INDEX IF NOT EXISTS ingestion_runs_run_key_idx ON ops.ingestion_runs (pipeline, run_key, created_at DESC);
CREATE INDEX IF NOT EXISTS ingestion_steps_run_idx ON ops.ingestion_steps (run_id, started_at);
CREATE INDEX IF NOT EXISTS card_rejects_scryfall_id_idx ON card_catalog.card_rejects (scryfall_id);
CREATE INDEX IF NOT EXISTS resources_run_idx ON ops.resources (run_id);
