"""Date clues of table-export records, handed to the layout-neutral block model
(`cdrrmo_blocks`): a record's own DATE/MONTH/DAY/YEAR cells, its remarks ("SUBSIDED AS OF
2110H 28 SEPT") and its weather disturbance. The PDF merges the DATE (and MONTH) cells of all
records of one flood day (2023: "24" AUGUST at the block's top, "20 May 2023 (Saturday)" in
its middle); `cdrrmo_blocks` decides which block a record without its own cell belongs to.
Pure module.
"""

from __future__ import annotations

import re

from floodingnaque_pipeline.sources.cdrrmo_blocks import BlockDates, RecordClues
from floodingnaque_pipeline.sources.cdrrmo_dates import (
    REMARK_LAG_DAYS,
    DateClue,
    read_clue,
    read_numeric_clue,
)
from floodingnaque_pipeline.sources.cdrrmo_table_grid import Grid, TableRecord

# Column role -> what its own clue is called in date_evidence (a block's: "block date", ...).
DATE_ROLES = {"date": "date cell", "month": "month cell", "day": "day cell", "year": "year cell"}
REMARK_ROLES = ("remarks", "subsided")


def _own_clue(record: TableRecord, role: str) -> DateClue | None:
    text = record.text(role)
    line = record.first_line_of(role)
    if role == "year":
        match = re.search(r"\b((?:19|20)\d\d)\b", text)
        return DateClue(DATE_ROLES[role], text, line, year=int(match.group(1))) if match else None
    kind = DATE_ROLES[role]
    clue = read_clue(kind, text, line) or read_numeric_clue(kind, text, line)
    return clue if clue is not None and (clue.month or clue.day) else None


def _remarks(record: TableRecord) -> list[DateClue]:
    clues = []
    for role in REMARK_ROLES:
        text, line = record.text(role), record.first_line_of(role)
        clue = read_clue("remark", text, line, REMARK_LAG_DAYS)
        if clue is not None and clue.month is not None:
            clues.append(clue)
    return clues


def block_dates(grid: Grid) -> BlockDates:
    """The date model of every record of one grid."""
    roles = [r for r in DATE_ROLES if r in grid.columns]
    records = [
        RecordClues(
            record.number,
            {role: _own_clue(record, role) for role in roles},
            _remarks(record),
            record.text("weather"),
        )
        for record in grid.records
    ]
    title = DateClue("title row", grid.title, grid.title_line, year=grid.year)
    return BlockDates(records, grid.year, title)
