"""Reading a collection file: find out what it is, then yield an ImportRow or a RowError per data row.

One table-driven CSV reader serves every app (the specs are in csv_formats.py); deck lists are read
by text_list.py. The file is streamed line by line; nothing is kept after its row is yielded.
"""
from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO

from backend.new_services.user_collection.formats import values as v
from backend.new_services.user_collection.formats.csv_formats import (
    FORMAT_NAMES,
    IDENTIFIER_FIELDS,
    CsvFormat,
    locate_columns,
)
from backend.new_services.user_collection.formats.detect import (
    choose_format,
    sep_line_delimiter,
    sniff_header,
    split_header,
)
from backend.new_services.user_collection.formats.records import ImportFileError, ImportRow, RowError
from backend.new_services.user_collection.formats.source import LineSource
from backend.new_services.user_collection.formats.text_list import read_text_list

_PARSERS: dict[str, Callable[[str], object]] = {
    "quantity": v.parse_quantity, "name": v.clean, "set_code": v.parse_set_code, "set_name": v.clean,
    "collector_number": v.clean, "language": v.parse_language, "finish": v.parse_finish,
    "condition": v.parse_condition, "scryfall_id": v.parse_uuid, "tcgplayer_product_id": v.parse_id,
    "multiverse_id": v.parse_id, "purchase_price": v.parse_price, "purchase_currency": v.parse_currency,
    "acquired_at": v.parse_date, "tags": v.parse_tags, "notes": v.clean,
}


# Fields whose cells repeat from row to row (a few conditions, languages, sets, dates, prices): their
# parsers are pure functions of the cell, so each file's reader remembers what a cell parsed to.
_REPEATING = frozenset({"quantity", "set_code", "set_name", "language", "finish", "condition", "purchase_price",
                        "purchase_currency", "acquired_at", "tags"})
_MEMO_CELLS = 4096   # per field: a column of distinct values stops being remembered there


def _memoised(parse: Callable[[str], object]) -> Callable[[str], object]:
    memo: dict[str, object] = {}

    def parse_cell(cell: str) -> object:
        try:
            return memo[cell]
        except KeyError:
            value = parse(cell)          # a bad cell raises: never remembered
            if len(memo) < _MEMO_CELLS:
                memo[cell] = value
            return value
    return parse_cell


class CollectionReader:
    """An iterator of ImportRow | RowError; what the file is (`format`, `headers`, `delimiter`) is
    known as soon as it is made, before the first row is read."""

    def __init__(self, rows: Iterator[ImportRow | RowError], *, format: str,
                 headers: tuple[str, ...] = (), delimiter: str | None = None):
        self._rows = rows
        self.format = format
        self.headers = headers
        self.delimiter = delimiter

    def __iter__(self) -> CollectionReader:
        return self

    def __next__(self) -> ImportRow | RowError:
        return next(self._rows)


def read_collection(stream: BinaryIO, *, format: str = "auto") -> CollectionReader:
    """Detect (or take) the file's format and read its rows lazily.

    `format` is "auto" or one of FORMAT_NAMES. Raises ImportFileError at once for an empty file or
    an unknown header, and while iterating for a problem that stops the rest of the file from being
    read (invalid UTF-8, a quote never closed).
    """
    if format != "auto" and format not in FORMAT_NAMES:
        raise ImportFileError(f"unknown format {format!r}; choose auto or one of {', '.join(FORMAT_NAMES)}")
    source = LineSource(stream)
    first = _next_content_line(source)
    if first is None:
        raise ImportFileError("the file is empty: export your collection again, or paste a deck list")
    if format == "text":
        return _text_reader(source, first)
    delimiter = sep_line_delimiter(first)
    if delimiter is not None:  # Excel's `sep=;` hint line: the header follows it
        first = _next_content_line(source)
        if first is None:
            raise ImportFileError("the file has a `sep=` line but no header row after it", line=source.line_number)
        headers = split_header(first, delimiter)
    elif (sniffed := sniff_header(first)) is not None:
        delimiter, headers = sniffed
    elif format == "auto":
        return _text_reader(source, first)
    else:  # a CSV format was asked for: let choose_format say which columns are missing
        delimiter, headers = ",", split_header(first, ",")
    spec = choose_format(headers, line=source.line_number, forced=None if format == "auto" else format)
    return CollectionReader(_csv_rows(source, spec, headers, delimiter), format=spec.name,
                            headers=tuple(headers), delimiter=delimiter)


def _next_content_line(source: LineSource) -> str | None:
    return next((line for line in source if line.strip()), None)


def _text_reader(source: LineSource, first: str) -> CollectionReader:
    numbered = itertools.chain([(source.line_number, first)], ((source.line_number, line) for line in source))
    return CollectionReader(read_text_list(numbered), format="text")


def _csv_rows(source: LineSource, spec: CsvFormat, headers: Sequence[str],
              delimiter: str) -> Iterator[ImportRow | RowError]:
    located = locate_columns(spec, headers)
    # In file order, so the error reported for a row with several bad cells is its leftmost one.
    plan = sorted((index, header, field, _memoised(_PARSERS[field]) if field in _REPEATING else _PARSERS[field])
                  for field, (index, header) in located.items())
    identifier_header = next(located[field][1] for field in IDENTIFIER_FIELDS if field in located)
    keys = tuple(headers)
    # strict: a malformed quoted field stops the read with its line instead of silently eating rows.
    reader = csv.reader(source, delimiter=delimiter, skipinitialspace=True, strict=True)
    while True:
        line = source.line_number + 1  # csv pulls exactly the lines of one record: this is its first
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileError(_quoting_problem(str(error)), line=line) from None
        if not "".join(cells).strip():  # blank lines and Excel's ",,,," rows
            continue
        yield _convert(line, cells, plan, keys, identifier_header)


def _convert(line: int, cells: list[str], plan: list, keys: tuple[str, ...],
             identifier_header: str) -> ImportRow | RowError:
    fields: dict[str, object] = {}
    width = len(cells)
    for index, header, field, parse in plan:
        cell = cells[index] if index < width else ""
        try:
            fields[field] = parse(cell)
        except ValueError as error:
            return RowError(line, header, cell, str(error))
    condition, implied_finish = fields.pop("condition", (None, None))
    fields["condition"] = condition
    if implied_finish and fields.get("finish", "nonfoil") == "nonfoil":
        fields["finish"] = implied_finish  # "Near Mint Foil" with no (or a "Normal") finish column
    amount, currency = fields.pop("purchase_price", (None, None))
    fields["purchase_price"] = amount
    if currency and not fields.get("purchase_currency"):
        fields["purchase_currency"] = currency  # "$1.98": the symbol is the only currency given
    if all(fields.get(field) is None for field in IDENTIFIER_FIELDS):
        return RowError(line, identifier_header, "", "no card name or id in this row")
    return ImportRow(line=line, raw=dict(zip(keys, cells)), **fields)


def _quoting_problem(message: str) -> str:
    if "unexpected end of data" in message:
        return ("a quoted value that starts on this line is never closed (an unbalanced \" character), "
                "so the rest of the file cannot be read")
    if "field larger than field limit" in message:
        return ("a value that starts on this line runs on for too long: a quoted value is probably never "
                "closed (an unbalanced \" character)")
    if "expected after" in message:
        return ("a quoted value is followed by other characters before the next delimiter; a \" inside a "
                "quoted value must be doubled (\"\")")
    if "new-line character" in message:
        return "a value contains a lone carriage return; save the file with ordinary line breaks"
    return f"the file cannot be read as CSV ({message})"
