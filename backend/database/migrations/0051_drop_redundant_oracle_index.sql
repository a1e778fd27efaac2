-- card_versions_preferred_idx leads with oracle_id, so it already serves every lookup (and the
-- foreign-key checks of oracle_cards) that card_versions_oracle_idx did; one index fewer for each
-- printing a load writes.
DROP INDEX card_catalog.card_versions_oracle_idx;
