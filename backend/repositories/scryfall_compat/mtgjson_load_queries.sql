-- What MTGJSON's per-set files add to the catalog: set metadata where ours is blank (sets created
-- from card files know only code and name), and marketplace ids Scryfall's older files lack. Only
-- blanks are filled: MTGJSON never overrides what Scryfall said.

-- name: fill_set_metadata
-- $1 codes, $2 types, $3 release dates, $4 blocks, $5 parent codes, $6 TCGplayer group ids,
-- $7 MTGO codes, $8 base sizes.
UPDATE card_catalog.sets s SET
    set_type = CASE WHEN s.set_type = 'unknown' AND m.set_type IS NOT NULL THEN m.set_type ELSE s.set_type END,
    released_at = COALESCE(s.released_at, m.released_at),
    block = COALESCE(s.block, m.block),
    parent_set_code = COALESCE(s.parent_set_code, m.parent_code),
    tcgplayer_id = COALESCE(s.tcgplayer_id, m.group_id),
    mtgo_code = COALESCE(s.mtgo_code, m.mtgo_code),
    printed_size = COALESCE(s.printed_size, m.base_size),
    updated_at = now()
FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::text[], $6::int[], $7::text[], $8::int[])
     AS m(code, set_type, released_at, block, parent_code, group_id, mtgo_code, base_size)
WHERE s.code = m.code
  AND ((s.set_type = 'unknown' AND m.set_type IS NOT NULL) OR (s.released_at IS NULL AND m.released_at IS NOT NULL)
       OR (s.block IS NULL AND m.block IS NOT NULL) OR (s.parent_set_code IS NULL AND m.parent_code IS NOT NULL)
       OR (s.tcgplayer_id IS NULL AND m.group_id IS NOT NULL) OR (s.mtgo_code IS NULL AND m.mtgo_code IS NOT NULL)
       OR (s.printed_size IS NULL AND m.base_size IS NOT NULL))

-- name: fill_marketplace_ids
-- $1 Scryfall ids, $2 TCGplayer product ids, $3 TCGplayer etched product ids, $4 Cardmarket ids.
-- The printing's content hash is left alone: reloading its Scryfall file does not undo this.
UPDATE card_catalog.card_versions v SET
    tcgplayer_id = COALESCE(v.tcgplayer_id, m.tcgplayer_id),
    tcgplayer_etched_id = COALESCE(v.tcgplayer_etched_id, m.tcgplayer_etched_id),
    cardmarket_id = COALESCE(v.cardmarket_id, m.cardmarket_id),
    updated_at = now()
FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[]) AS m(id, tcgplayer_id, tcgplayer_etched_id, cardmarket_id)
WHERE v.card_version_id = m.id
  AND ((v.tcgplayer_id IS NULL AND m.tcgplayer_id IS NOT NULL)
       OR (v.tcgplayer_etched_id IS NULL AND m.tcgplayer_etched_id IS NOT NULL)
       OR (v.cardmarket_id IS NULL AND m.cardmarket_id IS NOT NULL))

-- name: complete_documents
-- $1 Scryfall ids: their card objects gain the marketplace ids they lack (the source's own values
-- win: they are on the right of ||) and a set type where the loader could only say 'unknown'.
UPDATE card_catalog.card_documents d
SET document = (jsonb_strip_nulls(jsonb_build_object(
        'tcgplayer_id', v.tcgplayer_id, 'tcgplayer_etched_id', v.tcgplayer_etched_id,
        'cardmarket_id', v.cardmarket_id))
    || d.document::jsonb
    || CASE WHEN d.document ->> 'set_type' = 'unknown' AND s.set_type <> 'unknown'
            THEN jsonb_build_object('set_type', s.set_type) ELSE '{}'::jsonb END)::json,
    updated_at = now()
FROM card_catalog.card_versions v
JOIN card_catalog.sets s ON s.set_id = v.set_id
WHERE v.card_version_id = d.card_version_id AND v.card_version_id = ANY ($1::uuid[])
  AND ((d.document ->> 'set_type' = 'unknown' AND s.set_type <> 'unknown')
       OR (d.document -> 'tcgplayer_id' IS NULL AND v.tcgplayer_id IS NOT NULL)
       OR (d.document -> 'tcgplayer_etched_id' IS NULL AND v.tcgplayer_etched_id IS NOT NULL)
       OR (d.document -> 'cardmarket_id' IS NULL AND v.cardmarket_id IS NOT NULL))

-- name: printings_of_sets
SELECT card_version_id FROM card_catalog.card_versions WHERE set_code = ANY ($1::text[])
