"""The text-from-PDF CDRRMO export (raw_2025.csv): one quoted text line per CSV row.

Reassembly (details in `cdrrmo_text_lines`, `_cells`, `_barangay`): a record is the lines from
the end of the previous record to its numbered anchor line, plus the lines that continue it
at the top of the next page; its cells are recognised by content, since the export keeps no
absolute columns. Every printed record number ends accepted or refused.

Dates: the date cell ("May 6," over "2025") is checked against the MONTH column and against
the subsidence remark ("Subsided as of 1550H, 23 July 2025", which may name a day up to
`SUBSIDENCE_LAG_DAYS` later); any disagreement refuses the record naming both clues, as does
a date cell whose year is not the title's ("*YEAR 2025"). A record without any of them (some
pages open with a line holding only a number) is refused: nothing is filled in from
neighbouring records.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, replace

from floodingnaque_pipeline.sources.cdrrmo_blocks import BlockDates, RecordClues
from floodingnaque_pipeline.sources.cdrrmo_dates import DateClue, read_clue, read_numeric_clue
from floodingnaque_pipeline.sources.cdrrmo_fields import FloodEvent, RecordError, build_event
from floodingnaque_pipeline.sources.cdrrmo_text_barangay import Placement, place
from floodingnaque_pipeline.sources.cdrrmo_text_cells import RecordCells, read_cells
from floodingnaque_pipeline.sources.cdrrmo_text_lines import (
    TITLE,
    Chunk,
    TextRecord,
    read_lines,
    split_records,
    title_year,
)
from floodingnaque_pipeline.sources.csv_files import whole_file
from floodingnaque_pipeline.sources.records import ParseResult, Rejection

# In raw_2025 floods reported on 19 July subsided on 23 July (Habagat + TS Crising); a week
# bounds how long after the report a subsidence remark may be dated.
SUBSIDENCE_LAG_DAYS = 7
_HEADER_HINTS = re.compile(r"LATITUDE|LONGITUDE|BARANGAY|BARAN\b|DISTURBA", re.I)


@dataclass(frozen=True)
class _SpanClue(DateClue):
    """A clue printed over several lines: 'date cell 'May 6, 2025' (lines 16-17)'."""

    last_line: int = 0

    def describe(self) -> str:
        if self.last_line <= self.line:
            return super().describe()
        return f"{self.kind} {self.text!r} (lines {self.line}-{self.last_line})"


def looks_like_text_export(text: str) -> bool:
    """One CSV field per line (quoted when it must be), with a '*YEAR' title or column
    headers near the top. The table export and the cleaned CSV have several fields a row."""
    lines = [line for line in text.splitlines() if line.strip()][:40]
    if len(lines) < 3:
        return False
    single = 0
    for line in lines:
        try:
            single += len(next(csv.reader([line.strip()]))) == 1
        except csv.Error:
            continue
    top = "\n".join(lines[:20])
    return single >= 0.9 * len(lines) and bool(TITLE.search(top) or _HEADER_HINTS.search(top))


def _clue(
    kind: str, chunks: list[Chunk], lag_days: int = 0, month: int | None = None
) -> DateClue | None:
    if not chunks:
        return None
    text = " ".join(c.text for c in chunks)
    clue = read_clue(kind, text, chunks[0].line, lag_days)
    if clue is None or clue.month is None:
        clue = read_numeric_clue(kind, text, chunks[0].line, month) or clue
    return _SpanClue(**asdict(clue), last_line=chunks[-1].line) if clue else None


def _record_clues(number: int, cells: RecordCells) -> RecordClues:
    """The record's own date cell and MONTH cell, its subsidence remark and its weather, for
    the block model shared with the table layout (`cdrrmo_blocks`)."""
    months = [c for c in (_clue("MONTH cell", [m]) for m in cells.month_cells) if c]
    month = months[0] if months else None
    date_cell = _clue("date cell", cells.date_parts, month=month.month if month else None)
    if date_cell is not None and not (date_cell.month or date_cell.day):
        date_cell = None  # a year alone ("2025") is no date cell
    remark = _clue("subsidence remark", cells.remark, SUBSIDENCE_LAG_DAYS)
    remarks = [remark] if remark is not None and remark.month is not None else []
    return RecordClues(
        number, {"date": date_cell, "month": month}, remarks, cells.disturbance, weather_whole=False
    )


def _check_title_year(date_cell: DateClue | None, title: tuple[int, int] | None) -> None:
    if date_cell and date_cell.year and title and date_cell.year != title[0]:
        raise RecordError(
            f"conflicting dates: {date_cell.describe()} says year {date_cell.year}, "
            f"title '*YEAR {title[0]}' (line {title[1]}) says year {title[0]}"
        )


def _latitude_first(numbers: list[str]) -> tuple[str, str]:
    """(latitude, longitude): printed in that order, unless the columns were swapped, which a
    longitude (over 90 degrees) in the first place shows."""
    lat, lon = (numbers + ["", ""])[:2]
    if lat and lon and abs(float(lat)) > 90 >= abs(float(lon)):
        return lon, lat
    return lat, lon


def _file_year(title: tuple[int, int] | None, cells: list[RecordCells]) -> int | None:
    """The title's year; without a title, the one year all date cells print (if they agree)."""
    if title:
        return title[0]
    years = {c.year for c in (_clue("date cell", x.date_parts) for x in cells) if c and c.year}
    return years.pop() if len(years) == 1 else None


def parse_text_export(text: str) -> ParseResult[FloodEvent]:
    lines = read_lines(text)
    records, leftover = split_records(lines)
    if not records:
        return whole_file("text export without numbered records (no line starts with '1')")
    title = title_year(lines)
    cells = [read_cells(record) for record in records]
    year = _file_year(title, cells)
    clues = [_record_clues(r.number, c) for r, c in zip(records, cells, strict=True)]
    dates = BlockDates(clues, year)
    result: ParseResult[FloodEvent] = ParseResult()
    straddling = Placement("", "", None)  # a barangay cell printed across the last anchor
    for index, (record, record_cells) in enumerate(zip(records, cells, strict=True)):
        free = [c for c in record_cells.free if c != straddling.borrowed]
        placement = place(free, _opening_piece(records, cells, index + 1))
        if straddling.borrowed and not placement.barangay_text:
            # "San" above anchor 128, "Dionisio" below it and nothing in row 129: one cell
            # merged over both rows, its text centred on their border.
            placement = replace(placement, barangay_text=straddling.barangay_text)
        straddling = placement
        first = record.lines[0].number
        try:
            _check_title_year(clues[index].own["date"], title)
            lat, lon = _latitude_first(record_cells.coordinates)
            events = [
                build_event(
                    event_date=event_date,
                    date_evidence=evidence,
                    barangay_text=placement.barangay_text,
                    location_text=placement.location,
                    latitude_text=lat,
                    longitude_text=lon,
                    depth_text=record_cells.depth_text,
                    disturbance_text=record_cells.disturbance,
                    row_number=first,
                    source_record=record.number,
                    range_day=k,
                )
                for k, (event_date, evidence) in enumerate(dates.date_of(index).each_day())
            ]
        except RecordError as exc:
            raw = "\n".join(line.raw for line in record.lines)
            result.rejections.append(Rejection(first, raw, f"record {record.number}: {exc}"))
            continue
        result.records.extend(events)
    if leftover:
        raw = "\n".join(line.raw for line in leftover)
        reason = f"lines after the last numbered record ({len(records)}) carry no record number"
        result.rejections.append(Rejection(leftover[0].number, raw, reason))
    return result


def _opening_piece(records: list[TextRecord], cells: list[RecordCells], index: int) -> Chunk | None:
    """The first free piece of record `index` when it sits on that record's first line."""
    if index >= len(records) or records[index].anchor == 0:
        return None
    first_line = records[index].lines[0].number
    return next((c for c in cells[index].free if c.line == first_line), None)
