-- The identifiers Scryfall gives a printing (TCGplayer, Cardmarket, MTGO, Arena, multiverse) are
-- columns of card_versions, indexed there. Copying them into external_identifiers as well stored
-- each fact twice and cost the bulk load about a quarter of its time, so the table now keeps only
-- links other resolvers make (MTGStocks, eBay, Shopify, ...), and `external_id_map` presents both
-- as the one map the design describes: (source, external id) -> printing, in resolution order.

DELETE FROM card_catalog.external_identifiers WHERE resolved_by = 'scryfall_bulk';

CREATE INDEX card_versions_tcgplayer_etched_idx ON card_catalog.card_versions (tcgplayer_etched_id)
    WHERE tcgplayer_etched_id IS NOT NULL;

CREATE VIEW card_catalog.external_id_map AS
SELECT e.source, e.external_id, e.card_version_id, e.finish, e.priority, e.resolved_by
FROM card_catalog.external_identifiers e
UNION ALL
SELECT x.source, x.external_id, v.card_version_id, x.finish, 10::smallint, 'scryfall'
FROM card_catalog.card_versions v
CROSS JOIN LATERAL (VALUES
    ('scryfall', v.card_version_id::text, NULL::text),
    ('tcgplayer', v.tcgplayer_id::text, NULL),
    ('tcgplayer_etched', v.tcgplayer_etched_id::text, 'etched'),
    ('cardmarket', v.cardmarket_id::text, NULL),
    ('mtgo', v.mtgo_id::text, 'nonfoil'),
    ('mtgo', v.mtgo_foil_id::text, 'foil'),
    ('arena', v.arena_id::text, NULL)
) AS x(source, external_id, finish)
WHERE x.external_id IS NOT NULL
UNION ALL
SELECT 'multiverse', m::text, v.card_version_id, NULL, 10::smallint, 'scryfall'
FROM card_catalog.card_versions v, unnest(v.multiverse_ids) AS m;

-- Point lookup through the indexes (the view suits set-based joins; a filter on its text
-- external_id cannot use the integer columns' indexes). Best match first.
CREATE FUNCTION card_catalog.resolve_external_id(p_source TEXT, p_external_id TEXT)
RETURNS TABLE (card_version_id UUID, finish TEXT, priority SMALLINT, resolved_by TEXT)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    -- Conversions happen here, guarded, so a malformed id finds nothing instead of raising.
    num INTEGER;
    printing UUID;
BEGIN
    IF p_external_id ~ '^[0-9]{1,10}$' AND length(ltrim(p_external_id, '0')) <= 10 THEN
        IF p_external_id::bigint <= 2147483647 THEN
            num := p_external_id::integer;
        END IF;
    END IF;
    IF p_source = 'scryfall'
       AND p_external_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        printing := p_external_id::uuid;
    END IF;
    RETURN QUERY
    SELECT c.card_version_id, c.finish, c.priority, c.resolved_by FROM (
        SELECT e.card_version_id, e.finish, e.priority, e.resolved_by
            FROM card_catalog.external_identifiers e
            WHERE e.source = p_source AND e.external_id = p_external_id
        UNION ALL SELECT v.card_version_id, NULL, 10::smallint, 'scryfall'
            FROM card_catalog.card_versions v WHERE v.card_version_id = printing
        UNION ALL SELECT v.card_version_id, NULL, 10::smallint, 'scryfall'
            FROM card_catalog.card_versions v WHERE p_source = 'tcgplayer' AND v.tcgplayer_id = num
        UNION ALL SELECT v.card_version_id, 'etched', 10::smallint, 'scryfall'
            FROM card_catalog.card_versions v WHERE p_source = 'tcgplayer_etched' AND v.tcgplayer_etched_id = num
        UNION ALL SELECT v.card_version_id, NULL, 10::smallint, 'scryfall'
            FROM card_catalog.card_versions v WHERE p_source = 'cardmarket' AND v.cardmarket_id = num
        UNION ALL SELECT v.card_version_id, 'nonfoil', 10::smallint, 'scryfall'
            FROM card_catalog.card_versions v WHERE p_source = 'mtgo' AND v.mtgo_id = num
        UNION ALL SELECT v.card_version_id, 'foil', 10::smallint, 'scryfall'
            FROM card_catalog.card_versions v WHERE p_source = 'mtgo' AND v.mtgo_foil_id = num
        UNION ALL SELECT v.card_version_id, NULL, 10::smallint, 'scryfall'
            FROM card_catalog.card_versions v WHERE p_source = 'arena' AND v.arena_id = num
        UNION ALL SELECT v.card_version_id, NULL, 10::smallint, 'scryfall'
            FROM card_catalog.card_versions v WHERE p_source = 'multiverse' AND v.multiverse_ids @> ARRAY[num]
    ) AS c
    ORDER BY c.priority, c.card_version_id;
END
$$;
