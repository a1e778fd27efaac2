-- Bulk writes to the price store without per-row foreign-key checks (docs/prices.md).
--
-- Measured on the 2.16M-listing load (360k observations): the row-level RI triggers of
-- price_observations and latest_prices (card_version_id -> card_versions, source_id ->
-- price_sources) took more time than the inserts themselves; each one runs a query and locks the
-- referenced row (the one price_sources row 360k times). Every loader resolves printings through
-- card_versions in the same transaction and looks sources up by code, so the checks only ever
-- confirmed what was already known. What the foreign keys also gave is kept by statement-level
-- triggers: deleting printings deletes their prices (as ON DELETE CASCADE did), and a source that
-- still has prices cannot be deleted.

DO $$
DECLARE
    fk RECORD;
BEGIN
    FOR fk IN
        SELECT conrelid::regclass AS tbl, conname
        FROM pg_constraint
        WHERE contype = 'f' AND conparentid = 0
          AND conrelid IN ('pricing.price_observations'::regclass, 'pricing.latest_prices'::regclass)
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
    END LOOP;
END
$$;

CREATE FUNCTION pricing.forget_deleted_printings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM pricing.price_observations o USING gone g WHERE o.card_version_id = g.card_version_id;
    DELETE FROM pricing.latest_prices l USING gone g WHERE l.card_version_id = g.card_version_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER card_versions_forget_prices
    AFTER DELETE ON card_catalog.card_versions
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION pricing.forget_deleted_printings();

CREATE FUNCTION pricing.keep_sources_with_prices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pricing.latest_prices l JOIN gone g USING (source_id))
       OR EXISTS (SELECT 1 FROM pricing.price_observations o JOIN gone g USING (source_id)) THEN
        RAISE EXCEPTION 'a price source that has prices cannot be deleted' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER price_sources_keep_used
    AFTER DELETE ON pricing.price_sources
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION pricing.keep_sources_with_prices();
