"""An uploaded file as a stream of decoded physical lines, with the line number and byte offset of
each, so an encoding problem is reported where it is. Never holds more than one line in memory."""
from __future__ import annotations

import io
from typing import BinaryIO

from backend.new_services.user_collection.formats.records import ImportFileError

MAX_LINE_BYTES = 1 << 20  # no collection line is this long; a longer one means a binary or broken file
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class LineSource:
    """Iterates the file's lines (line endings kept, as the csv module wants them).

    Lines are split on b"\\n" before decoding: in UTF-8 that byte never occurs inside a character, so
    each line decodes alone and an invalid byte is reported with its line and offset in the file.
    """

    def __init__(self, stream: BinaryIO, *, max_line_bytes: int = MAX_LINE_BYTES):
        if isinstance(stream, io.RawIOBase):  # unbuffered readline reads a byte per call
            stream = io.BufferedReader(stream)
        self._readline = stream.readline
        self._max = max_line_bytes
        self.line_number = 0  # lines handed out so far: the number of the last one
        self._offset = 0  # byte offset of the next line in the file

    def __iter__(self) -> LineSource:
        return self

    def __next__(self) -> str:
        raw = self._readline(self._max + 1)
        if not raw:
            raise StopIteration
        self.line_number += 1
        start = self._offset
        self._offset += len(raw)
        if len(raw) > self._max:
            raise ImportFileError(f"the line is longer than {self._max:,} bytes: this is not a collection file "
                                  "(or its line breaks are missing)", line=self.line_number, byte_offset=start)
        if self.line_number == 1:
            if raw.startswith(_UTF8_BOM):
                raw = raw[len(_UTF8_BOM):]
                start += len(_UTF8_BOM)
            elif raw.startswith(_UTF16_BOMS):
                raise ImportFileError("the file is encoded as UTF-16; save or export it as UTF-8 "
                                      "(in Excel: \"CSV UTF-8\")", line=1, byte_offset=0)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            position = start + error.start
            raise ImportFileError(
                f"the file is not valid UTF-8 at byte offset {position} (byte {error.start + 1} of this line); "
                "save or export it as UTF-8 (in Excel: \"CSV UTF-8\")",
                line=self.line_number, byte_offset=position) from None
