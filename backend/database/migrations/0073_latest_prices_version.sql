-- A counter of changes to pricing.latest_prices. Every writer that changes current prices bumps it as
-- the last step of the same transaction, so whatever is cached from current prices (a collection's
-- value) can tell with one row read whether prices moved since it was computed, without a trigger on
-- the price tables (bulk loads write millions of rows there).
CREATE TABLE pricing.latest_prices_version (
    only_row  BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row),
    version   BIGINT  NOT NULL DEFAULT 0
);
INSERT INTO pricing.latest_prices_version DEFAULT VALUES;

-- Deleting printings deletes their prices: that is a change of current prices too.
CREATE OR REPLACE FUNCTION pricing.forget_deleted_printings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM pricing.price_observations o USING gone g WHERE o.card_version_id = g.card_version_id;
    DELETE FROM pricing.latest_prices l USING gone g WHERE l.card_version_id = g.card_version_id;
    IF FOUND THEN
        UPDATE pricing.latest_prices_version SET version = version + 1;
    END IF;
    RETURN NULL;
END
$$;
