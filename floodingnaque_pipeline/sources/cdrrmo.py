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
import io
import math
import re
from collections.abc import Callable
from datetime import date

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
    UndecodableFile,
    decode_text,
    header_problem,
    split_lines,
    whole_file,
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
    """The cleaned column layout. Every non-blank data row ends as a record or a rejection."""
    lines = split_lines(text)  # the csv module's own line count: LF only, not U+2028
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        return whole_file(f"unreadable header: {exc}")
    if problem := _header_problem(header):
        return whole_file(problem)
    names = [h.strip().lower() for h in header]
    result: ParseResult[FloodEvent] = ParseResult()
    first_seen: dict[tuple[str, ...], int] = {}
    last_line = reader.line_num
    while True:
        try:
            fields = next(reader, None)
        except csv.Error as exc:  # e.g. a field over the csv module's size limit
            start = last_line + 1
            reason = f"malformed CSV from this line to the end of the file: {exc}"
            result.rejections.append(Rejection(start, lines[start - 1][:500], reason))
            break
        if fields is None:
            break
        start, last_line = last_line + 1, reader.line_num
        if not any(f.strip() for f in fields) and len(fields) <= 1:
            continue  # blank line: not a data row
        # Quoted fields may span lines; report the whole physical extent of the row.
        raw_row = "\n".join(lines[start - 1 : last_line])
        try:
            if len(fields) != len(names):
                raise _RowError(
                    f"expected {len(names)} fields, got {len(fields)} (truncated or malformed row)"
                )
            row = dict(zip(names, fields, strict=True))
            _refuse_repeat(row, start, first_seen)
            event = _event(row, start)
        except _RowError as exc:
            result.rejections.append(Rejection(start, raw_row, str(exc)))
            continue
        result.records.append(event)
    if not result.records and not result.rejections:
        return whole_file("no data rows (header only)")
    return result


def _refuse_repeat(row: dict[str, str], line: int, first_seen: dict[tuple[str, ...], int]) -> None:
    """A row repeating an earlier one in every cell but its number (a pasted row, a sheet
    appended twice) is refused, naming the first: three identical rows are one flood report."""
    content = tuple(
        " ".join(v.split()).upper()
        for k, v in row.items()
        if k not in ("record_num", "source_record")
    )
    if not any(content):
        return
    if content in first_seen:
        raise _RowError(
            f"duplicate of the row at line {first_seen[content]} (every cell but the number)"
        )
    first_seen[content] = line


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
    """Parse one CDRRMO file in any known layout; every record ends accepted or refused.

    `file_name` is only for symmetry with the PAGASA parser: the layout is recognised from the
    content, not the name.
    """
    try:
        decoded = decode_text(content)
    except UndecodableFile as error:
        return whole_file(str(error))
    text = decoded.text
    if not text.strip():
        return whole_file("empty file")
    for _name, recognises, read in LAYOUTS:
        if recognises(text):
            result = read(text)
            if decoded.note:
                result.notes.append(decoded.note)
            return result
    raise AssertionError("the cleaned layout accepts any text")  # pragma: no cover
