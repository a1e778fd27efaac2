"""`is:` / `not:` values as SQL conditions over `v` (printing), `o` (oracle card) and `s` (set).

Every condition is fixed SQL text (no user input). Land nicknames follow the Oracle wording of
each cycle, matched on the rules text without reminder text, with the card's name as `~`
(older wording "enters the battlefield", newer "enters"; "~" or "this land").
"""
from __future__ import annotations

FRONT_TYPE = "split_part(o.type_lower, ' // ', 1)"
# Rules text without reminder text and with the card's (face) names written `~`.
RULES_WITH_TILDE = ("replace(replace(replace(o.rules_text, chr(1), ''), lower(split_part(o.name, ' // ', 1)), '~'), "
                    "lower(split_part(o.name, ' // ', 2)), '~')")
MANA_COST = "COALESCE(o.mana_cost, concat_ws(' // ', o.faces -> 0 ->> 'mana_cost', o.faces -> 1 ->> 'mana_cost'))"
_EARLIER_PRINTING = ("EXISTS (SELECT 1 FROM card_catalog.card_versions p WHERE p.oracle_id = v.oracle_id "
                     "AND p.released_at < v.released_at)")
_SETS_OF_CARD = "(SELECT count(DISTINCT p.set_code) FROM card_catalog.card_versions p WHERE p.oracle_id = o.oracle_id)"

_BASIC = "(plains|island|swamp|mountain|forest)"
_SELF = "(~|this land)"
_ENTERS = "enters( the battlefield)?"
_LAND = f"{FRONT_TYPE} ~ '\\mland\\M'"
_TWO_BASIC_TYPES = f"o.type_lower ~ '^[a-z ]*land — {_BASIC} {_BASIC}$'"


def _land_text(pattern: str, *extra: str) -> str:
    parts = [_LAND, f"{RULES_WITH_TILDE} ~ '{pattern}'", *extra]
    return "(" + " AND ".join(parts) + ")"


LAND_NICKNAMES: dict[str, str] = {
    "dual": f"({_TWO_BASIC_TYPES} AND replace(o.rules_text, chr(1), '') = '' AND NOT o.type_lower ~ '\\msnow\\M')",
    "shockland": _land_text(f"as {_SELF} {_ENTERS}, you may pay 2 life", _TWO_BASIC_TYPES),
    "fetchland": _land_text(f"\\{{t\\}}, pay 1 life, sacrifice {_SELF}: search your library for an? [a-z]+ or [a-z]+ card"),
    "checkland": _land_text(f"{_ENTERS} tapped unless you control an? {_BASIC} or an? {_BASIC}"),
    "fastland": _land_text(f"{_ENTERS} tapped unless you control two or fewer other lands"),
    "slowland": _land_text(f"{_ENTERS} tapped unless you control two or more other lands"),
    "tangoland": _land_text(f"{_ENTERS} tapped unless you control two or more basic lands"),
    "bondland": _land_text(f"{_ENTERS} tapped unless you have two or more opponents"),
    "painland": _land_text("\\{t\\}: add \\{[wubrg]\\} or \\{[wubrg]\\}. ~ deals 1 damage to you"),
    "bounceland": _land_text("return a land you control to its owner.s hand"),
    "canopyland": _land_text(f"\\{{t\\}}, pay 1 life: add \\{{[wubrg]\\}} or \\{{[wubrg]\\}}.*sacrifice {_SELF}: draw a card"),
    "filterland": _land_text("\\{[wubrg]/[wubrg]\\}, \\{t\\}: add \\{[wubrg]\\}\\{[wubrg]\\}, \\{[wubrg]\\}\\{[wubrg]\\}, or"),
    "gainland": _land_text(f"{_ENTERS} tapped.*when {_SELF} {_ENTERS}, you gain 1 life"),
    "scryland": _land_text(f"{_ENTERS} tapped.*when {_SELF} {_ENTERS}, scry 1"),
    "shadowland": _land_text(f"you may reveal an? {_BASIC} or {_BASIC} card from your hand"),
    "storageland": _land_text("storage counter"),
    "creatureland": _land_text(f"{_SELF} becomes an? [^.]*creature"),
    "triland": _land_text("\\{t\\}: add \\{[wubrg]\\}, \\{[wubrg]\\}, or \\{[wubrg]\\}\\.",
                          f"{RULES_WITH_TILDE} ~ '{_ENTERS} tapped'", f"{RULES_WITH_TILDE} !~ 'sacrifice'"),
    "bikeland": f"({_TWO_BASIC_TYPES} AND o.keywords_lower @> ARRAY['cycling'])",
}
LAND_ALIASES = {
    "karoo": "bounceland", "canland": "canopyland", "battleland": "tangoland", "manland": "creatureland",
    "cycleland": "bikeland", "bicycleland": "bikeland", "snarl": "shadowland", "crowdland": "bondland",
}

IS_CONDITIONS: dict[str, str] = {
    "foil": "'foil' = ANY(v.finishes)",
    "nonfoil": "'nonfoil' = ANY(v.finishes)",
    "etched": "'etched' = ANY(v.finishes)",
    "glossy": "('glossy' = ANY(v.finishes) OR 'glossy' = ANY(v.promo_types))",
    "promo": "v.promo",
    "digital": "v.digital",
    "reprint": "v.reprint",
    "firstprint": f"NOT {_EARLIER_PRINTING}",
    "booster": "v.booster",
    "hires": "v.highres_image",
    "spotlight": "v.story_spotlight",
    "scryfallpreview": "lower(v.preview_source) = 'scryfall'",
    "textless": "v.textless",
    "full": "v.full_art",
    "fullart": "v.full_art",
    "old": "v.frame IN ('1993', '1997')",
    "new": "v.frame = '2015'",
    "colorshifted": "'colorshifted' = ANY(v.frame_effects)",
    "datestamped": "'datestamped' = ANY(v.promo_types)",
    "prerelease": "'prerelease' = ANY(v.promo_types)",
    "variation": "v.variation",
    "oversized": "v.oversized",
    "funny": "(s.set_type = 'funny' OR v.border_color = 'silver' OR v.security_stamp IN ('acorn', 'heart'))",
    "masterpiece": "s.set_type = 'masterpiece'",
    # Layouts are the same on every printing of a card: tested on the oracle card.
    "dfc": "o.layout IN ('transform', 'modal_dfc', 'double_faced_token', 'reversible_card', 'meld')",
    "split": "o.layout = 'split'",
    "transform": "o.layout = 'transform'",
    "mdfc": "o.layout = 'modal_dfc'",
    "flip": "o.layout = 'flip'",
    "meld": "o.layout = 'meld'",
    "leveler": "o.layout = 'leveler'",
    "adventure": "o.layout = 'adventure'",
    "token": "o.layout IN ('token', 'double_faced_token')",
    "extra": "o.is_extra",
    "reserved": "o.reserved",
    "unique": f"{_SETS_OF_CARD} = 1",
    # Castable: a card type other than land on the front face, and not an extra object.
    "spell": (f"(NOT o.is_extra AND {FRONT_TYPE} !~ '\\mland\\M' AND "
              f"{FRONT_TYPE} ~ '\\m(artifact|battle|creature|enchantment|instant|kindred|planeswalker|sorcery|tribal)\\M')"),
    "permanent": (f"(NOT o.is_extra AND "
                  f"{FRONT_TYPE} ~ '\\m(artifact|battle|creature|enchantment|land|planeswalker)\\M')"),
    "historic": f"(NOT o.is_extra AND {FRONT_TYPE} ~ '\\m(legendary|artifact|saga)\\M')",
    "party": f"({FRONT_TYPE} ~ '\\mcreature\\M' AND {FRONT_TYPE} ~ '\\m(cleric|rogue|warrior|wizard)\\M')",
    "modal": ("(o.rules_text ~ 'choose (one|two|three|four|five|one or more|one or both|two or more|any number|"
              "up to [a-z]+)( or both| or more)?( that hasn.t been chosen)?( this turn)? —' "
              "OR o.keywords_lower && ARRAY['spree', 'escalate', 'entwine'])"),
    "vanilla": (f"({FRONT_TYPE} ~ '\\mcreature\\M' AND replace(o.rules_text, chr(1), '') = '' "
                "AND NOT o.is_extra)"),
    # Creatures whose every ability (line or comma-separated item) is a keyword ability.
    "frenchvanilla": (f"({FRONT_TYPE} ~ '\\mcreature\\M' AND NOT o.is_extra AND cardinality(o.keywords_lower) > 0 "
                      "AND replace(o.rules_text, chr(1), '') <> '' AND NOT EXISTS ("
                      "SELECT 1 FROM regexp_split_to_table(replace(o.rules_text, chr(1), ''), E'[\\n,;]') AS item "
                      "WHERE btrim(item) <> '' AND NOT EXISTS (SELECT 1 FROM unnest(o.keywords_lower) AS k "
                      "WHERE btrim(item) LIKE k || '%')))"),
    "hybrid": f"{MANA_COST} ~* '\\{{([wubrgc2])/([wubrg])(/p)?\\}}'",
    "phyrexian": f"{MANA_COST} ~* '/p\\}}'",
    "companion": "(o.keywords_lower @> ARRAY['companion'] OR o.rules_text LIKE 'companion — %')",
    "commander": ("(NOT o.is_extra AND ((" + FRONT_TYPE + " ~ '\\mlegendary\\M' AND " + FRONT_TYPE
                  + " ~ '\\mcreature\\M') OR o.search_text LIKE '%can be your commander%'))"),
    "duelcommander": ("(NOT o.is_extra AND ((" + FRONT_TYPE + " ~ '\\mlegendary\\M' AND " + FRONT_TYPE
                      + " ~ '\\mcreature\\M') OR o.search_text LIKE '%can be your commander%'))"),
    "brawler": ("(NOT o.is_extra AND ((" + FRONT_TYPE + " ~ '\\mlegendary\\M' AND " + FRONT_TYPE
                + " ~ '\\m(creature|planeswalker)\\M') OR o.search_text LIKE '%can be your commander%'))"),
    **LAND_NICKNAMES,
}
