"""SQL for the keywords beyond the core ones: mana costs, devotion, produced mana, P+T, games,
`in:`, `new:`, borders, frames, stamps, watermarks, print and set counts, blocks, `cheapest:`.

A mixin of the query compiler: it uses the compiler's `param`, `error` and flags.
"""
from __future__ import annotations

from backend.new_services.card_catalog.search.ast import Term
from backend.new_services.card_catalog.search.flags import FRONT_TYPE, MANA_COST
from backend.new_services.card_catalog.search.mana import (
    ManaRefused,
    multiset,
    parse_symbols,
)
from backend.new_services.card_catalog.search.vocabulary import (
    BORDERS,
    CHEAPEST_VALUES,
    COLOR_NAMES,
    FRAME_EDITIONS,
    FRAME_EFFECTS,
    GAMES,
    HAS_VALUES,
    LANGUAGES,
    NEW_VALUES,
    RARITY_RANKS,
    SET_TYPES,
    STAMPS,
)
from backend.repositories.kit import escape_like

SQL_OPERATORS = {":": "=", "=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
PRICE_COLUMNS = {
    "usd": "COALESCE({p}.price_usd, {p}.price_usd_foil, {p}.price_usd_etched)",
    "eur": "COALESCE({p}.price_eur, {p}.price_eur_foil)",
    "tix": "{p}.price_tix",
}
_GAME_SQL = {"paper": "{p}.is_paper", "mtgo": "'mtgo' = ANY({p}.games)", "arena": "'arena' = ANY({p}.games)"}
# What must be equal on an earlier printing for this one not to be "new" (new:<value>).
_NEW_SAME = {
    "rarity": "p.rarity = v.rarity",
    "art": "p.illustration_id = v.illustration_id",
    "artist": "p.artist = v.artist",
    "flavor": "p.flavor_text = v.flavor_text",
    "frame": "p.frame = v.frame",
    "language": "p.lang = v.lang",
}
_NEW_REQUIRES = {
    "rarity": "v.reprint",
    "art": "v.illustration_id IS NOT NULL",
    "artist": "v.artist IS NOT NULL",
    "flavor": "v.flavor_text IS NOT NULL",
    "frame": "v.frame IS NOT NULL",
    "language": "true",
}
_COUNTS = {
    "prints": "count(DISTINCT (p.set_code, p.collector_number))",
    "paperprints": "count(DISTINCT (p.set_code, p.collector_number)) FILTER (WHERE p.is_paper)",
    "sets": "count(DISTINCT p.set_code)",
    "papersets": "count(DISTINCT p.set_code) FILTER (WHERE p.is_paper)",
    "illustrations": "count(DISTINCT p.illustration_id)",
}
_ARTIST_COUNT = ("CASE WHEN cardinality(v.artist_ids) > 0 THEN cardinality(v.artist_ids) "
                 "WHEN v.artist IS NULL THEN 0 "
                 "ELSE 1 + (length(v.artist) - length(replace(v.artist, ' & ', ''))) / 3 END")


class ExtendedTerms:
    def _count(self, t: Term) -> str:
        if not t.value.isdigit() or len(t.value) > 6:
            raise self.error(t, f"{t.written_keyword} expects a whole number")
        return self.param(int(t.value), "int")

    # -- mana --------------------------------------------------------------------------------------
    def _symbols(self, t: Term) -> list[str]:
        try:
            return parse_symbols(t.value)
        except ManaRefused as exc:
            raise self.error(t, f"{t.written_keyword}: {exc}") from None

    def term_mana(self, t: Term) -> str:
        symbols = self._symbols(t)
        wanted = self.param(multiset(symbols), "text[]")
        have = "card_catalog.mana_symbols(o.mana_cost, o.faces)"
        contains, within = f"{have} @> {wanted}", f"{have} <@ {wanted}"
        operator = SQL_OPERATORS[t.operator]
        if operator in ("=", ">=", ">"):
            # Cheap string test first (each coloured symbol, as many times as asked, in the cost):
            # the symbol multiset is only computed for the few costs that pass it.
            coloured = [s for s in symbols if not s[1:-1].isdigit()]
            likes = [f"upper({MANA_COST}) LIKE {self.param('%' + '%'.join([escape_like(s)] * coloured.count(s)) + '%', 'text')}"
                     for s in dict.fromkeys(coloured)]
            if likes:
                contains = "(" + " AND ".join([*likes, contains]) + ")"
        if t.operator == ":" or operator == ">=":
            return contains
        return {
            "=": f"({contains} AND {within})",
            "<>": f"NOT ({have} @> {wanted} AND {within})",
            ">": f"({contains} AND NOT {within})",
            "<=": within,
            "<": f"({within} AND NOT {have} @> {wanted})",
        }[operator]

    def term_devotion(self, t: Term) -> str:
        symbols = self._symbols(t)
        if len(set(symbols)) != 1 or not all(ch in "WUBRG/" for ch in symbols[0][1:-1]) or symbols[0] == "{/}":
            raise self.error(t, "devotion expects one coloured or hybrid symbol, repeated: {G}{G} or {U/B}{U/B}")
        colors = "".join(ch for ch in symbols[0][1:-1] if ch in "WUBRG")
        operator = ">=" if t.operator == ":" else SQL_OPERATORS[t.operator]
        # The front face's cost: that is the permanent a double-faced card usually is.
        cost = "COALESCE(o.mana_cost, o.faces -> 0 ->> 'mana_cost')"
        devotion = f"card_catalog.devotion({cost}, {self.param(colors, 'text')})"
        permanent = f"{FRONT_TYPE} ~ '\\m(artifact|battle|creature|enchantment|land|planeswalker)\\M'"
        count = self.param(len(symbols), "int")
        if operator in (">=", ">", "="):
            # At least one symbol of those colours: a cheap string test before counting symbols.
            letters = self.param([f"%{ch}%" for ch in colors], "text[]")
            return f"({permanent} AND upper({cost}) LIKE ANY ({letters}) AND {devotion} {operator} {count})"
        return f"({permanent} AND {devotion} {operator} {count})"

    def term_produces(self, t: Term) -> str:
        value = t.value.lower()
        letters = COLOR_NAMES.get(value, value)
        if letters == "m":
            return "cardinality(ARRAY(SELECT DISTINCT x FROM unnest(o.produced_mana) AS x WHERE x <> 'C')) >= 2"
        if not letters or any(ch not in "wubrgc" for ch in letters):
            raise self.error(t, "produces expects mana letters (wubrgc), a colour name or m")
        wanted = self.param(sorted({ch.upper() for ch in letters}), "text[]")
        have = "COALESCE(o.produced_mana, '{}')"
        contains, within = f"{have} @> {wanted}", f"{have} <@ {wanted}"
        operator = SQL_OPERATORS[t.operator]
        if t.operator == ":" or operator == ">=":
            return f"{contains}"
        return {
            "=": f"({contains} AND {within})",
            "<>": f"NOT ({contains} AND {within})",
            ">": f"({contains} AND NOT {within})",
            "<=": f"({within} AND cardinality({have}) > 0)",
            "<": f"({within} AND NOT {contains} AND cardinality({have}) > 0)",
        }[operator]

    def term_powtou(self, t: Term) -> str:
        number = self._number(t)
        return (f"EXISTS (SELECT 1 FROM unnest(o.powers, o.toughnesses) AS f(pw, tg) "
                f"WHERE pw + tg {SQL_OPERATORS[t.operator]} {number})")

    # -- printings ---------------------------------------------------------------------------------
    def term_game(self, t: Term) -> str:
        game = t.value.lower()
        if game not in GAMES:
            raise self.error(t, "game expects paper, mtgo or arena")
        condition = _GAME_SQL[game].format(p="v")
        return condition if t.operator != "!=" else f"NOT {condition}"

    def term_in(self, t: Term) -> str:
        """Cards with any printing in the given game, set, rarity, set type or language."""
        value = t.value.lower()
        joins = ""
        if value in GAMES:
            condition = _GAME_SQL[value].format(p="p")
        elif value in RARITY_RANKS and len(value) > 1:
            condition = f"p.rarity_rank = {self.param(RARITY_RANKS[value], 'int')}"
        elif value == "booster":
            condition = "p.booster"
        elif value in SET_TYPES:
            joins = " JOIN card_catalog.sets pset ON pset.set_id = p.set_id"
            condition = f"pset.set_type = {self.param(value, 'text')}"
        elif value in LANGUAGES and value not in ("la",):
            condition = f"p.lang = {self.param(LANGUAGES[value], 'text')}"
        else:
            condition = f"p.set_code = {self.param(value, 'text')}"
        return (f"EXISTS (SELECT 1 FROM card_catalog.card_versions p{joins} "
                f"WHERE p.oracle_id = o.oracle_id AND {condition})")

    def term_new(self, t: Term) -> str:
        value = t.value.lower()
        if value not in NEW_VALUES:
            raise self.error(t, f"new expects one of {', '.join(sorted(NEW_VALUES))}")
        return (f"({_NEW_REQUIRES[value]} AND NOT EXISTS (SELECT 1 FROM card_catalog.card_versions p "
                f"WHERE p.oracle_id = v.oracle_id AND p.released_at < v.released_at AND {_NEW_SAME[value]}))")

    def _choice(self, t: Term, column: str, allowed: frozenset[str], what: str) -> str:
        value = t.value.lower()
        if value not in allowed:
            raise self.error(t, f"{t.written_keyword} expects one of {', '.join(sorted(allowed))} ({what})")
        condition = f"{column} = {self.param(value, 'text')}"
        return condition if t.operator != "!=" else f"NOT COALESCE({condition}, false)"

    def term_border(self, t: Term) -> str:
        return self._choice(t, "v.border_color", BORDERS, "border colours")

    def term_stamp(self, t: Term) -> str:
        return self._choice(t, "v.security_stamp", STAMPS, "security stamps")

    def term_frame(self, t: Term) -> str:
        value = t.value.lower()
        if value in FRAME_EDITIONS:
            condition = f"v.frame = {self.param(value, 'text')}"
        elif value in FRAME_EFFECTS:
            condition = f"v.frame_effects @> ARRAY[{self.param(value, 'text')}]"
        else:
            raise self.error(t, "frame expects a frame edition (1993, 1997, 2003, 2015, future) or a frame "
                                "effect (" + ", ".join(sorted(FRAME_EFFECTS)) + ")")
        return condition if t.operator != "!=" else f"NOT COALESCE({condition}, false)"

    def term_watermark(self, t: Term) -> str:
        condition = f"v.watermark = {self.param(t.value.lower(), 'text')}"
        return condition if t.operator != "!=" else f"NOT COALESCE({condition}, false)"

    def term_has(self, t: Term) -> str:
        value = t.value.lower()
        if value not in HAS_VALUES:
            raise self.error(t, f"has expects one of {', '.join(sorted(HAS_VALUES))}")
        return "v.watermark IS NOT NULL" if value == "watermark" else "o.color_indicator IS NOT NULL"

    def _card_count(self, t: Term) -> str:
        return (f"(SELECT {_COUNTS[t.keyword]} FROM card_catalog.card_versions p WHERE p.oracle_id = o.oracle_id) "
                f"{SQL_OPERATORS[t.operator]} {self._count(t)}")

    term_prints = term_sets = term_paperprints = term_papersets = term_illustrations = _card_count

    def term_artists(self, t: Term) -> str:
        return f"{_ARTIST_COUNT} {SQL_OPERATORS[t.operator]} {self._count(t)}"

    def term_block(self, t: Term) -> str:
        """Any set code of a block (or the block's code or name) finds the whole block. Blocks come
        from set metadata: Scryfall's block_code (/sets) or MTGJSON's block name."""
        self.uses_sets = True
        code = self.param(t.value.lower(), "text")
        condition = (f"EXISTS (SELECT 1 FROM card_catalog.sets b "
                     f"WHERE (b.code = {code} OR b.block_code = {code} OR lower(b.block) = {code}) "
                     f"AND (b.block_code = s.block_code OR b.block = s.block))")
        return condition if t.operator != "!=" else f"NOT COALESCE({condition}, false)"

    def term_cheapest(self, t: Term) -> str:
        """The cheapest printing of each card in that currency (printings with a price only)."""
        currency = t.value.lower()
        if currency not in CHEAPEST_VALUES:
            raise self.error(t, "cheapest expects usd, eur or tix")
        price = PRICE_COLUMNS[currency]
        return (f"v.card_version_id = (SELECT p.card_version_id FROM card_catalog.card_versions p "
                f"WHERE p.oracle_id = v.oracle_id AND {price.format(p='p')} IS NOT NULL "
                f"ORDER BY {price.format(p='p')}, p.card_version_id LIMIT 1)")
