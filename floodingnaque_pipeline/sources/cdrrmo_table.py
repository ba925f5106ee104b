"""The CDRRMO table-from-PDF export (raw_2022.csv, raw_2023.csv) -> `FloodEvent` labels.

Recognised by its title row (",*YEAR 2022") over a multi-row header naming a '#' column, with
at least one numbered record under it. Every printed record number ends as exactly one record
or one rejection:

* the record's cells are reassembled from the physical rows around its number row
  (`cdrrmo_table_grid`: columns found by header name, rows shared out between neighbouring
  records so each band sits symmetrically around its number);
* its date comes from its own date/month cells, or from the merged date block it lies in,
  checked against remarks ("SUBSIDED AS OF 2110H 28 SEPT") and the title year
  (`cdrrmo_table_dates`); `date_evidence` names every clue used;
* coordinates, barangay (canonical, or inferred from the coordinates) and depth follow the
  shared field rules (`cdrrmo_fields.build_event`).

A record repeating an earlier number is refused, naming the first. Pure module.
"""

from __future__ import annotations

import re
from datetime import date

from floodingnaque_pipeline.sources.cdrrmo_fields import FloodEvent, RecordError, build_event
from floodingnaque_pipeline.sources.cdrrmo_table_dates import block_dates
from floodingnaque_pipeline.sources.cdrrmo_table_grid import Grid, TableRecord, read_grid
from floodingnaque_pipeline.sources.csv_files import whole_file
from floodingnaque_pipeline.sources.records import ParseResult, Rejection

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def looks_like_table_export(text: str) -> bool:
    return isinstance(read_grid(text), Grid)


def parse_table_export(text: str) -> ParseResult[FloodEvent]:
    grid = read_grid(text)
    if not isinstance(grid, Grid):
        return whole_file(f"not a table-from-PDF export: {grid}")
    lines = text.splitlines()
    dates = block_dates(grid)
    result: ParseResult[FloodEvent] = ParseResult()
    first_seen: dict[int, int] = {}
    for index, record in enumerate(grid.records):
        raw_row = "\n".join(lines[record.first_line - 1 : record.last_line])
        try:
            if record.number in first_seen:
                raise RecordError(
                    f"record number {record.number} printed again (first at line "
                    f"{first_seen[record.number]})"
                )
            first_seen[record.number] = record.number_line
            dated = dates.date_of(index)
            events = [_event(record, day, why, k) for k, (day, why) in enumerate(dated.each_day())]
        except RecordError as error:
            reason = f"record #{record.number}: {error}"
            result.rejections.append(Rejection(record.first_line, raw_row, reason))
            continue
        result.records.extend(events)
    return result


def _event(record: TableRecord, event_date: date, evidence: str, range_day: int) -> FloodEvent:
    latitude, longitude = _coordinates(record)
    return build_event(
        event_date=event_date,
        date_evidence=evidence,
        barangay_text=record.text("barangay"),
        location_text=record.text("location"),
        latitude_text=latitude,
        longitude_text=longitude,
        depth_text=record.text("depth"),
        disturbance_text=record.text("weather"),
        row_number=record.first_line,
        source_record=record.number,
        range_day=range_day,
    )


def _coordinates(record: TableRecord) -> tuple[str, str]:
    """Latitude and longitude texts. A number the PDF split over two rows is rejoined; the
    stray separators of the export ("14.4801491, ") are dropped."""
    if "latitude" in record.fragments or "longitude" in record.fragments:
        return _number_text(record, "latitude"), _number_text(record, "longitude")
    numbers = _NUMBER.findall(record.text("coordinates"))
    return (numbers[0], numbers[1]) if len(numbers) == 2 else ("", "")


def _number_text(record: TableRecord, role: str) -> str:
    return "".join(text.strip(" ,;") for _, text in record.fragments.get(role, []))
