-- Bulk files generated from the catalog: one current file per type.

-- name: entry_columns_fragment
bulk_type, bulk_id, file_name, size, compressed_size, record_count, updated_at

-- name: entries
SELECT {entry_columns} FROM card_catalog.bulk_files ORDER BY bulk_type

-- name: entry_by_type
SELECT {entry_columns} FROM card_catalog.bulk_files WHERE bulk_type = $1

-- name: entry_by_id
SELECT {entry_columns} FROM card_catalog.bulk_files WHERE bulk_id = $1

-- name: entry_by_file
SELECT {entry_columns} FROM card_catalog.bulk_files WHERE file_name = $1

-- name: save_entry
-- Returns the file the entry named before (to be removed once no download can still want it).
WITH previous AS (SELECT file_name FROM card_catalog.bulk_files WHERE bulk_type = $1)
INSERT INTO card_catalog.bulk_files AS b (bulk_type, bulk_id, file_name, size, compressed_size, record_count,
                                          updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (bulk_type) DO UPDATE SET file_name = EXCLUDED.file_name, size = EXCLUDED.size,
    compressed_size = EXCLUDED.compressed_size, record_count = EXCLUDED.record_count,
    updated_at = EXCLUDED.updated_at
RETURNING (SELECT file_name FROM previous)

-- name: try_lock
-- One generation at a time (a session lock: held across the generation's own transactions).
SELECT pg_try_advisory_lock(hashtext('automana.scryfall_compat.bulk_data'))

-- name: unlock
SELECT pg_advisory_unlock(hashtext('automana.scryfall_compat.bulk_data'))
