-- MTGJSON identifier links: COPY into session staging, then one upsert that changes only what changed.

-- name: create_staging
CREATE TEMP TABLE IF NOT EXISTS stg_mtgjson_links (
    scryfall_id UUID, set_code TEXT, collector_number TEXT, name TEXT, is_token BOOLEAN, mtgjson_uuid UUID,
    tcgplayer_product_id INTEGER, tcgplayer_etched_product_id INTEGER, mcm_id INTEGER, card_kingdom_id INTEGER,
    card_kingdom_foil_id INTEGER, finishes TEXT[]
) ON COMMIT DELETE ROWS;

-- name: upsert_links
WITH incoming AS (
    SELECT DISTINCT ON (scryfall_id) * FROM stg_mtgjson_links ORDER BY scryfall_id, set_code
), up AS (
    INSERT INTO pricing.mtgjson_links AS l
        (scryfall_id, set_code, collector_number, name, is_token, mtgjson_uuid, tcgplayer_product_id,
         tcgplayer_etched_product_id, mcm_id, card_kingdom_id, card_kingdom_foil_id, finishes)
    SELECT scryfall_id, set_code, collector_number, name, is_token, mtgjson_uuid, tcgplayer_product_id,
           tcgplayer_etched_product_id, mcm_id, card_kingdom_id, card_kingdom_foil_id, finishes
    FROM incoming
    ON CONFLICT (scryfall_id) DO UPDATE SET
        set_code = EXCLUDED.set_code, collector_number = EXCLUDED.collector_number, name = EXCLUDED.name,
        is_token = EXCLUDED.is_token, mtgjson_uuid = EXCLUDED.mtgjson_uuid,
        tcgplayer_product_id = EXCLUDED.tcgplayer_product_id,
        tcgplayer_etched_product_id = EXCLUDED.tcgplayer_etched_product_id, mcm_id = EXCLUDED.mcm_id,
        card_kingdom_id = EXCLUDED.card_kingdom_id, card_kingdom_foil_id = EXCLUDED.card_kingdom_foil_id,
        finishes = EXCLUDED.finishes, loaded_at = now()
    WHERE (l.set_code, l.collector_number, l.name, l.is_token, l.mtgjson_uuid, l.tcgplayer_product_id,
           l.tcgplayer_etched_product_id, l.mcm_id, l.card_kingdom_id, l.card_kingdom_foil_id, l.finishes)
          IS DISTINCT FROM
          (EXCLUDED.set_code, EXCLUDED.collector_number, EXCLUDED.name, EXCLUDED.is_token, EXCLUDED.mtgjson_uuid,
           EXCLUDED.tcgplayer_product_id, EXCLUDED.tcgplayer_etched_product_id, EXCLUDED.mcm_id,
           EXCLUDED.card_kingdom_id, EXCLUDED.card_kingdom_foil_id, EXCLUDED.finishes)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated,
       (SELECT count(*)::int FROM incoming) AS seen
FROM up;

-- name: link_counts
SELECT count(*)::int AS links,
       count(*) FILTER (WHERE tcgplayer_product_id IS NOT NULL)::int AS with_tcgplayer,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM card_catalog.card_versions v
                                      WHERE v.card_version_id = l.scryfall_id))::int AS in_catalog
FROM pricing.mtgjson_links l;
