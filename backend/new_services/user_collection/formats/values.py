"""Reading one cell into a canonical value: quantity, condition, finish, language, price, ids, dates, tags.

Every app's spelling is accepted by every format (users edit exports by hand and mix them), so these
tables are universal. A bad value raises ValueError with a reason a user can act on; the reader turns
it into a RowError naming the line and column.

Conditions (TCGplayer's five grades; Cardmarket-style grades folded in, Mint counted as NM):
    NM  <- NM, M, MT, Mint, Near Mint, NearMint, near_mint
    LP  <- LP, SP, EX, Lightly/Light/Slightly Played, Excellent, "Good (Lightly Played)" (Deckbox)
    MP  <- MP, GD, PL, Moderately Played, Good, Played (Deckbox's grade between LP and HP)
    HP  <- HP, Heavily Played
    DMG <- DMG, D, PO, Damaged, Poor
  A finish word after the grade ("Near Mint Foil", TCGplayer) sets the finish when no finish
  column says foil/etched. Empty: None (not stated).
Finishes: empty, normal, false, regular -> nonfoil; foil, true, holofoil -> foil; etched, foil etched
  -> etched; a list ("foil, signed", Helvault's extras) -> the finish word in it.
Languages: the catalogue's table (codes and English names, search/vocabulary.py) plus app spellings
  ("Chinese (S)", "Chinese Simplified", zh_CN, jp, kr, pt-BR, ...) and locale tags (de_DE -> de).
Prices: an optional currency symbol or code ($ -> USD, € -> EUR, £ -> GBP, ¥ -> JPY, "USD 1.50");
  "1,234.50" and "1.234,50" are both 1234.50; commas in groups of three are thousands ("1,234" is
  1234); any other comma is a decimal comma ("1,98" -> 1.98, from `sep=;` spreadsheets).
  Negative -> error.
"""
from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal, InvalidOperation

from backend.new_services.card_catalog.search.vocabulary import LANGUAGES

MAX_QUANTITY = 100_000

_SQUASH = str.maketrans("", "", " _-.")  # "Near Mint", "near_mint", "NearMint" -> "nearmint"


def _squash(text: str) -> str:
    return text.lower().translate(_SQUASH)


_CONDITION_WORDS: dict[str, tuple[str, ...]] = {
    "NM": ("nm", "m", "mt", "mint", "nearmint", "nm/m", "nm-m", "mint/nearmint"),
    "LP": ("lp", "sp", "ex", "excellent", "lightlyplayed", "lightplayed", "slightlyplayed",
           "good(lightlyplayed)", "ex/lp"),
    "MP": ("mp", "gd", "pl", "moderatelyplayed", "good", "played"),
    "HP": ("hp", "heavilyplayed", "heavyplayed"),
    "DMG": ("dmg", "d", "po", "poor", "damaged"),
}
CONDITION_BY_WORD: dict[str, str] = {_squash(w): grade for grade, words in _CONDITION_WORDS.items() for w in words}

_FINISH_WORDS: dict[str, tuple[str, ...]] = {
    "nonfoil": ("", "normal", "nonfoil", "non-foil", "regular", "false", "no", "n", "0"),
    "foil": ("foil", "true", "yes", "y", "1", "holofoil", "foiled", "premium foil"),
    "etched": ("etched", "etched foil", "foil etched", "foil_etched", "etchedfoil", "e"),
}
FINISH_BY_WORD: dict[str, str] = {_squash(w): finish for finish, words in _FINISH_WORDS.items() for w in words}
# Finish words TCGplayer appends to a condition ("Near Mint Foil", "Lightly Played Holofoil").
_CONDITION_SUFFIX = re.compile(r"^(?P<grade>.*?)[\s_-]+(?P<finish>foil etched|etched foil|etched|holofoil|foil)$",
                               re.IGNORECASE)

# App spellings that the catalogue's language table (codes and English names) does not have.
_EXTRA_LANGUAGES: dict[str, str] = {
    "chinese": "zhs", "chinese (s)": "zhs", "chinese simplified": "zhs", "simplified chinese": "zhs",
    "chinese-simplified": "zhs", "zh": "zhs", "zh_cn": "zhs", "zh-cn": "zhs", "zh-hans": "zhs", "cs": "zhs",
    "chinese (t)": "zht", "chinese traditional": "zht", "traditional chinese": "zht",
    "chinese-traditional": "zht", "zh_tw": "zht", "zh-tw": "zht", "zh-hant": "zht", "zh_hk": "zht",
    "ct": "zht", "tw": "zht",
    "jp": "ja", "jpn": "ja", "kr": "ko", "sp": "es", "eng": "en",
    "portuguese (brazil)": "pt", "portuguese (brazilian)": "pt", "brazilian portuguese": "pt",
    "pt_br": "pt", "pt-br": "pt", "ancient greek": "grc",
    "deutsch": "de", "français": "fr", "francais": "fr", "español": "es", "espanol": "es",
    "italiano": "it", "português": "pt", "日本語": "ja", "한국어": "ko", "русский": "ru",
    "简体中文": "zhs", "繁體中文": "zht",
}
LANGUAGE_BY_WORD: dict[str, str] = {**LANGUAGES, **_EXTRA_LANGUAGES}
LANGUAGE_CODES = frozenset(LANGUAGES.values())

_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_PRICE = re.compile(r"^(?P<pre>[A-Za-z]{3}|[$€£¥])?\s*(?P<number>[0-9][0-9.,]*|\.[0-9]+)"
                    r"\s*(?P<post>[A-Za-z]{3}|[$€£¥])?$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_GROUPED_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s.*)?$")


def clean(text: str) -> str | None:
    text = text.strip()
    return text or None


def parse_quantity(text: str) -> int:
    text = text.strip()
    if not text:
        raise ValueError("the quantity is empty; write how many copies you have (1 or more)")
    if not (text.isascii() and text.isdigit()):
        if text.startswith("-") and text[1:].isdigit():
            raise ValueError("the quantity is negative; write how many copies you have (1 or more)")
        raise ValueError("the quantity is not a whole number")
    quantity = int(text)
    if quantity == 0:
        raise ValueError("the quantity is 0; remove the row or write 1 or more")
    if quantity > MAX_QUANTITY:
        raise ValueError(f"the quantity is more than {MAX_QUANTITY:,}; is this column really a quantity?")
    return quantity


def parse_condition(text: str) -> tuple[str | None, str | None]:
    """The grade, and the finish a TCGplayer-style suffix implies ("Near Mint Foil" -> NM, foil)."""
    key = _squash(text.strip())
    if not key:
        return None, None
    grade = CONDITION_BY_WORD.get(key)
    if grade is not None:
        return grade, None
    match = _CONDITION_SUFFIX.match(text.strip())
    if match and (grade := CONDITION_BY_WORD.get(_squash(match["grade"]))):
        return grade, FINISH_BY_WORD[_squash(match["finish"])]
    raise ValueError("unknown condition; use Near Mint, Lightly Played, Moderately Played, Heavily Played "
                     "or Damaged (or NM, LP, MP, HP, DMG)")


def parse_finish(text: str) -> str:
    finish = FINISH_BY_WORD.get(_squash(text.strip()))
    if finish is None:
        # Helvault's "extras" is a list ("foil, signed"): the finish is whichever word names one.
        words = {FINISH_BY_WORD.get(_squash(w)) for w in re.split(r"[,;|]", text)}
        finish = "etched" if "etched" in words else "foil" if "foil" in words else None
    if finish is None:
        raise ValueError("unknown finish; use nonfoil (or empty), foil or etched")
    return finish


def parse_language(text: str) -> str | None:
    key = text.strip().lower()
    if not key:
        return None
    code = LANGUAGE_BY_WORD.get(key)
    if code is None and len(key) == 5 and key[2] in "_-":  # locale tags: de_DE, fr-FR, ja_JP
        code = LANGUAGE_BY_WORD.get(key[:2])
    if code is None:
        raise ValueError("unknown language; use a name such as English or Japanese, or a code such as en, ja, zhs")
    return code


def parse_price(text: str) -> tuple[Decimal | None, str | None]:
    """The amount, and the currency its symbol or code names ("$1.98" -> 1.98, USD)."""
    text = text.strip()
    if not text:
        return None, None
    match = _PRICE.match(text)
    if match is None or (match["pre"] and match["post"]):
        raise ValueError("the price is not a number" + (" (negative prices are not allowed)" if "-" in text else ""))
    mark = match["pre"] or match["post"]
    currency = _CURRENCY_SYMBOLS.get(mark, mark.upper()) if mark else None
    number = match["number"]
    if "," in number:
        if "." in number:
            # Whichever separator comes last is the decimal one: 1,234.50 and 1.234,50.
            grouping = "," if number.rfind(",") < number.rfind(".") else "."
            number = number.replace(grouping, "")
        elif _GROUPED_THOUSANDS.match(number):
            number = number.replace(",", "")
        number = number.replace(",", ".")
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise ValueError("the price is not a number") from None
    if not amount.is_finite():
        raise ValueError("the price is not a number")
    return amount, currency


def parse_currency(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    currency = _CURRENCY_SYMBOLS.get(text, text.upper())
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise ValueError("unknown currency; use a three-letter code such as USD or EUR")
    return currency


def parse_uuid(text: str) -> uuid.UUID | None:
    text = text.strip()
    if not text:
        return None
    if not _UUID.match(text):  # only the canonical 8-4-4-4-12 form, as Scryfall writes it
        raise ValueError("not a Scryfall id (expected a UUID like 0000579f-7b35-4ed3-b44c-db2a538066fe)")
    return uuid.UUID(text)


def parse_id(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) == 0:
        raise ValueError("not an id (expected a positive whole number)")
    return int(text)


def parse_date(text: str) -> datetime.date | None:
    """ISO dates and date-times (the time is dropped), or US month/day/year."""
    text = text.strip()
    if not text:
        return None
    try:
        if match := _DATE.match(text):
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _US_DATE.match(text):
            return datetime.date(int(match[3]), int(match[1]), int(match[2]))
    except ValueError:
        pass
    raise ValueError("not a date (expected YYYY-MM-DD)")


def parse_tags(text: str) -> tuple[str, ...]:
    return tuple(tag for tag in (part.strip() for part in text.split(",")) if tag)


def parse_set_code(text: str) -> str | None:
    text = text.strip()
    return text.lower() if text else None
