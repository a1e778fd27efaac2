"""One declarative spec per app's CSV layout: its headers (in the order the app writes them), the
field each carries, and how the app spells values; plus FIELD_SUPPORT, what each format keeps.

The reader, the writer and format detection are driven by these specs alone, so adding an app is
adding a spec here. Column order is the app's own; headers are matched by name on reading
(case-insensitively, surrounding spaces ignored), never by position.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from backend.new_services.user_collection.formats import spellings as sp

# Fields that name a card; a file needs one of them (and a quantity) to be importable.
IDENTIFIER_FIELDS = ("name", "scryfall_id", "tcgplayer_product_id", "multiverse_id")
# ImportRow fields a column can fill (ExportEntry also has `rarity`, written but never read back).
IMPORT_FIELDS = frozenset({
    "quantity", "name", "set_code", "set_name", "collector_number", "language", "finish", "condition",
    "scryfall_id", "tcgplayer_product_id", "multiverse_id", "purchase_price", "purchase_currency",
    "acquired_at", "tags", "notes",
})


@dataclass(frozen=True)
class Column:
    header: str  # as the app writes it
    field: str | None  # ExportEntry/ImportRow field; None: written as `constant`, ignored on reading
    aliases: tuple[str, ...] = ()  # other headers meaning the same (other versions, other settings)
    spelling: Mapping[str, str] | None = None  # canonical value -> the app's word
    case: str | None = None  # "upper" | "lower" | "title": how the app writes set codes, rarities
    constant: str = ""
    preferred: bool = False  # when two columns fill one field, read this one (TCGplayer's Simple Name)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


@dataclass(frozen=True)
class CsvFormat:
    name: str
    label: str
    columns: tuple[Column, ...]
    ignored: tuple[str, ...] = ()  # headers the app writes that carry nothing we import
    quote_all: bool = False
    line_terminator: str = "\n"
    finishes: frozenset[str] = sp.ALL_FINISHES  # finishes its file keeps apart

    @property
    def known_headers(self) -> frozenset[str]:
        return frozenset(normalize_header(n) for c in self.columns for n in c.names) | {
            normalize_header(h) for h in self.ignored}


def normalize_header(header: str) -> str:
    return header.strip().casefold()


def locate_columns(spec: CsvFormat, headers: Sequence[str]) -> dict[str, tuple[int, str]]:
    """field -> (index, header as written) for each importable field this file's header carries."""
    position: dict[str, int] = {}
    for index, header in enumerate(headers):
        position.setdefault(normalize_header(header), index)
    found: dict[str, tuple[int, str]] = {}
    for column in sorted(spec.columns, key=lambda c: not c.preferred):
        if column.field not in IMPORT_FIELDS or column.field in found:
            continue
        for name in column.names:
            index = position.get(normalize_header(name))
            if index is not None:
                found[column.field] = (index, headers[index].strip())
                break
    return found


MANABOX = CsvFormat("manabox", "ManaBox", line_terminator="\r\n", columns=(
    Column("Name", "name"),
    Column("Set code", "set_code", case="upper"),
    Column("Set name", "set_name"),
    Column("Collector number", "collector_number"),
    Column("Foil", "finish", spelling=sp.FINISH_MANABOX),
    Column("Rarity", "rarity", case="lower"),
    Column("Quantity", "quantity"),
    Column("Scryfall ID", "scryfall_id"),
    Column("Purchase price", "purchase_price"),
    Column("Misprint", None, constant="FALSE"),
    Column("Altered", None, constant="FALSE"),
    Column("Signed", None, constant="FALSE"),
    Column("Condition", "condition", spelling=sp.CONDITION_MANABOX),
    Column("Language", "language"),
    Column("Proxy", None, constant="FALSE"),
    Column("Purchase price currency", "purchase_currency"),
    Column("Added", "acquired_at"),
), ignored=("Binder Name", "Binder Type", "ManaBox ID"))

MOXFIELD = CsvFormat("moxfield", "Moxfield", quote_all=True, columns=(
    Column("Count", "quantity"),
    Column("Tradelist Count", None, constant="0"),
    Column("Name", "name"),
    Column("Edition", "set_code", case="lower"),
    Column("Condition", "condition", spelling=sp.CONDITION_WORDS),
    Column("Language", "language", spelling=sp.LANGUAGE_NAMES),
    Column("Foil", "finish", spelling=sp.FINISH_MOXFIELD),
    Column("Tags", "tags"),
    Column("Collector Number", "collector_number"),
    Column("Alter", None, constant="False"),
    Column("Proxy", None, constant="False"),
    Column("Purchase Price", "purchase_price"),
), ignored=("Last Modified",))

ARCHIDEKT = CsvFormat("archidekt", "Archidekt", columns=(
    Column("Quantity", "quantity"),
    Column("Name", "name"),
    Column("Finish", "finish", aliases=("Foil",), spelling=sp.FINISH_ARCHIDEKT),
    Column("Condition", "condition", spelling=sp.CONDITION_ABBREVIATED),
    Column("Date Added", "acquired_at"),
    Column("Language", "language"),
    Column("Purchase Price", "purchase_price"),
    Column("Tags", "tags"),
    Column("Edition Name", "set_name", aliases=("Set Name",)),
    Column("Edition Code", "set_code", aliases=("Set Code",), case="lower"),
    Column("Multiverse Id", "multiverse_id"),
    Column("Scryfall ID", "scryfall_id"),
    Column("Collector Number", "collector_number"),
), ignored=("Oracle ID",))

TCGPLAYER = CsvFormat("tcgplayer", "TCGplayer", finishes=sp.NO_ETCHED, columns=(
    Column("Quantity", "quantity"),
    Column("Name", "name"),
    # "Name" may carry a variant ("Lightning Bolt (Borderless)"); "Simple Name" is the card's name.
    Column("Simple Name", "name", preferred=True),
    Column("Set", "set_name"),
    Column("Card Number", "collector_number"),
    Column("Set Code", "set_code", case="upper"),
    Column("Printing", "finish", spelling=sp.FINISH_PRINTING),
    Column("Condition", "condition", spelling=sp.CONDITION_WORDS),
    Column("Language", "language", spelling=sp.LANGUAGE_TCGPLAYER),
    Column("Rarity", "rarity", case="title"),
    Column("Product ID", "tcgplayer_product_id"),
), ignored=("SKU", "Price", "Price Each"))  # prices are market values at export time, not what was paid

DRAGONSHIELD = CsvFormat("dragonshield", "Dragon Shield", finishes=sp.NO_ETCHED, columns=(
    Column("Quantity", "quantity"),
    Column("Trade Quantity", None, constant="0"),
    Column("Card Name", "name"),
    Column("Set Code", "set_code", case="upper"),
    Column("Set Name", "set_name"),
    Column("Card Number", "collector_number"),
    Column("Condition", "condition", spelling=sp.CONDITION_DRAGONSHIELD),
    Column("Printing", "finish", spelling=sp.FINISH_PRINTING),
    Column("Language", "language", spelling=sp.LANGUAGE_NAMES),
    Column("Price Bought", "purchase_price"),
    Column("Date Bought", "acquired_at"),
), ignored=("Folder Name", "LOW", "MID", "MARKET"))

DECKBOX = CsvFormat("deckbox", "Deckbox", finishes=sp.NO_ETCHED, columns=(
    Column("Count", "quantity"),
    Column("Tradelist Count", None, constant="0"),
    Column("Name", "name"),
    Column("Edition", "set_name"),  # the set's name here; Moxfield's "Edition" is its code
    Column("Edition Code", "set_code", case="upper"),
    Column("Card Number", "collector_number"),
    Column("Condition", "condition", spelling=sp.CONDITION_DECKBOX),
    Column("Language", "language", spelling=sp.LANGUAGE_DECKBOX),
    Column("Foil", "finish", spelling=sp.FINISH_FOIL_WORD),
    Column("Signed", None),
    Column("Artist Proof", None),
    Column("Altered Art", None),
    Column("Misprint", None),
    Column("Promo", None),
    Column("Textless", None),
    Column("Tags", "tags"),
), ignored=("Printing Id", "Printing Note", "My Price"))  # My Price is an asking price, not a cost

HELVAULT = CsvFormat("helvault", "Helvault", quote_all=True, finishes=sp.NO_ETCHED, columns=(
    Column("collector_number", "collector_number"),
    Column("extras", "finish", spelling=sp.FINISH_FOIL_WORD),
    Column("language", "language"),
    Column("name", "name"),
    Column("quantity", "quantity"),
    Column("scryfall_id", "scryfall_id"),
    Column("set_code", "set_code", case="lower"),
    Column("set_name", "set_name"),
), ignored=("oracle_id",))

MTGGOLDFISH = CsvFormat("mtggoldfish", "MTGGoldfish", finishes=sp.NO_ETCHED, columns=(
    Column("Card", "name"),
    Column("Set ID", "set_code", case="lower"),
    Column("Set Name", "set_name"),
    Column("Quantity", "quantity"),
    Column("Foil", "finish", spelling=sp.FINISH_BOOLEAN),
    Column("Variation", None),
    Column("Collector Number", "collector_number"),
    Column("Scryfall ID", "scryfall_id"),
))

# Detection breaks ties in this order (Moxfield before Deckbox: both write Count/Name/Edition).
CSV_FORMATS: dict[str, CsvFormat] = {spec.name: spec for spec in (
    MANABOX, MOXFIELD, ARCHIDEKT, TCGPLAYER, DRAGONSHIELD, DECKBOX, HELVAULT, MTGGOLDFISH)}

TEXT_FIELDS = frozenset({"quantity", "name", "set_code", "collector_number", "finish"})

# format -> the ImportRow fields its file carries (an export in it loses every other field).
FIELD_SUPPORT: dict[str, frozenset[str]] = {
    **{name: frozenset(c.field for c in spec.columns if c.field in IMPORT_FIELDS)
       for name, spec in CSV_FORMATS.items()},
    "text": TEXT_FIELDS,
}
# format -> the finishes its file keeps apart (etched is written as foil where it is missing).
FINISH_SUPPORT: dict[str, frozenset[str]] = {
    **{name: spec.finishes for name, spec in CSV_FORMATS.items()}, "text": sp.ALL_FINISHES}

FORMAT_NAMES = (*CSV_FORMATS, "text")
