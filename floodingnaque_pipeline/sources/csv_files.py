"""Small helpers shared by the file parsers (PAGASA, CDRRMO): decoding, lines, header checks.

Pure module: no Dagster, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from floodingnaque_pipeline.sources.records import ParseResult, Rejection

# Windows-1252 is what Excel on a Philippine-locale PC writes for "CSV"; it agrees with Latin-1
# on every printable character (Ñ is 0xD1 in both), so one fallback covers both.
FALLBACK_ENCODING = "cp1252"


class UndecodableFile(ValueError):
    """The bytes are text in no encoding we accept; the message names the line and byte."""


@dataclass(frozen=True)
class DecodedText:
    text: str  # line endings normalised to LF
    encoding: str  # "utf-8" or FALLBACK_ENCODING
    note: str | None  # set when the fallback was used: the run shows it, never silently


def whole_file(reason: str) -> ParseResult[Any]:
    """The whole file refused: one rejection without a row number."""
    return ParseResult(records=[], rejections=[Rejection(None, "", reason)])


def _where(content: bytes, offset: int) -> str:
    newline = b"\n" if b"\n" in content else b"\r"  # a CR-only file counts its CRs
    line = content.count(newline, 0, offset) + 1
    return f"line {line}, byte offset {offset} (0x{content[offset]:02X})"


def decode_text(content: bytes) -> DecodedText:
    """UTF-8 (a BOM is dropped), else cp1252/Latin-1 with a note; UndecodableFile otherwise.

    CR-only and CRLF line endings become LF, so every reader splits lines the same way.
    """
    if (nul := content.find(b"\x00")) >= 0:
        # UTF-16 text and binary files (xlsx, pdf) carry NULs; no text CSV does.
        raise UndecodableFile(
            f"file is not UTF-8 encoded text: NUL byte at {_where(content, nul)} "
            "(UTF-16 or a binary file? save it as 'CSV UTF-8')"
        )
    try:
        text, encoding, note = content.decode("utf-8-sig"), "utf-8", None
    except UnicodeDecodeError as utf8_error:
        try:
            text = content.decode(FALLBACK_ENCODING)
        except UnicodeDecodeError as error:
            raise UndecodableFile(
                f"file is neither UTF-8 (first bad byte at {_where(content, utf8_error.start)}) "
                f"nor cp1252/Latin-1 (undefined byte at {_where(content, error.start)})"
            ) from None
        encoding = FALLBACK_ENCODING
        note = (
            f"decoded as {FALLBACK_ENCODING} (Windows-1252/Latin-1): not UTF-8 from "
            f"{_where(content, utf8_error.start)}; check accented names (Ñ) in the stored rows"
        )
    return DecodedText(normalise_newlines(text), encoding, note)


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR (old Mac / some PDF tools) -> LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_lines(text: str) -> list[str]:
    """Physical lines as the csv module counts them: split on LF only. str.splitlines would
    also split on U+2028, U+0085, form feeds ... inside a field and shift later line numbers."""
    lines = normalise_newlines(text).split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def manila_today() -> date:
    """Today in Parañaque: both sources date their records in local time."""
    return datetime.now(ZoneInfo("Asia/Manila")).date()


def implausible_date(day: date, first_year: int, source: str, today: date | None) -> str | None:
    """Why `day` cannot be a real record of `source`, or None. Tomorrow is allowed (a record
    typed ahead, a clock a few hours off); anything later, or before the source's first year
    (0001, 1900, 2002 for 2022), is a typo or a wrong column, never data."""
    today = today or manila_today()
    if day > today + timedelta(days=1):
        return f"date {day} is in the future (today is {today}; at most one day ahead allowed)"
    if day.year < first_year:
        return f"date {day} is before {first_year}, the first year of {source} records"
    return None


def header_problem(
    header: Sequence[str], columns: Sequence[str], normalise: Callable[[str], str]
) -> str | None:
    """Missing, unknown and duplicated columns, '; '-joined; None when the header is exact.

    `normalise` is the case folding of the layout (str.upper for PAGASA, str.lower for CDRRMO).
    """
    names = [normalise(h.strip()) for h in header]
    missing = [c for c in columns if c not in names]
    unknown = [h.strip() for h in header if normalise(h.strip()) not in columns]
    dupes = sorted({n for n in names if n in columns and names.count(n) > 1})
    problems = []
    if missing:
        problems.append("missing column(s) " + ", ".join(missing))
    if unknown:
        problems.append("unknown/extra column(s) " + ", ".join(repr(u) for u in unknown))
    if dupes:
        problems.append("duplicated column(s) " + ", ".join(dupes))
    return "; ".join(problems) or None
