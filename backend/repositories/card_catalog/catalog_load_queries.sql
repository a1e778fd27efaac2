-- Set-based catalog loading from per-connection staging tables (TEMP: never WAL-logged, private to
-- the loading session, emptied at each batch commit; defined in catalog_load_repository.py).

-- name: session_settings
-- A lost last batch after a server crash is simply loaded again by the next (idempotent) run,
-- so the loader's session need not wait for each commit to reach disk. Per-batch statements are
-- planned on staging tables without statistics: never pay for JIT. (The staging tables themselves
-- are defined in catalog_load_repository.py.)
SET synchronous_commit = off;
SET jit = off

-- name: drop_staging
DROP TABLE IF EXISTS pg_temp.stg_card_versions, pg_temp.stg_oracle_cards;

-- name: set_ids
SELECT code, set_id::text AS set_id FROM card_catalog.sets;

-- name: set_ids_for_codes
SELECT code, set_id::text AS set_id FROM card_catalog.sets WHERE code = ANY($1::text[]);

-- name: version_hashes
SELECT card_version_id::text AS id, content_hash, source_date
FROM card_catalog.card_versions
WHERE card_version_id = ANY($1::uuid[]);

-- name: source_hashes
SELECT card_version_id::text AS id, source_hash
FROM card_catalog.card_versions
WHERE card_version_id = ANY($1::uuid[]) AND source_hash IS NOT NULL;

-- name: oracle_hashes
SELECT oracle_id::text AS id, content_hash, source_rank
FROM card_catalog.oracle_cards
WHERE oracle_id = ANY($1::uuid[]);

-- name: insert_sets_from_cards
-- A card whose set is not known yet creates it from its own fields; /sets data is never overwritten.
INSERT INTO card_catalog.sets (set_id, code, name, set_type, origin)
SELECT set_id, code, name, set_type, 'card'
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS s(set_id, code, name, set_type)
ORDER BY code   -- concurrent writers lock rows in the same order
ON CONFLICT DO NOTHING
RETURNING code;

-- name: insert_oracle_cards
-- Insert and update are separate statements: ON CONFLICT DO UPDATE would lock existing rows FOR
-- UPDATE, which waits on the key-share locks other writers' printings hold on them.
INSERT INTO card_catalog.oracle_cards (
    oracle_id, name, layout, mana_cost, cmc, type_line, oracle_text, power, toughness, loyalty,
    defense, colors, color_identity, color_indicator, keywords, produced_mana, legalities,
    reserved, edhrec_rank, faces, content_hash, source_rank)
SELECT oracle_id, name, layout, mana_cost, cmc::numeric(12, 2), type_line, oracle_text, power,
       toughness, loyalty, defense, colors, color_identity, color_indicator, keywords,
       produced_mana, legalities::jsonb, reserved, edhrec_rank, faces::jsonb, content_hash,
       source_rank
FROM stg_oracle_cards
ORDER BY oracle_id   -- concurrent writers lock rows in the same order
ON CONFLICT (oracle_id) DO NOTHING;

-- name: update_oracle_cards
-- Only from a printing ranked at least as high as the one the stored row came from.
UPDATE card_catalog.oracle_cards o SET
    name = s.name, layout = s.layout, mana_cost = s.mana_cost, cmc = s.cmc::numeric(12, 2),
    type_line = s.type_line, oracle_text = s.oracle_text, power = s.power, toughness = s.toughness,
    loyalty = s.loyalty, defense = s.defense, colors = s.colors, color_identity = s.color_identity,
    color_indicator = s.color_indicator, keywords = s.keywords, produced_mana = s.produced_mana,
    legalities = s.legalities::jsonb, reserved = s.reserved, edhrec_rank = s.edhrec_rank,
    faces = s.faces::jsonb, content_hash = s.content_hash, source_rank = s.source_rank, updated_at = now()
FROM stg_oracle_cards s
WHERE o.oracle_id = s.oracle_id
  AND o.content_hash IS DISTINCT FROM s.content_hash
  AND (o.source_rank IS NULL OR o.source_rank <= s.source_rank);

-- name: upsert_card_versions
-- $1: when the prices were observed; $2: the day of the data (source_date); $3: force, i.e. also
-- overwrite printings stored from newer data. The set is resolved by code, so a card-created set
-- and a /sets set with another id both work.
WITH up AS (
    INSERT INTO card_catalog.card_versions AS v (
        card_version_id, oracle_id, set_id, set_code, collector_number, lang, released_at, rarity,
        finishes, games, name, printed_name, printed_type_line, printed_text, flavor_text, artist,
        artist_ids, illustration_id, border_color, frame, frame_effects, security_stamp, full_art,
        textless, promo, promo_types, reprint, variation, digital, booster, oversized, layout,
        image_status, image_uris, card_faces, multiverse_ids, mtgo_id, mtgo_foil_id, arena_id,
        tcgplayer_id, tcgplayer_etched_id, cardmarket_id, scryfall_uri, watermark, highres_image,
        story_spotlight, previewed_at, preview_source, penny_rank, price_usd, price_usd_foil,
        price_usd_etched, price_eur, price_eur_foil, price_tix, prices_updated_at, content_hash, source_hash,
        source_date)
    SELECT s.card_version_id, s.oracle_id, st.set_id, s.set_code, s.collector_number, s.lang,
           s.released_at, s.rarity, s.finishes, s.games, s.name, s.printed_name, s.printed_type_line,
           s.printed_text, s.flavor_text, s.artist, s.artist_ids, s.illustration_id, s.border_color,
           s.frame, s.frame_effects, s.security_stamp, s.full_art, s.textless, s.promo,
           s.promo_types, s.reprint, s.variation, s.digital, s.booster, s.oversized, s.layout,
           s.image_status, s.image_uris::jsonb, s.card_faces::jsonb, s.multiverse_ids, s.mtgo_id,
           s.mtgo_foil_id, s.arena_id, s.tcgplayer_id, s.tcgplayer_etched_id, s.cardmarket_id,
           s.scryfall_uri, s.watermark, s.highres_image, s.story_spotlight, s.previewed_at, s.preview_source, s.penny_rank,
           s.usd_cents / 100.0, s.usd_foil_cents / 100.0, s.usd_etched_cents / 100.0,
           s.eur_cents / 100.0, s.eur_foil_cents / 100.0, s.tix_cents / 100.0,
           CASE WHEN num_nonnulls(s.usd_cents, s.usd_foil_cents, s.usd_etched_cents, s.eur_cents,
                                  s.eur_foil_cents, s.tix_cents) > 0 THEN $1::timestamptz END,
           s.content_hash, s.source_hash, $2::date
    FROM stg_card_versions s
    JOIN card_catalog.sets st ON st.code = s.set_code
    ON CONFLICT (card_version_id) DO UPDATE SET
        oracle_id = EXCLUDED.oracle_id, set_id = EXCLUDED.set_id, set_code = EXCLUDED.set_code,
        collector_number = EXCLUDED.collector_number, lang = EXCLUDED.lang,
        released_at = EXCLUDED.released_at, rarity = EXCLUDED.rarity, finishes = EXCLUDED.finishes,
        games = EXCLUDED.games, name = EXCLUDED.name, printed_name = EXCLUDED.printed_name,
        printed_type_line = EXCLUDED.printed_type_line, printed_text = EXCLUDED.printed_text,
        flavor_text = EXCLUDED.flavor_text, artist = EXCLUDED.artist,
        artist_ids = EXCLUDED.artist_ids, illustration_id = EXCLUDED.illustration_id,
        border_color = EXCLUDED.border_color, frame = EXCLUDED.frame,
        frame_effects = EXCLUDED.frame_effects, security_stamp = EXCLUDED.security_stamp,
        full_art = EXCLUDED.full_art, textless = EXCLUDED.textless, promo = EXCLUDED.promo,
        promo_types = EXCLUDED.promo_types, reprint = EXCLUDED.reprint,
        variation = EXCLUDED.variation, digital = EXCLUDED.digital, booster = EXCLUDED.booster,
        oversized = EXCLUDED.oversized, layout = EXCLUDED.layout,
        image_status = EXCLUDED.image_status, image_uris = EXCLUDED.image_uris,
        card_faces = EXCLUDED.card_faces, multiverse_ids = EXCLUDED.multiverse_ids,
        mtgo_id = EXCLUDED.mtgo_id, mtgo_foil_id = EXCLUDED.mtgo_foil_id,
        arena_id = EXCLUDED.arena_id, tcgplayer_id = EXCLUDED.tcgplayer_id,
        tcgplayer_etched_id = EXCLUDED.tcgplayer_etched_id, cardmarket_id = EXCLUDED.cardmarket_id,
        scryfall_uri = EXCLUDED.scryfall_uri, watermark = EXCLUDED.watermark,
        highres_image = EXCLUDED.highres_image, story_spotlight = EXCLUDED.story_spotlight,
        previewed_at = EXCLUDED.previewed_at, preview_source = EXCLUDED.preview_source, penny_rank = EXCLUDED.penny_rank, price_usd = EXCLUDED.price_usd,
        price_usd_foil = EXCLUDED.price_usd_foil, price_usd_etched = EXCLUDED.price_usd_etched,
        price_eur = EXCLUDED.price_eur, price_eur_foil = EXCLUDED.price_eur_foil,
        price_tix = EXCLUDED.price_tix,
        prices_updated_at = COALESCE(EXCLUDED.prices_updated_at, v.prices_updated_at),
        content_hash = EXCLUDED.content_hash, source_hash = EXCLUDED.source_hash,
        source_date = EXCLUDED.source_date, updated_at = now()
    WHERE v.content_hash IS DISTINCT FROM EXCLUDED.content_hash
      AND (v.source_date IS NULL OR v.source_date <= EXCLUDED.source_date OR $3::boolean)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM up;

-- name: upsert_prices
-- $1 source_id, $2 observed_on, $3 run_id. One observation per (printing, finish, currency) a day.
WITH prices AS (
    SELECT s.card_version_id, p.finish, p.currency, p.cents
    FROM stg_card_versions s
    CROSS JOIN LATERAL (VALUES
        ('nonfoil', 'USD', s.usd_cents), ('foil', 'USD', s.usd_foil_cents),
        ('etched', 'USD', s.usd_etched_cents), ('nonfoil', 'EUR', s.eur_cents),
        ('foil', 'EUR', s.eur_foil_cents), ('nonfoil', 'TIX', s.tix_cents)
    ) AS p(finish, currency, cents)
    WHERE p.cents IS NOT NULL
      AND EXISTS (SELECT 1 FROM card_catalog.card_versions v WHERE v.card_version_id = s.card_version_id)
),
observed AS (
    INSERT INTO pricing.price_observations AS o
        (card_version_id, source_id, finish, condition, currency, price_type, observed_on, price_cents, run_id)
    SELECT card_version_id, $1::smallint, finish, 'NM', currency, 'market', $2::date, cents, $3::bigint FROM prices
    ON CONFLICT (card_version_id, source_id, finish, condition, currency, price_type, observed_on)
    DO UPDATE SET price_cents = EXCLUDED.price_cents, run_id = EXCLUDED.run_id
        WHERE o.price_cents IS DISTINCT FROM EXCLUDED.price_cents
    RETURNING 1
),
latest AS (
    INSERT INTO pricing.latest_prices AS l
        (card_version_id, source_id, finish, condition, currency, price_type, observed_on, price_cents)
    SELECT card_version_id, $1::smallint, finish, 'NM', currency, 'market', $2::date, cents FROM prices
    ON CONFLICT (card_version_id, source_id, finish, condition, currency, price_type)
    DO UPDATE SET price_cents = EXCLUDED.price_cents, observed_on = EXCLUDED.observed_on, updated_at = now()
        WHERE l.observed_on <= EXCLUDED.observed_on
          AND (l.price_cents IS DISTINCT FROM EXCLUDED.price_cents OR l.observed_on <> EXCLUDED.observed_on)
    RETURNING 1
)
SELECT (SELECT count(*) FROM observed) AS observations, (SELECT count(*) FROM latest) AS latest;

-- name: ensure_price_partition
SELECT pricing.ensure_observation_partitions($1::date, $1::date);

-- name: price_source_id
SELECT source_id FROM pricing.price_sources WHERE code = $1;

-- name: insert_rejects
INSERT INTO card_catalog.card_rejects (run_id, scryfall_id, reason, payload)
SELECT $1::bigint, r.scryfall_id, r.reason, r.payload::jsonb
FROM unnest($2::text[], $3::text[], $4::text[]) AS r(scryfall_id, reason, payload);

-- name: sets_with_other_id
-- Sets stored under a code that /sets now gives another id (card-created with a derived id).
SELECT s.set_id::text AS old_id, s.code, n.set_id::text AS new_id
FROM card_catalog.sets s
JOIN unnest($1::uuid[], $2::text[]) AS n(set_id, code) ON n.code = s.code
WHERE s.set_id <> n.set_id;

-- name: park_set_code
UPDATE card_catalog.sets SET code = code || '~' || set_id::text WHERE set_id = $1::uuid;

-- name: move_versions_to_set
UPDATE card_catalog.card_versions SET set_id = $2::uuid WHERE set_id = $1::uuid;

-- name: delete_set
DELETE FROM card_catalog.sets WHERE set_id = $1::uuid;

-- name: upsert_sets
WITH incoming AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[],
                         $8::text[], $9::int[], $10::int[], $11::bool[], $12::bool[], $13::bool[], $14::text[],
                         $15::text[], $16::text[], $17::int[], $18::text[])
        AS n(set_id, code, name, set_type, released_at, block_code, block, parent_set_code, card_count,
             printed_size, digital, foil_only, nonfoil_only, icon_svg_uri, mtgo_code, arena_code,
             tcgplayer_id, content_hash)
),
up AS (
    INSERT INTO card_catalog.sets AS s (set_id, code, name, set_type, released_at, block_code, block,
        parent_set_code, card_count, printed_size, digital, foil_only, nonfoil_only, icon_svg_uri,
        mtgo_code, arena_code, tcgplayer_id, origin, content_hash)
    SELECT set_id, code, name, set_type, released_at, block_code, block, parent_set_code, card_count,
           printed_size, digital, foil_only, nonfoil_only, icon_svg_uri, mtgo_code, arena_code,
           tcgplayer_id, 'scryfall_sets', content_hash
    FROM incoming
    ON CONFLICT (set_id) DO UPDATE SET
        code = EXCLUDED.code, name = EXCLUDED.name, set_type = EXCLUDED.set_type,
        released_at = EXCLUDED.released_at, block_code = EXCLUDED.block_code, block = EXCLUDED.block,
        parent_set_code = EXCLUDED.parent_set_code, card_count = EXCLUDED.card_count,
        printed_size = EXCLUDED.printed_size, digital = EXCLUDED.digital,
        foil_only = EXCLUDED.foil_only, nonfoil_only = EXCLUDED.nonfoil_only,
        icon_svg_uri = EXCLUDED.icon_svg_uri, mtgo_code = EXCLUDED.mtgo_code,
        arena_code = EXCLUDED.arena_code, tcgplayer_id = EXCLUDED.tcgplayer_id,
        origin = 'scryfall_sets', content_hash = EXCLUDED.content_hash, updated_at = now()
    WHERE s.content_hash IS DISTINCT FROM EXCLUDED.content_hash OR s.origin <> 'scryfall_sets'
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM up;

-- name: upsert_documents
-- $1 printing ids, $2 their card objects as JSON text (the Scryfall-compatible API serves them).
INSERT INTO card_catalog.card_documents (card_version_id, document)
SELECT d.id, d.document::json FROM unnest($1::uuid[], $2::text[]) AS d(id, document)
ON CONFLICT (card_version_id) DO UPDATE SET document = EXCLUDED.document, updated_at = now()

-- name: refresh_documents
-- As upsert_documents, writing only the documents that differ from the stored text (or are missing).
INSERT INTO card_catalog.card_documents AS d (card_version_id, document)
SELECT n.id, n.document::json FROM unnest($1::uuid[], $2::text[]) AS n(id, document)
ON CONFLICT (card_version_id) DO UPDATE SET document = EXCLUDED.document, updated_at = now()
WHERE d.document::text IS DISTINCT FROM EXCLUDED.document::text
