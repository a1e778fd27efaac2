"""Collection files in the formats collectors already have: detection, parsing, validation, writing.

Pure Python: no database, no web framework, no I/O beyond the stream it is handed.

    reader = read_collection(upload.file, format="auto")      # reader.format == "moxfield"
    for row in reader:                                         # ImportRow | RowError, one per data row
        ...
    chunks = write_collection(entries, format="manabox")       # Iterator[str], for a streaming response

Formats: manabox, moxfield, archidekt, tcgplayer, dragonshield, deckbox, helvault, mtggoldfish (CSV)
and text (deck lists). FIELD_SUPPORT says which fields each carries; FINISH_SUPPORT which finishes.
"""
from backend.new_services.user_collection.formats.csv_formats import (
    CSV_FORMATS,
    FIELD_SUPPORT,
    FINISH_SUPPORT,
    FORMAT_NAMES,
)
from backend.new_services.user_collection.formats.reader import CollectionReader, read_collection
from backend.new_services.user_collection.formats.records import (
    CONDITIONS,
    FINISHES,
    ExportEntry,
    ImportFileError,
    ImportRow,
    RowError,
)
from backend.new_services.user_collection.formats.writer import write_collection

__all__ = [
    "CONDITIONS", "CSV_FORMATS", "FIELD_SUPPORT", "FINISHES", "FINISH_SUPPORT", "FORMAT_NAMES",
    "CollectionReader", "ExportEntry", "ImportFileError", "ImportRow", "RowError",
    "read_collection", "write_collection",
]
