"""CDRRMO Parañaque flood records -> `FloodEvent` labels, whichever layout the city published.

`parse_cdrrmo_csv` decodes the file and picks its reader by looking at the content (never at
the file name): the cleaned column layout (this module), the table-from-PDF export
(`cdrrmo_table`, raw_2022/raw_2023) or the text-from-PDF export (`cdrrmo_text`, raw_2025). A file
in none of them is refused whole with a reason naming the layouts known. Every reader gives each
record a date with its `date_evidence` and applies the same field rules (`cdrrmo_fields`).

Cleaned layout decisions, each taken after reading flood_records_2022.csv / _2023.csv:

* Dates come only from the ISO `date` column and must agree with the `year`/`month`/`day`
  columns. An empty date is rejected ("missing date"), never guessed from neighbouring rows. A
  date whose month/day cells are empty is rejected too: in the 2023 file rows 7-162 all carry
  2023-05-20 with empty month/day, i.e. the date was filled down by the cleaning step, while their
  remarks ("AS OF 1820H 02 SEPT", "28 SEPT", "21 OCT") and the raw export (31 May, 7 June,
  12 July, 24 August ...) show other days. Accepting them would plant ~150 false labels on one day.
* Depth is normalised to the MMDA gauge classes (`DEPTH_INCHES`). Unrecognised depths ("14.49
  level half", "N/A above", ...: 8 of 109 rows in 2022, 1 of 162 in 2023) are PDF-extraction
  debris, too common to throw the flood away: the event is kept with depth None.
* Coordinates must lie in `BBOX` (Parañaque plus ~3-5 km); outside -> rejected. Non-numeric ->
  rejected. Only one of the pair present -> both treated as absent.
* Barangay: `canonical_barangay`; if empty/unmappable, the nearest centroid within
  `INFER_MAX_KM` is used and `barangay_inferred=True`; with no usable coordinates -> rejected.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import chain

from floodingnaque_pipeline.sources import cdrrmo_table, cdrrmo_text
from floodingnaque_pipeline.sources.cdrrmo_fields import (
    BBOX,
    DEPTH_INCHES,
    INFER_MAX_KM,
    FloodEvent,
    RecordError,
    build_event,
    normalise_depth,
)
from floodingnaque_pipeline.sources.csv_files import (
    collect,
    header_problem,
    parse_bytes,
    whole_file_refusal,
)
from floodingnaque_pipeline.sources.records import ParseResult, Rejection

__all__ = ["BBOX", "COLUMNS", "DEPTH_INCHES", "INFER_MAX_KM", "FloodEvent", "LAYOUTS",
           "normalise_depth", "parse_cdrrmo_csv", "parse_cleaned"]  # fmt: skip

COLUMNS = (
    "record_num", "date", "month", "day", "year", "barangay", "location", "latitude", "longitude",
    "flood_depth", "weather_disturbance", "remarks", "time_reported", "time_subsided",
)  # fmt: skip
# Written by cdrrmo_convert beside COLUMNS, so a converted (and hand-corrected) export keeps
# where each date came from; optional when reading.
EVIDENCE_COLUMNS = ("date_evidence", "source_record")
# The PDF layouts are parsed from the whole text. The biggest real export (raw_2025.csv) is
# 163 kB; 2 M characters is 12x that and keeps the whole-text readers well under 200 MB.
PDF_EXPORT_MAX_CHARS = 2_000_000
_RowError = RecordError


def _header_problem(header: list[str]) -> str | None:
    names = [h.strip().lower() for h in header]
    if len(set(names) & set(COLUMNS)) < 4:
        return _unknown_layout(",".join(h.strip() for h in header))
    present = [c for c in EVIDENCE_COLUMNS if c in names]
    problem = header_problem(header, (*COLUMNS, *present), str.lower)
    return f"unexpected header: {problem}" if problem else None


def _part(row: dict[str, str], column: str) -> int | None:
    raw = row[column].strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise _RowError(f"{column} {raw!r} is not a number") from None
    if not math.isfinite(value) or value != int(value):
        raise _RowError(f"{column} {raw!r} is not a whole number")
    return int(value)


def _event_date(row: dict[str, str]) -> date:
    raw = row["date"].strip()
    if not raw:
        raise _RowError("missing date (date column empty; not guessed from neighbouring rows)")
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError
        day = date.fromisoformat(raw)
    except ValueError:
        raise _RowError(f"impossible date {raw!r} (expected YYYY-MM-DD)") from None
    parts = {c: _part(row, c) for c in ("year", "month", "day")}
    actual = {"year": day.year, "month": day.month, "day": day.day}
    if any(v is not None and v != actual[c] for c, v in parts.items()):
        shown = "/".join("?" if v is None else str(v) for v in parts.values())
        raise _RowError(f"date {raw} disagrees with year/month/day columns ({shown})")
    if parts["month"] is None or parts["day"] is None:
        raise _RowError(
            f"date {raw} not backed by the month/day columns (empty; filled down from an "
            "earlier row?), so the event day is unknown"
        )
    return day


def _event(row: dict[str, str], line_no: int) -> FloodEvent:
    if not any(v.strip() for v in row.values()):
        raise _RowError("empty row")
    event_date = _event_date(row)
    evidence = f"date cell {row['date'].strip()!r} (line {line_no})"
    if earlier := row.get("date_evidence", "").strip():
        evidence += f"; as converted: {earlier}"
    return build_event(
        event_date=event_date,
        date_evidence=evidence,
        barangay_text=row["barangay"],
        location_text=row["location"],
        latitude_text=row["latitude"],
        longitude_text=row["longitude"],
        depth_text=row["flood_depth"],
        disturbance_text=row["weather_disturbance"],
        row_number=line_no,
        source_record=_record_number(row.get("source_record") or row["record_num"]),
    )


def _record_number(text: str) -> int | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return int(value) if math.isfinite(value) and value.is_integer() and value > 0 else None


def parse_cleaned(text: str) -> ParseResult[FloodEvent]:
    """The cleaned column layout, from text held in memory; see `iter_cleaned`."""
    return collect(iter_cleaned(iter(text.split("\n"))))


class _LineRecorder:
    """The lines the csv reader pulled for the current row, so a refusal quotes the row's whole
    physical extent (quoted fields may span lines) without keeping the file."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.taken: list[str] = []

    def __iter__(self) -> _LineRecorder:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line + "\n"


def iter_cleaned(lines: Iterable[str]) -> Iterator[FloodEvent | Rejection]:
    """The cleaned column layout, row by row. Every non-blank data row ends as a record or a
    rejection; what is remembered across rows is one small digest per row (duplicates)."""
    source = _LineRecorder(lines)
    reader = csv.reader(source)
    try:
        header = next(reader)
    except StopIteration:
        yield whole_file_refusal("empty file")
        return
    except csv.Error as exc:
        yield whole_file_refusal(f"unreadable header: {exc}")
        return
    if problem := _header_problem(header):
        yield whole_file_refusal(problem)
        return
    names = [h.strip().lower() for h in header]
    first_seen: dict[int, int] = {}
    last_line = reader.line_num
    rows = 0
    while True:
        source.taken.clear()
        try:
            fields = next(reader, None)
        except csv.Error as exc:  # e.g. a field over the csv module's size limit
            start = last_line + 1
            reason = f"malformed CSV from this line to the end of the file: {exc}"
            yield Rejection(start, (source.taken or [""])[0][:500], reason)
            rows += 1
            break
        if fields is None:
            break
        start, last_line = last_line + 1, reader.line_num
        if not any(f.strip() for f in fields) and len(fields) <= 1:
            continue  # blank line: not a data row
        rows += 1
        raw_row = "\n".join(source.taken)
        try:
            if len(fields) != len(names):
                raise _RowError(
                    f"expected {len(names)} fields, got {len(fields)} (truncated or malformed row)"
                )
            row = dict(zip(names, fields, strict=True))
            _refuse_repeat(row, start, first_seen)
            event = _event(row, start)
        except _RowError as exc:
            yield Rejection(start, raw_row, str(exc))
            continue
        yield event
    if not rows:
        yield whole_file_refusal("no data rows (header only)")


def _refuse_repeat(row: dict[str, str], line: int, first_seen: dict[int, int]) -> None:
    """A row repeating an earlier one in every cell but its number (a pasted row, a sheet
    appended twice) is refused, naming the first: three identical rows are one flood report.
    Rows are remembered by a 64-bit digest, not their text, so a big file stays small in
    memory (~100 bytes a row; a collision is as likely as 2^-64 per pair)."""
    content = [
        " ".join(v.split()).upper()
        for k, v in row.items()
        if k not in ("record_num", "source_record")
    ]
    if not any(content):
        return
    digest = int.from_bytes(hashlib.blake2b("\x1f".join(content).encode(), digest_size=8).digest())
    if digest in first_seen:
        raise _RowError(
            f"duplicate of the row at line {first_seen[digest]} (every cell but the number)"
        )
    first_seen[digest] = line


# (name shown to the analyst, recogniser, reader); the first recogniser that matches reads it.
LAYOUTS: tuple[tuple[str, Callable[[str], bool], Callable[[str], ParseResult[FloodEvent]]], ...] = (
    (
        "table-from-PDF export (title row ',*YEAR 2022', one record over several rows)",
        cdrrmo_table.looks_like_table_export,
        cdrrmo_table.parse_table_export,
    ),
    (
        "text-from-PDF export (title line '\"*YEAR 2025\"', one quoted text line per row)",
        cdrrmo_text.looks_like_text_export,
        cdrrmo_text.parse_text_export,
    ),
    ("cleaned CSV (header " + ",".join(COLUMNS) + ")", lambda _text: True, parse_cleaned),
)


def _unknown_layout(header: str) -> str:
    known = "; ".join(name for name, _, _ in LAYOUTS)
    return f"unrecognized layout: header {header[:120]!r}; the layouts known are: {known}"


def parse_cdrrmo_csv(content: bytes, file_name: str) -> ParseResult[FloodEvent]:
    """Parse one whole CDRRMO file held in memory, in any known layout (tests, the analyst's
    converter). `file_name` is only for symmetry with the PAGASA parser: the layout is
    recognised from the content, not the name."""
    return parse_bytes(content, iter_cdrrmo)


def iter_cdrrmo(lines: Iterable[str]) -> Iterator[FloodEvent | Rejection]:
    """Every record of a CDRRMO file, whichever layout; each ends accepted or refused.

    The cleaned layout is read row by row. The PDF exports need the whole text (a record spans
    rows, a date is printed once per block), so they are read whole up to
    `PDF_EXPORT_MAX_CHARS`; a bigger one is refused with the reason.
    """
    stream = iter(lines)
    head: list[str] = []
    chars = 0
    for line in stream:
        head.append(line)
        chars += len(line) + 1
        if chars > PDF_EXPORT_MAX_CHARS:
            break
    else:  # the whole file is in `head`: recognise its layout from all of it
        text = "\n".join(head)
        if not text.strip():
            yield whole_file_refusal("empty file")
            return
        for _name, recognises, read in LAYOUTS[:-1]:
            if recognises(text):
                result = read(text)
                yield from result.records
                yield from result.rejections
                return
        yield from iter_cleaned(head)
        return
    prefix = "\n".join(head[:200])
    for name, recognises, _read in LAYOUTS[:-1]:
        if recognises(prefix):
            yield whole_file_refusal(
                f"looks like a {name} of over {PDF_EXPORT_MAX_CHARS:,} characters; real exports "
                "are under 200 kB a year: split it by year, or convert it with cdrrmo_convert"
            )
            return
    rows, head = chain(head, stream), []  # `head` is let go once read
    yield from iter_cleaned(rows)
