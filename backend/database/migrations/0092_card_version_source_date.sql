-- The day of the data a printing was last written from (the bulk file's updated_at, else the load's
-- price date). A load of an older file skips printings stored from newer data unless forced, so a
-- 2019 dump loaded after a 2026 one cannot revert prices or image hosts. Existing rows take the
-- day of their prices, else of their last write.
ALTER TABLE card_catalog.card_versions ADD COLUMN IF NOT EXISTS source_date DATE;
UPDATE card_catalog.card_versions
SET source_date = COALESCE(prices_updated_at, updated_at)::date
WHERE source_date IS NULL;
