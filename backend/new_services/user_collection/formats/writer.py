"""Writing a collection in an app's own layout, as a stream of str chunks for a streaming response.

One table-driven CSV writer serves every app (csv_formats.py gives the columns, their order and the
app's spellings); deck lists are written by text_list.py. Line endings are the app's own: CRLF for
ManaBox (as its exports have), LF for the others.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator

from backend.new_services.user_collection.formats.csv_formats import CSV_FORMATS, FORMAT_NAMES, Column, CsvFormat
from backend.new_services.user_collection.formats.records import ExportEntry
from backend.new_services.user_collection.formats.text_list import write_text_list

_CASES: dict[str | None, Callable[[str], str]] = {
    None: str, "upper": str.upper, "lower": str.lower, "title": str.title}


def write_collection(entries: Iterable[ExportEntry], *, format: str, chunk_rows: int = 500,
                     header: bool = True) -> Iterator[str]:
    """The file's text in chunks of about `chunk_rows` rows (the header comes with the first chunk;
    `header=False` continues a file whose earlier entries were written by another call)."""
    if format == "text":
        return write_text_list(entries, chunk_lines=chunk_rows)
    if format not in CSV_FORMATS:
        raise ValueError(f"unknown export format {format!r}; choose one of {', '.join(FORMAT_NAMES)}")
    return _write_csv(entries, CSV_FORMATS[format], chunk_rows, header)


def _write_csv(entries: Iterable[ExportEntry], spec: CsvFormat, chunk_rows: int, header: bool = True) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=spec.line_terminator,
                        quoting=csv.QUOTE_ALL if spec.quote_all else csv.QUOTE_MINIMAL)
    if header:
        writer.writerow([column.header for column in spec.columns])
    cells = [_cell_writer(column) for column in spec.columns]
    for count, entry in enumerate(entries, 1):
        writer.writerow([cell(entry) for cell in cells])
        if count % chunk_rows == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if tail := buffer.getvalue():
        yield tail


def _cell_writer(column: Column) -> Callable[[ExportEntry], str]:
    """entry -> this column's cell, in the app's spelling."""
    field, constant = column.field, column.constant
    if field is None:
        return lambda entry: constant
    if column.spelling is not None:
        spelling = column.spelling

        def spelled(entry: ExportEntry) -> str:
            value = getattr(entry, field)
            if value is None:
                return ""
            try:
                return spelling[value]
            except KeyError:
                raise ValueError(f"{field} {value!r} of {entry.name!r} has no spelling in this format") from None
        return spelled
    if field == "tags":
        return lambda entry: ", ".join(entry.tags)
    if field == "purchase_price":
        return lambda entry: "" if entry.purchase_price is None else format(entry.purchase_price, "f")
    convert = _CASES[column.case]
    # Everything else is a str, int, UUID or date whose str() is what every app writes.
    return lambda entry: "" if (value := getattr(entry, field)) is None else convert(str(value))
