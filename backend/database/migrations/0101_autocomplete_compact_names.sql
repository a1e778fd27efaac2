-- Autocomplete ignores spaces as well as punctuation ("lightningbo" finds Lightning Bolt): names
-- are compared without spaces, by prefix, on this index (oracle cards only: ~30k rows).
CREATE FUNCTION card_catalog.compact_name(name_norm text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$ SELECT replace(name_norm, ' ', '') $$;
CREATE INDEX oracle_cards_compact_name_idx ON card_catalog.oracle_cards
    (card_catalog.compact_name(name_norm) text_pattern_ops);
