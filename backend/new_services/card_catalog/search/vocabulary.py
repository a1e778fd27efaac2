"""The query language's words: keyword aliases, colour names, rarities, formats, `is:` flags."""
from __future__ import annotations

# Written keyword -> canonical keyword.
KEYWORD_ALIASES: dict[str, str] = {
    "name": "name",
    "c": "color", "color": "color", "colour": "color",
    "id": "identity", "identity": "identity", "ci": "identity",
    "t": "type", "type": "type",
    "o": "oracle", "oracle": "oracle",
    "text": "fulltext", "fulltext": "fulltext",
    "kw": "keyword", "keyword": "keyword",
    "a": "artist", "artist": "artist",
    "ft": "flavor", "flavor": "flavor",
    "mv": "mv", "cmc": "mv", "manavalue": "mv",
    "pow": "pow", "power": "pow",
    "tou": "tou", "toughness": "tou",
    "loy": "loy", "loyalty": "loy",
    "r": "rarity", "rarity": "rarity",
    "s": "set", "e": "set", "set": "set", "edition": "set",
    "cn": "cn", "number": "cn",
    "st": "settype",
    "lang": "lang", "language": "lang",
    "f": "format", "format": "format", "legal": "format",
    "banned": "banned", "restricted": "restricted",
    "is": "is", "not": "not",
    "usd": "usd", "eur": "eur", "tix": "tix",
    "year": "year", "date": "date",
    "oracleid": "oracleid",
    "unique": "unique", "order": "order", "direction": "direction", "dir": "direction",
    "include": "include",
}

ALL_OPERATORS = frozenset({":", "=", "!=", "<", "<=", ">", ">="})
EQUALITY_OPERATORS = frozenset({":", "=", "!="})
MATCH_OPERATORS = frozenset({":", "="})

# Canonical keyword -> operators it accepts.
KEYWORD_OPERATORS: dict[str, frozenset[str]] = {
    "name": MATCH_OPERATORS, "exact": MATCH_OPERATORS,
    "color": ALL_OPERATORS, "identity": ALL_OPERATORS,
    "type": MATCH_OPERATORS, "oracle": MATCH_OPERATORS, "fulltext": MATCH_OPERATORS,
    "keyword": MATCH_OPERATORS, "artist": MATCH_OPERATORS, "flavor": MATCH_OPERATORS,
    "mv": ALL_OPERATORS, "pow": ALL_OPERATORS, "tou": ALL_OPERATORS, "loy": ALL_OPERATORS,
    "rarity": ALL_OPERATORS, "set": EQUALITY_OPERATORS, "cn": ALL_OPERATORS,
    "settype": EQUALITY_OPERATORS, "lang": EQUALITY_OPERATORS,
    "format": MATCH_OPERATORS, "banned": MATCH_OPERATORS, "restricted": MATCH_OPERATORS,
    "is": MATCH_OPERATORS, "not": MATCH_OPERATORS,
    "usd": ALL_OPERATORS, "eur": ALL_OPERATORS, "tix": ALL_OPERATORS,
    "year": ALL_OPERATORS, "date": ALL_OPERATORS, "oracleid": MATCH_OPERATORS,
    "unique": MATCH_OPERATORS, "order": MATCH_OPERATORS, "direction": MATCH_OPERATORS,
    "include": MATCH_OPERATORS,
}

# Keywords that change how results are shown rather than which cards match.
DISPLAY_KEYWORDS = frozenset({"unique", "order", "direction", "include"})

COLOR_BITS = {"w": 1, "u": 2, "b": 4, "r": 8, "g": 16}
ALL_COLORS = 31

COLOR_NAMES: dict[str, str] = {
    "white": "w", "blue": "u", "black": "b", "red": "r", "green": "g",
    "colorless": "c", "colourless": "c", "multicolor": "m", "multicolour": "m", "multi": "m",
    # Guilds.
    "azorius": "wu", "dimir": "ub", "rakdos": "br", "gruul": "rg", "selesnya": "gw",
    "orzhov": "wb", "izzet": "ur", "golgari": "bg", "boros": "rw", "simic": "gu",
    # Shards and wedges.
    "bant": "gwu", "esper": "wub", "grixis": "ubr", "jund": "brg", "naya": "rgw",
    "abzan": "wbg", "jeskai": "urw", "sultai": "bgu", "mardu": "rwb", "temur": "gur",
    # Strixhaven colleges.
    "silverquill": "wb", "prismari": "ur", "witherbloom": "bg", "lorehold": "rw", "quandrix": "gu",
    # Four colours (named after the missing one's Nephilim) and all five.
    "chaos": "ubrg", "glint": "ubrg", "aggression": "wbrg", "dune": "wbrg", "altruism": "wurg",
    "ink": "wurg", "growth": "wubg", "witch": "wubg", "artifice": "wubr", "yore": "wubr",
    "wubrg": "wubrg", "fivecolor": "wubrg", "rainbow": "wubrg",
}

RARITY_RANKS: dict[str, int] = {
    "common": 0, "c": 0, "uncommon": 1, "u": 1, "rare": 2, "r": 2,
    "special": 3, "s": 3, "mythic": 4, "m": 4, "bonus": 5, "b": 5,
}

FORMATS = frozenset({
    "standard", "future", "historic", "timeless", "gladiator", "pioneer", "explorer", "modern",
    "legacy", "pauper", "vintage", "penny", "commander", "oathbreaker", "standardbrawl", "brawl",
    "alchemy", "paupercommander", "duel", "oldschool", "premodern", "predh", "historicbrawl",
})

LANGUAGES: dict[str, str] = {
    "en": "en", "english": "en", "es": "es", "spanish": "es", "fr": "fr", "french": "fr",
    "de": "de", "german": "de", "it": "it", "italian": "it", "pt": "pt", "portuguese": "pt",
    "ja": "ja", "japanese": "ja", "ko": "ko", "korean": "ko", "ru": "ru", "russian": "ru",
    "zhs": "zhs", "zht": "zht", "he": "he", "hebrew": "he", "la": "la", "latin": "la",
    "grc": "grc", "greek": "grc", "ar": "ar", "arabic": "ar", "sa": "sa", "sanskrit": "sa",
    "ph": "ph", "phyrexian": "ph", "qya": "qya", "quenya": "qya",
}

IS_FLAGS = frozenset({
    "foil", "nonfoil", "etched", "promo", "digital", "reprint", "dfc", "split", "transform",
    "mdfc", "full", "fullart", "spell", "permanent", "vanilla", "commander", "reserved",
    "flip", "meld", "adventure", "token", "extra",
})

UNIQUE_MODES = frozenset({"cards", "prints", "art"})
ORDER_KEYS = frozenset({"name", "set", "released", "rarity", "usd", "eur", "tix", "cmc", "power", "toughness"})
DIRECTIONS = frozenset({"asc", "desc", "auto"})
INCLUDE_VALUES = frozenset({"extras"})

# `t:` values that ask for extra objects, so searching for them shows them (as Scryfall does).
EXTRA_TYPES = frozenset({"token", "emblem", "plane", "phenomenon", "scheme", "vanguard", "card"})
