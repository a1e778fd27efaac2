"""The query language's words: keyword aliases, colour names, rarities, formats, `is:` flags."""
from __future__ import annotations

# Written keyword -> canonical keyword.
KEYWORD_ALIASES: dict[str, str] = {
    "name": "name",
    "c": "color", "color": "color", "colour": "color",
    "id": "identity", "identity": "identity", "ci": "identity",
    "t": "type", "type": "type",
    "o": "oracle", "oracle": "oracle",
    "fo": "fulloracle", "fulloracle": "fulloracle",
    "m": "mana", "mana": "mana",
    "devotion": "devotion",
    "produces": "produces",
    "pt": "powtou", "powtou": "powtou",
    "game": "game",
    "in": "in",
    "new": "new",
    "border": "border",
    "frame": "frame",
    "stamp": "stamp",
    "wm": "watermark", "watermark": "watermark",
    "has": "has",
    "prints": "prints", "sets": "sets", "paperprints": "paperprints", "papersets": "papersets",
    "artists": "artists", "illustrations": "illustrations",
    "b": "block", "block": "block",
    "cheapest": "cheapest",
    "prefer": "prefer",
    "display": "display",
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
    "fulloracle": MATCH_OPERATORS, "mana": ALL_OPERATORS, "devotion": ALL_OPERATORS,
    "produces": ALL_OPERATORS, "powtou": ALL_OPERATORS, "game": EQUALITY_OPERATORS,
    "in": MATCH_OPERATORS, "new": MATCH_OPERATORS, "border": EQUALITY_OPERATORS,
    "frame": EQUALITY_OPERATORS, "stamp": EQUALITY_OPERATORS, "watermark": EQUALITY_OPERATORS,
    "has": MATCH_OPERATORS, "prints": ALL_OPERATORS, "sets": ALL_OPERATORS,
    "paperprints": ALL_OPERATORS, "papersets": ALL_OPERATORS, "artists": ALL_OPERATORS,
    "illustrations": ALL_OPERATORS, "block": EQUALITY_OPERATORS, "cheapest": MATCH_OPERATORS,
    "prefer": MATCH_OPERATORS, "display": MATCH_OPERATORS,
}

# Keywords whose value may be a /regular expression/.
REGEX_KEYWORDS = frozenset({"name", "type", "oracle", "fulloracle", "flavor"})

# Scryfall keywords that rest on data this catalog does not have: refused (400) rather than
# answered wrongly. Written keyword -> why.
_TAGGER = "Scryfall's Tagger tags are not part of its bulk data, so this catalog does not have them"
REFUSED_KEYWORDS: dict[str, str] = {
    "art": _TAGGER, "atag": _TAGGER, "arttag": _TAGGER,
    "function": _TAGGER, "otag": _TAGGER, "oracletag": _TAGGER,
    "cube": "Scryfall's cube lists are not part of its bulk data, so this catalog does not have them",
}

# Keywords that change how results are shown rather than which cards match.
DISPLAY_KEYWORDS = frozenset({"unique", "order", "direction", "include", "prefer", "display"})

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

UNIQUE_MODES = frozenset({"cards", "prints", "art"})
ORDER_KEYS = frozenset({"name", "set", "released", "rarity", "usd", "eur", "tix", "cmc", "power", "toughness",
                        "color", "edhrec", "artist", "review", "spoiled", "penny"})
DIRECTIONS = frozenset({"asc", "desc", "auto"})
# extras: tokens, emblems, art cards...; multilingual: every language (as lang:any);
# variations: accepted (variation printings are always searched here).
INCLUDE_VALUES = frozenset({"extras", "multilingual", "variations"})
PREFER_VALUES = frozenset({"oldest", "newest", "usd-low", "usd-high", "eur-low", "eur-high", "tix-low",
                           "tix-high", "promo", "default"})
DISPLAY_VALUES = frozenset({"grid", "checklist", "full", "text"})

GAMES = frozenset({"paper", "mtgo", "arena"})
BORDERS = frozenset({"black", "white", "silver", "borderless", "gold", "yellow"})
FRAME_EDITIONS = frozenset({"1993", "1997", "2003", "2015", "future"})
FRAME_EFFECTS = frozenset({
    "legendary", "miracle", "nyxtouched", "nyxborn", "draft", "devoid", "tombstone", "colorshifted", "inverted",
    "sunmoondfc", "compasslanddfc", "originpwdfc", "mooneldrazidfc", "waxingandwaningmoondfc", "showcase",
    "extendedart", "companion", "etched", "snow", "lesson", "shatteredglass", "convertdfc", "fandfc",
    "upsidedowndfc", "spree", "fullart", "textless", "enchantment", "wanted",
})
STAMPS = frozenset({"oval", "acorn", "triangle", "arena", "heart", "circle"})
NEW_VALUES = frozenset({"rarity", "art", "artist", "flavor", "frame", "language"})
HAS_VALUES = frozenset({"watermark", "indicator"})
CHEAPEST_VALUES = frozenset({"usd", "eur", "tix"})
SET_TYPES = frozenset({
    "core", "expansion", "masters", "alchemy", "masterpiece", "arsenal", "from_the_vault", "spellbook",
    "premium_deck", "duel_deck", "draft_innovation", "treasure_chest", "commander", "planechase", "archenemy",
    "vanguard", "funny", "starter", "box", "promo", "token", "memorabilia", "minigame", "unknown",
})
# Promotion kinds Scryfall lists in `promo_types`, searchable as is:<kind>.
PROMO_TYPES = frozenset({
    "tourney", "prerelease", "datestamped", "planeswalkerdeck", "buyabox", "judgegift", "event", "convention",
    "starterdeck", "instore", "setpromo", "fnm", "openhouse", "league", "draftweekend", "gameday", "release",
    "intropack", "giftbox", "duels", "wizardsplaynetwork", "premiereshop", "playerrewards", "gateway",
    "arenaleague", "bundle", "boosterfun", "boxtopper", "brawldeck", "stamped", "promopack", "serialized",
    "textured", "surgefoil", "galaxyfoil", "halofoil", "stepandcompleat", "oilslick", "neonink", "confettifoil",
    "doublerainbow", "rainbowfoil", "embossed", "gilded", "rebalanced", "poster", "thick", "jpwalker", "schinesealtart",
    "playpromo", "godzillaseries", "ampersand", "scroll", "silverfoil", "raisedfoil",
})

# `t:` values that ask for extra objects, so searching for them shows them (as Scryfall does).
EXTRA_TYPES = frozenset({"token", "emblem", "plane", "phenomenon", "scheme", "vanguard", "card"})
