"""A landing file as a stream of text lines, so memory stays flat however big the file is.

Two passes over the bytes, each in fixed-size chunks:
1. `scan_bytes` hashes the file and chooses its encoding (UTF-8, else cp1252 with a note),
   or says why it is text in no accepted encoding, naming the line and byte.
2. `text_lines` decodes with that encoding and yields one line at a time.

The decision needs the whole file (a bad byte may sit on the last line), hence the first pass:
decoding optimistically and starting over on the first bad byte would mean undoing rows that
were already written. Pure module: no Dagster, no database.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

CHUNK = 1 << 20
UTF8 = "utf-8-sig"  # a BOM (Excel's "CSV UTF-8") is dropped
# Windows-1252 is what Excel on a Philippine-locale PC writes for "CSV"; it agrees with Latin-1
# on every printable character (Ñ is 0xD1 in both), so one fallback covers both.
FALLBACK_ENCODING = "cp1252"
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


@dataclass(frozen=True)
class FileScan:
    sha256: str
    size: int
    encoding: str | None  # UTF8 or FALLBACK_ENCODING; None when refused
    note: str | None  # set when the fallback was used: the run shows it, never silently
    refusal: str | None  # why the file is text in no accepted encoding


@dataclass
class _Spot:
    """Where the first offending byte of one kind is: enough to name its line afterwards."""

    offset: int
    byte: int
    lf_before: int
    cr_before: int


class _Scanner:
    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = self.lf = self.cr = 0
        self.utf8 = codecs.getincrementaldecoder("utf-8")("strict")
        self.nul: _Spot | None = None
        self.bad_utf8: _Spot | None = None
        self.bad_cp1252: _Spot | None = None

    def _spot(self, chunk: bytes, index: int) -> _Spot:
        return _Spot(self.size + index, chunk[index], self.lf + chunk.count(b"\n", 0, index),
                     self.cr + chunk.count(b"\r", 0, index))  # fmt: skip

    def feed(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        if self.nul is None and (index := chunk.find(b"\x00")) >= 0:
            self.nul = self._spot(chunk, index)
        if self.bad_utf8 is None:
            pending = len(self.utf8.getstate()[0])  # bytes of a sequence split across chunks
            try:
                self.utf8.decode(chunk)
            except UnicodeDecodeError as error:
                start = max(error.start - pending, 0)
                self.bad_utf8 = self._spot(chunk, start)
        if self.bad_cp1252 is None and (match := _CP1252_UNDEFINED.search(chunk)):
            self.bad_cp1252 = self._spot(chunk, match.start())
        self.lf += chunk.count(b"\n")
        self.cr += chunk.count(b"\r")
        self.size += len(chunk)

    def finish(self) -> FileScan:
        if self.bad_utf8 is None:
            try:
                self.utf8.decode(b"", final=True)  # a sequence cut off by the end of the file
            except UnicodeDecodeError:
                self.bad_utf8 = _Spot(self.size - 1, 0, self.lf, self.cr)
        sha = self.digest.hexdigest()
        if self.nul is not None:
            # UTF-16 text and binary files (xlsx, pdf) carry NULs; no text CSV does.
            refusal = (
                f"file is not UTF-8 encoded text: NUL byte at {self._where(self.nul)} "
                "(UTF-16 or a binary file? save it as 'CSV UTF-8')"
            )
            return FileScan(sha, self.size, None, None, refusal)
        if self.bad_utf8 is None:
            return FileScan(sha, self.size, UTF8, None, None)
        if self.bad_cp1252 is not None:
            refusal = (
                f"file is neither UTF-8 (first bad byte at {self._where(self.bad_utf8)}) "
                f"nor cp1252/Latin-1 (undefined byte at {self._where(self.bad_cp1252)})"
            )
            return FileScan(sha, self.size, None, None, refusal)
        note = (
            f"decoded as {FALLBACK_ENCODING} (Windows-1252/Latin-1): not UTF-8 from "
            f"{self._where(self.bad_utf8)}; check accented names (Ñ) in the stored rows"
        )
        return FileScan(sha, self.size, FALLBACK_ENCODING, note, None)

    def _where(self, spot: _Spot) -> str:
        line = (spot.lf_before if self.lf else spot.cr_before) + 1  # a CR-only file counts CRs
        return f"line {line}, byte offset {spot.offset} (0x{spot.byte:02X})"


def scan_chunks(chunks: Iterable[bytes]) -> FileScan:
    scanner = _Scanner()
    for chunk in chunks:
        scanner.feed(chunk)
    return scanner.finish()


def read_chunks(stream: BinaryIO, size: int = CHUNK) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk


def scan_bytes(content: bytes) -> FileScan:
    return scan_chunks(read_chunks(io.BytesIO(content)))


def text_lines(stream: BinaryIO, encoding: str) -> Iterator[str]:
    """Lines without their ending. CRLF and lone CR (old Mac, some PDF tools) end a line like LF;
    nothing else does: U+2028, U+0085 or a form feed inside a field stay in it (str.splitlines
    would split there and shift every later line number)."""
    text = io.TextIOWrapper(stream, encoding=encoding, newline=None)  # type: ignore[arg-type]
    try:
        for line in text:
            yield line[:-1] if line.endswith("\n") else line
    finally:
        # The caller owns the stream (and may read the rest to finish a hash): hand it back.
        # A generator left unfinished is closed when collected, maybe after its stream was
        # closed; detach() would then flush into a closed file and print an ignored ValueError.
        # Undetached, the wrapper over a closed stream is collected without touching it.
        if not stream.closed:
            text.detach()
