"""Small helpers shared by the file parsers (PAGASA, CDRRMO): decoding, header checks.

Pure module: no Dagster, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from floodingnaque_pipeline.sources.records import ParseResult, Rejection


def whole_file(reason: str) -> ParseResult[Any]:
    """The whole file refused: one rejection without a row number."""
    return ParseResult(records=[], rejections=[Rejection(None, "", reason)])


def decode_utf8(content: bytes) -> str | None:
    """UTF-8 text (a BOM is dropped), or None when the bytes are not UTF-8."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    # UTF-16 text without a BOM decodes "successfully" as UTF-8 full of NULs.
    return None if "\x00" in text else text


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
