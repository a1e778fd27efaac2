-- Entries are always read per collection (entries_identity_key leads with collection_id), so these two
-- indexes only slowed writes (a 20,000-row import writes every index of every row).
DROP INDEX user_collection.entries_collection_created_idx;
DROP INDEX user_collection.entries_tags_idx;
