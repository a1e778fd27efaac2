"""The line source: BOM, encodings and their error positions, long lines, streaming."""
from __future__ import annotations

import io

import pytest

from backend.new_services.user_collection.formats import read_collection
from backend.new_services.user_collection.formats.records import ImportFileError
from backend.new_services.user_collection.formats.source import LineSource


def test_lines_keep_their_endings_and_numbers_and_the_bom_is_dropped():
    source = LineSource(io.BytesIO(b"\xef\xbb\xbfCount,Name\r\n1,S\xc3\xa9ance\n2,Shock"))
    assert next(source) == "Count,Name\r\n"
    assert source.line_number == 1
    assert list(source) == ["1,Séance\n", "2,Shock"]
    assert source.line_number == 3


def test_invalid_utf8_is_reported_with_its_line_and_byte_offset():
    data = b"Count,Name\n1,Shock\n2,Caf\xe9 Ice\n"  # Latin-1 "é"
    source = LineSource(io.BytesIO(data))
    with pytest.raises(ImportFileError) as caught:
        list(source)
    error = caught.value
    assert (error.line, error.byte_offset) == (3, data.index(b"\xe9"))
    assert "not valid UTF-8 at byte offset 24 (byte 6 of this line)" in str(error)
    assert "save or export it as UTF-8" in str(error)


def test_a_bom_does_not_shift_the_reported_offset():
    data = b"\xef\xbb\xbfCount,Name\n1,\xff\n"
    with pytest.raises(ImportFileError) as caught:
        list(LineSource(io.BytesIO(data)))
    assert caught.value.byte_offset == data.index(b"\xff")


def test_utf16_is_refused_with_advice():
    with pytest.raises(ImportFileError, match="UTF-16; save or export it as UTF-8") as caught:
        next(LineSource(io.BytesIO("Count,Name\n".encode("utf-16"))))
    assert caught.value.line == 1


def test_an_endless_line_is_refused_without_reading_it_all():
    with pytest.raises(ImportFileError, match="longer than 64 bytes") as caught:
        list(LineSource(io.BytesIO(b"x" * 1000), max_line_bytes=64))
    assert caught.value.line == 1


def test_a_raw_unbuffered_stream_is_read_through_a_buffer(tmp_path):
    path = tmp_path / "list.txt"
    path.write_bytes(b"4 Shock\n1 Sol Ring\n")
    with open(path, "rb", buffering=0) as raw:
        assert list(LineSource(raw)) == ["4 Shock\n", "1 Sol Ring\n"]


class _CountingStream(io.RawIOBase):
    """A large file produced on demand, counting how much of it has been read."""

    def __init__(self, header: bytes, line: bytes, lines: int):
        self._chunks = iter([header] + [line] * lines)
        self._pending = b""
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        self.bytes_read += size
        return size


def test_the_file_is_streamed_not_read_whole():
    stream = _CountingStream(b"Count,Name,Edition\n", b"1,Lightning Bolt,m11\n", 500_000)  # about 10 MB
    rows = read_collection(stream)
    first = next(rows)
    assert first.name == "Lightning Bolt"
    assert stream.bytes_read < 64 * 1024
