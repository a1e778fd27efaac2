-- The Scryfall-compatible API (/scryfall): each printing's whole Scryfall card object as loaded (so
-- answers carry every field of the source, byte for byte), rulings by oracle card, and the bulk files
-- AutoMana generates from its own catalog.

-- The card object of a printing, written by the loader in the same transaction as the printing.
-- JSON (not JSONB): the text is kept as loaded (key order included) and served without re-encoding.
-- API URIs are stored as the source had them (https://api.scryfall.com/...) and rewritten to this
-- server's base when served.
CREATE TABLE card_catalog.card_documents (
    card_version_id  UUID        PRIMARY KEY REFERENCES card_catalog.card_versions (card_version_id) ON DELETE CASCADE,
    document         JSON        NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Printings loaded before documents were kept: the next load of their file re-reads every line
-- (the line hash no longer matches), which writes their documents. Until then the API builds the
-- object from the catalog's columns.
UPDATE card_catalog.card_versions SET source_hash = NULL WHERE source_hash IS NOT NULL;

-- Rulings (Scryfall's ruling objects) by oracle card: from Scryfall's rulings file or MTGJSON.
CREATE TABLE card_catalog.rulings (
    oracle_id     UUID        NOT NULL,
    source        TEXT        NOT NULL DEFAULT 'wotc',
    published_at  DATE        NOT NULL,
    comment       TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- One row per distinct ruling; md5 keeps the key small (comments can be long).
CREATE UNIQUE INDEX rulings_identity_idx ON card_catalog.rulings (oracle_id, source, published_at, md5(comment));

-- Bulk files generated from the catalog (one current file per type), served by /scryfall/bulk-data.
CREATE TABLE card_catalog.bulk_files (
    bulk_type        TEXT        PRIMARY KEY,
    bulk_id          UUID        NOT NULL UNIQUE,
    file_name        TEXT        NOT NULL,
    size             BIGINT      NOT NULL,   -- bytes of the JSON text
    compressed_size  BIGINT      NOT NULL,   -- bytes of the gzip file on disk
    record_count     INTEGER     NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
