"""Small helpers shared by the file parsers (PAGASA, CDRRMO): refusals, date window, headers.

Pure module: no Dagster, no database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from floodingnaque_pipeline.domain.time import MANILA
from floodingnaque_pipeline.sources.records import ParseResult, Rejection
from floodingnaque_pipeline.sources.text_stream import scan_bytes, text_lines

Item = TypeVar("Item")
# Stored refusals are cut to this (a 5 MB cell once made a 5 MB reason); the full text of the
# first LOGGED_LONG of them goes to the run's log instead.
MAX_REASON_CHARS = 1_000
MAX_RAW_ROW_CHARS = 10_000
LOGGED_LONG = 20


def whole_file(reason: str) -> ParseResult[Any]:
    """The whole file refused: one rejection without a row number."""
    return ParseResult(records=[], rejections=[whole_file_refusal(reason)])


def whole_file_refusal(reason: str) -> Rejection:
    return Rejection(None, "", reason)


def collect(items: Iterable[Item | Rejection], notes: Sequence[str] = ()) -> ParseResult[Item]:
    """A streamed parse gathered into lists: for callers that hold a small file anyway (tests,
    the analyst's converter). The landing ingest stores the stream without gathering it."""
    result: ParseResult[Item] = ParseResult(notes=list(notes))
    for item in items:
        if isinstance(item, Rejection):
            result.rejections.append(item)
        else:
            result.records.append(item)
    return result


def parse_bytes(
    content: bytes, parse_lines: Callable[[Iterator[str]], Iterator[Item | Rejection]]
) -> ParseResult[Item]:
    """Decode `content` (UTF-8, else cp1252 with a note) and parse its lines."""
    scan = scan_bytes(content)
    if scan.encoding is None:
        return whole_file(scan.refusal or "undecodable file")
    lines = text_lines(io.BytesIO(content), scan.encoding)
    items = refuse_csv_errors(lines, parse_lines)
    return collect(items, [scan.note] if scan.note else [])


class _LineWatch:
    """The lines a parser pulls, counted, remembering the first one longer than the csv
    module's field limit: a parser that reads a whole export before it splits it into cells
    would otherwise report `field larger than field limit` with no line at all."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.line = 0
        self.oversized: tuple[int, str] | None = None

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        text = next(self._lines)
        self.line += 1
        if self.oversized is None and len(text) > csv.field_size_limit():
            self.oversized = (self.line, text)
        return text


def refuse_csv_errors(
    lines: Iterable[str], parse_lines: Callable[[Iterator[str]], Iterator[Item | Rejection]]
) -> Iterator[Item | Rejection]:
    """`parse_lines(lines)`, with a `csv.Error` escaping the parser (a 200 kB cell) turned into
    a refusal of the rest of the file at the line that caused it, instead of a crashed run."""
    watch = _LineWatch(lines)
    try:
        yield from parse_lines(watch)
    except csv.Error as error:
        line, text = watch.oversized or (watch.line, "")
        size = f" (a line of {len(text):,} characters)" if text else ""
        yield Rejection(
            line,
            text[:500],
            f"malformed CSV at line {line}{size}: {error}; the file is not read past it. A cell "
            "this long is not a flood record or a station day: check the export",
        )


def manila_today() -> date:
    """Today in Parañaque: both sources date their records in local time."""
    return datetime.now(MANILA).date()


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


def cap_refusals(items: Iterable[Any], long_reasons: list[str]) -> Iterator[Any]:
    """Refusals with their reason and raw row cut to a size a table and a UI can show; the
    first LOGGED_LONG full reasons are kept in `long_reasons` for the run's log."""
    for item in items:
        if isinstance(item, Rejection) and (
            len(item.reason) > MAX_REASON_CHARS or len(item.raw_row) > MAX_RAW_ROW_CHARS
        ):
            logged = len(item.reason) > MAX_REASON_CHARS and len(long_reasons) < LOGGED_LONG
            if logged:
                long_reasons.append(f"line {item.row_number}: {item.reason}")
            where = "; full text in the run log" if logged else ""
            item = Rejection(
                item.row_number,
                _cut(item.raw_row, MAX_RAW_ROW_CHARS, ""),
                _cut(item.reason, MAX_REASON_CHARS, where),
            )
        yield item


def _cut(text: str, limit: int, where: str) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} chars{where})"
