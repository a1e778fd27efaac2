-- MTGStocks: raw answers staged per print, resolution candidates from the catalog, rejects.

-- name: stage_print
-- $1 print id, $2 details JSON (NULL: 404), $3 prices JSON, $4 run.
INSERT INTO pricing.mtgstock_prints AS p (print_id, details, prices, fetched_at, run_id)
VALUES ($1, $2::text::jsonb, $3::text::jsonb, now(), $4)
ON CONFLICT (print_id) DO UPDATE
    SET details = EXCLUDED.details, prices = EXCLUDED.prices, fetched_at = now(), run_id = EXCLUDED.run_id;

-- name: fresh_print_ids
-- Prints of $1 fetched less than $2 seconds ago: a resumed run does not ask for them again.
SELECT print_id FROM pricing.mtgstock_prints
WHERE print_id = ANY($1::int[]) AND fetched_at > now() - make_interval(secs => $2);

-- name: staged_print
SELECT print_id, details::text AS details, prices::text AS prices FROM pricing.mtgstock_prints WHERE print_id = $1;

-- name: mark_resolved
UPDATE pricing.mtgstock_prints
SET card_version_id = $2, finish = $3, resolved_by = $4, loaded_points = $5, loaded_at = now()
WHERE print_id = $1;

-- name: mark_unresolved
UPDATE pricing.mtgstock_prints SET card_version_id = NULL, finish = NULL, resolved_by = NULL WHERE print_id = $1;

-- name: upsert_reject
INSERT INTO pricing.mtgstock_rejects AS r (print_id, reason, detail, candidates, run_id)
VALUES ($1, $2, $3, $4::uuid[], $5)
ON CONFLICT (print_id) DO UPDATE
    SET reason = EXCLUDED.reason, detail = EXCLUDED.detail, candidates = EXCLUDED.candidates,
        run_id = EXCLUDED.run_id, attempts = r.attempts + 1, last_tried_at = now();

-- name: delete_reject
DELETE FROM pricing.mtgstock_rejects WHERE print_id = $1;

-- name: retryable_rejects
-- Rejects worth resolving again after a catalog load (not the ones MTGStocks itself answered badly).
SELECT r.print_id FROM pricing.mtgstock_rejects r
JOIN pricing.mtgstock_prints p USING (print_id)
WHERE r.reason IN ('unresolved', 'ambiguous') AND p.details IS NOT NULL
ORDER BY r.print_id
LIMIT $1;

-- name: reject_counts
SELECT reason, count(*)::int AS prints FROM pricing.mtgstock_rejects GROUP BY reason ORDER BY reason;

-- name: list_rejects
SELECT print_id, reason, detail, candidates, run_id, attempts, first_seen_at, last_tried_at
FROM pricing.mtgstock_rejects
WHERE ($1::text IS NULL OR reason = $1);

-- name: candidate_fragment
SELECT v.card_version_id, v.name, v.set_code, v.collector_number, v.lang, v.finishes, v.border_color, v.frame,
       v.frame_effects, v.full_art, v.promo_types, v.layout, v.tcgplayer_etched_id
FROM card_catalog.card_versions v

-- name: by_scryfall_id
{candidate} WHERE v.card_version_id = $1;

-- name: by_tcgplayer_id
-- The catalog's own TCGplayer ids, then MTGJSON's links (which also know etched product ids).
{candidate} WHERE v.tcgplayer_id = $1 OR v.tcgplayer_etched_id = $1
UNION
{candidate} JOIN pricing.mtgjson_links m ON m.scryfall_id = v.card_version_id
WHERE m.tcgplayer_product_id = $1 OR m.tcgplayer_etched_product_id = $1;

-- name: by_cardmarket_id
{candidate} WHERE v.cardmarket_id = $1
UNION
{candidate} JOIN pricing.mtgjson_links m ON m.scryfall_id = v.card_version_id WHERE m.mcm_id = $1;

-- name: by_multiverse_id
{candidate} WHERE v.multiverse_ids @> ARRAY[$1::int];

-- name: by_set_number
-- $1 set codes (case-insensitive; token and art-series sets included by the caller), $2 number.
{candidate} WHERE v.set_code = ANY($1::text[]) AND v.collector_number = $2;

-- name: by_set_name
-- $1 set codes, $2 name: a card's own name or the first face of a multi-face/art-series name.
{candidate} WHERE v.set_code = ANY($1::text[])
  AND (lower(v.name) = lower($2) OR lower(split_part(v.name, ' // ', 1)) = lower($2));
