"""Compile a query syntax tree to a parameterised SQL condition plus display options.

The condition refers to `v` (card_catalog.card_versions), `o` (oracle_cards) and `s` (sets).
SQL text comes only from this module; every user value travels as a $n parameter.
"""
from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from backend.new_services.card_catalog.search.ast import And, Node, Not, Term
from backend.new_services.card_catalog.search.extended_terms import ExtendedTerms
from backend.new_services.card_catalog.search.flags import IS_CONDITIONS, LAND_ALIASES, RULES_WITH_TILDE
from backend.new_services.card_catalog.search.parser import QuerySyntaxError, parse_query
from backend.new_services.card_catalog.search.regex import RegexRefused, to_postgres
from backend.new_services.card_catalog.search.vocabulary import (
    ALL_COLORS, COLOR_BITS, COLOR_NAMES, DIRECTIONS, DISPLAY_KEYWORDS, DISPLAY_VALUES, EXTRA_TYPES, FORMATS,
    INCLUDE_VALUES, KEYWORD_ALIASES, LANGUAGES, ORDER_KEYS, PREFER_VALUES, PROMO_TYPES, RARITY_RANKS,
    UNIQUE_MODES,
)
from backend.repositories.kit import CompiledQuery, SearchOptions, escape_like

SQL_OPERATORS = {":": "=", "=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
# `a op b` is the same as `b FLIPPED[op] a`: lets us write `$1 < ANY(array)` for `array > $1`.
FLIPPED = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
STAT_ARRAYS = {"pow": "o.powers", "tou": "o.toughnesses", "loy": "o.loyalties"}
# Any face above / below a bound <=> the highest / lowest face is: plain, estimable columns.
STAT_BOUNDS = {"pow": ("o.power_max", "o.power_min"), "tou": ("o.toughness_max", "o.toughness_min")}
PRICE_COLUMNS = {
    "usd": "COALESCE(v.price_usd, v.price_usd_foil, v.price_usd_etched)",
    "eur": "COALESCE(v.price_eur, v.price_eur_foil)",
    "tix": "v.price_tix",
}
# Regular expressions run under this statement timeout (ms): a pathological one costs at most this.
REGEX_STATEMENT_TIMEOUT_MS = 3000
# Scryfall's colour order: white, blue, black, red, green, then multicolour, then colourless.
_COLOR_ORDER = ("CASE o.color_mask WHEN 1 THEN 1 WHEN 2 THEN 2 WHEN 4 THEN 3 WHEN 8 THEN 4 WHEN 16 THEN 5 "
                "WHEN 0 THEN 7 ELSE 6 END")
ORDER_SQL = {
    "name": "o.name",
    "set": "v.set_code",
    "released": "v.released_at",
    "rarity": "v.rarity_rank",
    "usd": PRICE_COLUMNS["usd"],
    "eur": PRICE_COLUMNS["eur"],
    "tix": PRICE_COLUMNS["tix"],
    "cmc": "o.cmc",
    "power": "o.powers[1]",
    "toughness": "o.toughnesses[1]",
    "color": _COLOR_ORDER,
    "edhrec": "o.edhrec_rank",
    "artist": "v.artist",
    # A set review's order: colour groups (lands last), then name.
    "review": f"({_COLOR_ORDER} + CASE WHEN o.type_lower ~ '\\mland\\M' THEN 10 ELSE 0 END)",
    "spoiled": "COALESCE(v.previewed_at, v.released_at)",
    "penny": "v.penny_rank",
}
# Order keys read printing columns the oracle-level search path does not carry.
PRINTING_ORDER_KEYS = frozenset({"artist", "spoiled", "penny"})
# prefer: value -> which printing stands for a card (ORDER BY of DISTINCT ON).
PREFERENCES = {
    "oldest": "v.released_at ASC NULLS LAST, v.is_paper DESC, (v.lang = 'en') DESC, v.card_version_id",
    "newest": "v.released_at DESC NULLS LAST, v.is_paper DESC, (v.lang = 'en') DESC, v.card_version_id",
    "promo": "v.promo DESC, v.is_paper DESC, v.released_at DESC NULLS LAST, v.card_version_id",
    **{f"{currency}-{end}": f"{column} {'ASC' if end == 'low' else 'DESC'} NULLS LAST, v.card_version_id"
       for currency, column in PRICE_COLUMNS.items() for end in ("low", "high")},
}
# Scryfall's "auto" direction: newest first for release dates, ascending otherwise.
AUTO_DESCENDING = frozenset({"released"})
_SET_CODE = re.compile(r"^[a-z0-9]{2,8}$")
_INTEGER = re.compile(r"^[0-9]{1,9}$")


def normalize_name(value: str) -> str:
    """Python twin of card_catalog.normalize_name(): lower-case, accents folded, punctuation dropped."""
    folded = unicodedata.normalize("NFKD", value.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^a-z0-9æœ]+", " ", folded).split())


class _Compiler(ExtendedTerms):
    def __init__(self, first_param: int):
        self.params: list = []
        self.first_param = first_param
        self.options = SearchOptions(auto_descending=AUTO_DESCENDING)
        self.extra_type_requested = False
        self.uses_sets = False
        self.printing_level = False
        self.uses_regex = False
        self.preference: str | None = None

    def term_sql(self, t: Term) -> str:
        sql = getattr(self, f"term_{t.keyword}")(t)
        if "v." in sql or "s." in sql:
            self.printing_level = True
        return sql

    def param(self, value, cast: str) -> str:
        self.params.append(value)
        return f"${self.first_param + len(self.params) - 1}::{cast}"

    # -- tree --------------------------------------------------------------------------------------
    def compile(self, node: Node, *, top_level: bool = True) -> str | None:
        """SQL for a node; None for display terms (they constrain nothing)."""
        if isinstance(node, Term):
            if node.keyword in DISPLAY_KEYWORDS:
                if not top_level:
                    raise QuerySyntaxError(f"{node.written_keyword}: cannot be negated or used inside 'or'",
                                           term=node.text, position=node.position)
                self.display(node)
                return None
            return self.term(node)
        if isinstance(node, Not):
            inner = self.compile(node.child, top_level=False)
            # NULL-safe: "-pow>3" keeps cards without a power, and A and -A never overlap.
            return f"NOT COALESCE({inner}, false)"
        if isinstance(node, And):
            parts = [p for p in (self.compile(c, top_level=top_level) for c in node.children) if p is not None]
            if not parts:
                return None
            return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"
        parts = [self.compile(c, top_level=False) for c in node.children]
        return "(" + " OR ".join(parts) + ")"

    def display(self, term: Term) -> None:
        value = term.value.lower()
        allowed = {"unique": UNIQUE_MODES, "order": ORDER_KEYS, "direction": DIRECTIONS,
                   "include": INCLUDE_VALUES, "prefer": PREFER_VALUES, "display": DISPLAY_VALUES}[term.keyword]
        if value not in allowed:
            raise self.error(term, f"{term.written_keyword}: expects one of {', '.join(sorted(allowed))}")
        if term.keyword == "display":
            return  # how a client lays results out: nothing to do here
        if term.keyword == "prefer":
            self.preference = None if value == "default" else PREFERENCES[value]
        elif term.keyword == "include" and value == "multilingual":
            self.options.has_lang_term = True
            self.options.any_language = True
        elif term.keyword == "include" and value == "variations":
            pass  # variation printings are never hidden here
        elif term.keyword == "unique":
            self.options.unique = value
        elif term.keyword == "order":
            self.options.order = value
        elif term.keyword == "direction":
            self.options.direction = value
        else:
            self.options.include_extras = True

    @staticmethod
    def error(term: Term, message: str) -> QuerySyntaxError:
        return QuerySyntaxError(message, term=term.text, position=term.position)

    # -- terms -------------------------------------------------------------------------------------
    def term(self, t: Term) -> str:
        return self.term_sql(t)

    def regex(self, t: Term, column: str) -> str:
        """`column ~ translated regex`; refused regexes are a 400 naming the expression."""
        try:
            pattern = to_postgres(t.value)
        except RegexRefused as exc:
            raise self.error(t, f"regular expression /{t.value}/: {exc}") from None
        self.uses_regex = True
        condition = f"{column} ~ {self.param(pattern, 'text')}"
        return condition if t.operator != "!=" else f"NOT COALESCE({condition}, false)"

    def term_name(self, t: Term) -> str:
        if t.regex:
            return self.regex(t, "o.name")
        normalized = normalize_name(t.value)
        if not normalized:
            return "true"  # punctuation only: constrains nothing
        return f"o.name_norm LIKE {self.param('%' + escape_like(normalized) + '%', 'text')}"

    def term_exact(self, t: Term) -> str:
        return f"o.face_names @> ARRAY[{self.param(t.value.strip().lower(), 'text')}]"

    def term_type(self, t: Term) -> str:
        if t.regex:
            return self.regex(t, "o.type_lower")
        value = t.value.lower()
        if value in EXTRA_TYPES:
            self.extra_type_requested = True
        return f"o.type_lower LIKE {self.param('%' + escape_like(value) + '%', 'text')}"

    def term_oracle(self, t: Term) -> str:
        """Rules text without reminder text. The trigram index on the full text finds candidates
        (whatever matches rules_text matches search_text, see migration 0100); rules_text decides."""
        if t.regex:
            return self.regex(t, RULES_WITH_TILDE)
        value = t.value.lower()
        if "~" in value:
            # `~` stands for the card's own name: the name is written `~` in the searched text.
            prefilter = self.param("%" + escape_like(value).replace("~", "%") + "%", "text")
            pattern = self.param("%" + escape_like(value) + "%", "text")
            return f"(o.search_text LIKE {prefilter} AND {RULES_WITH_TILDE} LIKE {pattern})"
        pattern = self.param("%" + escape_like(value) + "%", "text")
        return f"(o.search_text LIKE {pattern} AND o.rules_text LIKE {pattern})"

    def term_fulloracle(self, t: Term) -> str:
        """The full Oracle text, reminder text included."""
        full_with_tilde = ("replace(replace(o.search_text, lower(split_part(o.name, ' // ', 1)), '~'), "
                           "lower(split_part(o.name, ' // ', 2)), '~')")
        if t.regex:
            return self.regex(t, full_with_tilde)
        value = t.value.lower()
        if "~" in value:
            prefilter = self.param("%" + escape_like(value).replace("~", "%") + "%", "text")
            pattern = self.param("%" + escape_like(value) + "%", "text")
            return f"(o.search_text LIKE {prefilter} AND {full_with_tilde} LIKE {pattern})"
        return f"o.search_text LIKE {self.param('%' + escape_like(value) + '%', 'text')}"

    def term_fulltext(self, t: Term) -> str:
        return f"o.oracle_tsv @@ plainto_tsquery('english', {self.param(t.value, 'text')})"

    def term_keyword(self, t: Term) -> str:
        return f"o.keywords_lower @> ARRAY[{self.param(t.value.lower(), 'text')}]"

    def term_artist(self, t: Term) -> str:
        return f"lower(v.artist) LIKE {self.param('%' + escape_like(t.value.lower()) + '%', 'text')}"

    def term_flavor(self, t: Term) -> str:
        if t.regex:
            return self.regex(t, "v.flavor_text")
        return f"v.flavor_text ILIKE {self.param('%' + escape_like(t.value) + '%', 'text')}"

    def term_color(self, t: Term) -> str:
        return self._colors(t, "o.color_mask", default_operator=">=")

    def term_identity(self, t: Term) -> str:
        return self._colors(t, "o.identity_mask", default_operator="<=")

    def _colors(self, t: Term, column: str, *, default_operator: str) -> str:
        value = t.value.lower()
        operator = default_operator if t.operator == ":" else SQL_OPERATORS[t.operator]
        if _INTEGER.match(value):
            count = int(value)
            return f"card_catalog.mask_bits({column}) {operator} {self.param(count, 'int')}"
        letters = COLOR_NAMES.get(value, value)
        if letters == "m":
            if t.operator not in (":", "="):
                raise self.error(t, "multicolour (m) only works with ':' or '='")
            return f"card_catalog.mask_bits({column}) >= 2"
        if letters == "c":
            letters = ""
            if t.operator == ":":
                operator = "="  # c:c means colourless, not "at least no colour"
        elif not letters or any(ch not in COLOR_BITS for ch in letters):
            raise self.error(t, f"{value!r} is not a colour: use letters wubrg, c, m, a number or a colour name")
        mask = 0
        for ch in letters:
            mask |= COLOR_BITS[ch]
        m = self.param(mask, "int")
        subset = f"({column} & ({ALL_COLORS} - {m})) = 0"
        superset = f"({column} & {m}) = {m}"
        return {
            "=": f"{column} = {m}",
            "<>": f"{column} <> {m}",
            ">=": superset,
            ">": f"({superset} AND {column} <> {m})",
            "<=": subset,
            "<": f"({subset} AND {column} <> {m})",
        }[operator]

    def term_mv(self, t: Term) -> str:
        value = t.value.lower()
        if value in ("even", "odd"):
            if t.operator not in (":", "="):
                raise self.error(t, "even/odd only work with ':' or '='")
            return f"mod(o.cmc, 2) = {0 if value == 'even' else 1}"
        return self._stat(t)

    def term_pow(self, t: Term) -> str:
        return self._stat(t)

    term_tou = term_pow
    term_loy = term_pow

    def _stat(self, t: Term) -> str:
        operator = SQL_OPERATORS[t.operator]
        other = _stat_field(t.value)
        left_array = STAT_ARRAYS.get(t.keyword)
        if other is not None:
            return self._stat_pair(t.keyword, operator, other)
        number = self._number(t)
        if left_array is None:  # mana value: a scalar column
            return f"o.cmc {operator} {number}"
        if t.keyword in STAT_BOUNDS and operator in (">", ">=", "<", "<="):
            highest, lowest = STAT_BOUNDS[t.keyword]
            return f"{highest if operator.startswith('>') else lowest} {operator} {number}"
        return f"{number} {FLIPPED[operator]} ANY({left_array})"

    @staticmethod
    def _stat_pair(left: str, operator: str, right: str) -> str:
        """Comparisons between two card fields, face by face (`pow>tou`)."""
        arrays = [(name, STAT_ARRAYS[name]) for name in (left, right) if name in STAT_ARRAYS]
        if not arrays:
            return f"o.cmc {operator} o.cmc"
        columns = ", ".join(column for _, column in arrays)
        aliases = {name: f"f{i}" for i, (name, _) in enumerate(arrays)}
        left_sql = aliases.get(left, "o.cmc")
        right_sql = aliases.get(right, "o.cmc")
        alias_list = ", ".join(aliases[name] for name, _ in arrays)
        if len(arrays) == 2 and left == right:
            return f"EXISTS (SELECT 1 FROM unnest({arrays[0][1]}) AS t(f0) WHERE f0 {operator} f0)"
        return (f"EXISTS (SELECT 1 FROM unnest({columns}) AS t({alias_list}) "
                f"WHERE {left_sql} {operator} {right_sql})")

    def _number(self, t: Term) -> str:
        try:
            number = Decimal(t.value)
        except InvalidOperation:
            raise self.error(t, f"{t.written_keyword} expects a number") from None
        if not number.is_finite() or abs(number) >= Decimal("1e9"):
            raise self.error(t, f"{t.written_keyword} expects a finite number below 1e9")
        return self.param(number, "numeric")

    def term_usd(self, t: Term) -> str:
        return f"{PRICE_COLUMNS[t.keyword]} {SQL_OPERATORS[t.operator]} {self._number(t)}"

    term_eur = term_usd
    term_tix = term_usd

    def term_rarity(self, t: Term) -> str:
        rank = RARITY_RANKS.get(t.value.lower())
        if rank is None:
            raise self.error(t, "rarity expects common, uncommon, rare, special, mythic or bonus")
        return f"v.rarity_rank {SQL_OPERATORS[t.operator]} {self.param(rank, 'int')}"

    def term_set(self, t: Term) -> str:
        return f"v.set_code {SQL_OPERATORS[t.operator]} {self.param(t.value.lower(), 'text')}"

    def term_cn(self, t: Term) -> str:
        operator = SQL_OPERATORS[t.operator]
        if operator in ("=", "<>"):
            return f"v.collector_number {operator} {self.param(t.value, 'text')}"
        if not _INTEGER.match(t.value):
            raise self.error(t, "collector number ranges need a whole number")
        return f"v.collector_number_int {operator} {self.param(int(t.value), 'int')}"

    def term_settype(self, t: Term) -> str:
        self.uses_sets = True
        return f"s.set_type {SQL_OPERATORS[t.operator]} {self.param(t.value.lower(), 'text')}"

    def term_lang(self, t: Term) -> str:
        self.options.has_lang_term = True
        value = t.value.lower()
        if value == "any":
            if t.operator == "!=":
                return "false"
            self.options.any_language = True
            return "true"
        code = LANGUAGES.get(value)
        if code is None:
            raise self.error(t, f"unknown language {t.value!r}")
        return f"v.lang {SQL_OPERATORS[t.operator]} {self.param(code, 'text')}"

    def _legality(self, t: Term, statuses: tuple[str, ...]) -> str:
        fmt = t.value.lower()
        if fmt not in FORMATS:
            raise self.error(t, f"unknown format {t.value!r}")
        parts = [f"o.legalities @> {self.param({fmt: status}, 'jsonb')}"
                 for status in statuses]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def term_format(self, t: Term) -> str:
        return self._legality(t, ("legal", "restricted"))

    def term_banned(self, t: Term) -> str:
        return self._legality(t, ("banned",))

    def term_restricted(self, t: Term) -> str:
        return self._legality(t, ("restricted",))

    def term_is(self, t: Term) -> str:
        flag = LAND_ALIASES.get(t.value.lower(), t.value.lower())
        if flag in IS_CONDITIONS:
            condition = IS_CONDITIONS[flag]
        elif flag in PROMO_TYPES:
            condition = f"v.promo_types @> ARRAY[{self.param(flag, 'text')}]"
        else:
            raise self.error(t, f"unknown {t.written_keyword}: value {t.value!r} (see docs/search.md for the list)")
        if flag in ("token", "extra"):
            self.extra_type_requested = True
        if re.search(r"\bs\.", condition):
            self.uses_sets = True
        return condition if t.keyword == "is" else f"NOT COALESCE({condition}, false)"

    term_not = term_is

    def term_year(self, t: Term) -> str:
        if not re.fullmatch(r"[0-9]{4}", t.value):
            raise self.error(t, "year expects a four-digit year")
        year = int(t.value)
        if year < 1:
            raise self.error(t, "year must be after year 0")
        operator = SQL_OPERATORS[t.operator]
        start = date(year, 1, 1)
        after = date(year + 1, 1, 1) if year < 9999 else date(9999, 12, 31)
        if operator in ("=", "<>"):
            within = f"(v.released_at >= {self.param(start, 'date')} AND v.released_at < {self.param(after, 'date')})"
            return within if operator == "=" else f"NOT COALESCE({within}, false)"
        bound, comparison = {"<": (start, "<"), "<=": (after, "<"), ">": (after, ">="), ">=": (start, ">=")}[operator]
        return f"v.released_at {comparison} {self.param(bound, 'date')}"

    def term_date(self, t: Term) -> str:
        operator = SQL_OPERATORS[t.operator]
        try:
            return f"v.released_at {operator} {self.param(date.fromisoformat(t.value), 'date')}"
        except ValueError:
            pass
        code = t.value.lower()
        if not _SET_CODE.match(code):
            raise self.error(t, "date expects YYYY-MM-DD or a set code")
        code_param = self.param(code, "text")
        # A set created from its cards may lack a date: its earliest printing's date stands in.
        released = (f"COALESCE((SELECT released_at FROM card_catalog.sets WHERE code = {code_param}), "
                    f"(SELECT min(released_at) FROM card_catalog.card_versions WHERE set_code = {code_param}))")
        return f"v.released_at {operator} {released}"

    def term_oracleid(self, t: Term) -> str:
        try:
            value = uuid.UUID(t.value)
        except ValueError:
            raise self.error(t, "oracleid expects a UUID") from None
        return f"o.oracle_id = {self.param(value, 'uuid')}"


def _stat_field(value: str) -> str | None:
    canonical = KEYWORD_ALIASES.get(value.lower())
    return canonical if canonical in ("pow", "tou", "loy", "mv") else None


def compile_query(query: str | Node, *, first_param: int = 1, extra_terms: tuple[Term, ...] = ()) -> CompiledQuery:
    """Parse (if needed) and compile; `extra_terms` are ANDed in (the endpoint's simple filters)."""
    tree = parse_query(query) if isinstance(query, str) else query
    if extra_terms:
        tree = And((tree, *extra_terms))
    compiler = _Compiler(first_param)
    condition = compiler.compile(tree) or "true"
    options = compiler.options
    if compiler.extra_type_requested:
        options.include_extras = True
    extras = [] if options.include_extras else ["NOT o.is_extra"]
    # As on Scryfall, searches show English printings unless a lang: term says otherwise.
    language = [] if options.has_lang_term else ["v.lang = 'en'"]
    where = " AND ".join([condition, *extras, *language])
    oracle_where = None
    printing_level = (compiler.printing_level or compiler.preference is not None
                      or options.order in PRINTING_ORDER_KEYS)
    if not printing_level and not options.has_lang_term and options.unique == "cards":
        oracle_where = " AND ".join([condition, *extras])
    return CompiledQuery(where=where, params=compiler.params, options=options, order_sql=ORDER_SQL[options.order],
                         uses_sets=compiler.uses_sets, oracle_where=oracle_where,
                         preference_sql=compiler.preference,
                         statement_timeout_ms=REGEX_STATEMENT_TIMEOUT_MS if compiler.uses_regex else None)
