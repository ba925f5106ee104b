"""The table-from-PDF CDRRMO export as a grid: title year, named columns, and records
reassembled from the physical rows the PDF split them over.

The PDF printed each record as one table row whose cells wrap onto several text lines; the
CSV export gives every text line its own physical row, and the record number lands on one of
them, about halfway down the record. So a record is a band of rows around its number row: the
rows between two number rows are shared out by one cut per gap, chosen by dynamic programming
over the whole file so that rows sit as close as possible to their record's number row, and,
among equally close cuts, the bands are as symmetric as possible (`band_cuts`). Columns are
found by name in the multi-row header ("FLOOD" over "DEPTH"), never by position; repeated
page headers, title rows, blank and TOTAL rows belong to no record. Pure module.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

# Header role -> pattern on the column's joined header text (upper case); first match wins.
ROLE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (role, re.compile(pattern))
    for role, pattern in (
        ("number", r"^(#|NO\.?|NUMBER|RECORD( NO\.?| #)?)$"),
        ("latitude", r"\bLAT(ITUDE)?\b"),
        ("longitude", r"\bLONG?(ITUDE)?\b"),
        ("coordinates", r"\bCOORDINATES?\b"),
        ("subsided", r"\bSUBSIDED\b"),
        ("date", r"\bDATE\b"),
        ("month", r"\bMONTH\b"),
        ("day", r"^DAY$"),
        ("year", r"^YEAR$"),
        ("barangay", r"\b(BARANGAY|BRGY|BGY)\b"),
        ("location", r"\b(LOCATION|ADDRESS|STREET|AREA|PLACE|SITE)\b"),
        ("weather", r"\b(WEATHER|DISTURBANCES?)\b"),
        ("depth", r"\b(DEPTH|FLOOD|LEVEL|HEIGHT)\b"),
        ("remarks", r"\bREMARKS?\b"),
    )
)
# Every filled cell of a header row has one of these words (and no digit): "TYPE OF WEATHER
# DISTURBANCE" does, the first data row ("SAN", "EVACOM", "GUTTER") does not.
_HEADER_WORDS = {
    "#", "NO", "NUMBER", "RECORD", "DATE", "MONTH", "DAY", "YEAR", "TIME", "BARANGAY", "BRGY",
    "BGY", "LOCATION", "ADDRESS", "STREET", "AREA", "PLACE", "SITE", "LATITUDE", "LONGITUDE",
    "LAT", "LONG", "LON", "COORDINATES", "COORDINATE", "FLOOD", "FLOODING", "DEPTH", "LEVEL",
    "HEIGHT", "WATER", "WEATHER", "DISTURBANCE", "DISTURBANCES", "REMARKS", "REMARK", "STATUS",
    "REPORTED", "SUBSIDED", "INCHES", "ACTIONS", "ACTION",
}  # fmt: skip
_TITLE = re.compile(r"\bYEAR\s*:?\s*((?:19|20)\d\d)\b", re.IGNORECASE)
_NUMBER_CELL = re.compile(r"^\s*(\d{1,4})\.?\s*$")
_TOTAL_CELL = re.compile(r"^\s*(GRAND\s+)?TOTAL\b", re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    line: int  # 1-based physical line where the CSV row starts
    end_line: int  # last physical line (a quoted cell may span lines)
    cells: tuple[str, ...]


@dataclass
class TableRecord:
    """One numbered record and the cell fragments of its band, per column role, in line order."""

    number: int
    number_line: int
    first_line: int
    last_line: int
    fragments: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def text(self, role: str) -> str:
        return " ".join(text for _, text in self.fragments.get(role, []))

    def first_line_of(self, role: str) -> int:
        found = self.fragments.get(role)
        return found[0][0] if found else self.number_line


@dataclass
class Grid:
    year: int | None
    title: str
    title_line: int
    columns: dict[str, int]  # role -> column index
    records: list[TableRecord]


def read_rows(text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text))
    rows, start = [], 1
    for cells in reader:
        rows.append(Row(start, reader.line_num, tuple(c.strip() for c in cells)))
        start = reader.line_num + 1
    return rows


def _words(cell: str) -> list[str]:
    return re.findall(r"[A-Z]+|#", cell.upper())


def _header_like(row: Row) -> bool:
    """Every filled cell has a header word and no digit ("TYPE OF WEATHER" is; "SAN" is not)."""
    filled = [c for c in row.cells if c]
    return bool(filled) and all(
        not re.search(r"\d", c) and set(_words(c)) & _HEADER_WORDS for c in filled
    )


def _role(name: str) -> str | None:
    return next((role for role, pattern in ROLE_PATTERNS if pattern.search(name)), None)


def _named_cells(row: Row) -> int:
    return sum(_role(c.upper()) is not None for c in row.cells if c)


def _title(rows: list[Row]) -> tuple[int | None, str, int]:
    for row in rows[:10]:
        for cell in row.cells:
            if match := _TITLE.search(cell):
                return int(match.group(1)), cell, row.line
    return None, "", 0


def find_header(rows: list[Row]) -> tuple[int, int] | None:
    """(first, last) index of the header rows: a seed row naming two columns, extended over
    the neighbouring rows made only of header words ("FLOOD" above, "DEPTH" below)."""
    seed = next(
        (i for i, r in enumerate(rows[:15]) if _header_like(r) and _named_cells(r) >= 2), None
    )
    if seed is None:
        return None
    first = last = seed
    while first > 0 and _header_like(rows[first - 1]) and not _title_row(rows[first - 1]):
        first -= 1
    while last + 1 < len(rows) and _header_like(rows[last + 1]):
        last += 1
    return first, last


def _title_row(row: Row) -> bool:
    return any(_TITLE.search(c) for c in row.cells)


def name_columns(header: list[Row]) -> dict[str, int]:
    width = max(len(r.cells) for r in header)
    names = [" ".join(r.cells[i] for r in header if i < len(r.cells) and r.cells[i]) for i in
             range(width)]  # fmt: skip
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        role = _role(" ".join(name.upper().split()))
        if role and role not in columns:
            columns[role] = index
    return columns


def _number(row: Row, column: int) -> int | None:
    cell = row.cells[column] if column < len(row.cells) else ""
    match = _NUMBER_CELL.match(cell)
    return int(match.group(1)) if match else None


def _skipped(row: Row, header: list[Row]) -> bool:
    """Rows of no record: blank, the title or a header row repeated (a new PDF page), a total."""
    if not any(row.cells) or _title_row(row):
        return True
    if any(_filled(row) == _filled(h) for h in header):
        return True
    return any(_TOTAL_CELL.match(c) for c in row.cells)


def _filled(row: Row) -> tuple[str, ...]:
    return tuple(" ".join(c.upper().split()) for c in row.cells if c)


# Distance decides; asymmetry only settles ties (the middle row of an odd gap): a row holding
# only a stray longitude must not be pulled into the next record to even the counts.
_SPREAD_WEIGHT = 1000
Gap = tuple[int, list[int], int]  # (upper number line, lines of the rows between, lower one)


def band_cuts(above_first: int, gaps: list[Gap], below_last: int) -> list[int]:
    """Rows each record takes below its number row, given the rows above the first number
    row, the rows between consecutive number rows and the rows after the last one.

    Minimises, over the whole file, the distance in lines of every row to its record's number
    row (a wrapped cell sits around its record's number), then each band's asymmetry
    |rows above - rows below| (which settles the middle row of an odd gap). The last record
    takes at most `below_last` rows and no more than it has above; any rest is trailing text.
    """
    # best[u] = (cost, cuts so far) with the current record having u rows above it.
    best: dict[int, tuple[int, list[int]]] = {above_first: (0, [])}
    for upper, lines, lower in gaps:
        step: dict[int, tuple[int, list[int]]] = {}
        for above, (cost, cuts) in best.items():
            for below in range(len(lines) + 1):
                spread = sum(n - upper for n in lines[:below]) + sum(
                    lower - n for n in lines[below:]
                )
                candidate = (cost + abs(above - below) + _SPREAD_WEIGHT * spread, [*cuts, below])
                rest = len(lines) - below
                if rest not in step or candidate[0] < step[rest][0]:
                    step[rest] = candidate
        best = step
    _, cuts, last = min(
        (cost + abs(above - min(above, below_last)), cuts, min(above, below_last))
        for above, (cost, cuts) in best.items()
    )
    return [*cuts, last]


def read_grid(text: str) -> Grid | str:
    """The export's grid, or the reason it is not a table-from-PDF export."""
    rows = read_rows(text)
    year, title, title_line = _title(rows)
    if year is None:
        return "no title row with the year ('*YEAR 2022')"
    header = find_header(rows)
    if header is None:
        return "no header row naming the columns ('#', 'DATE', ...)"
    header_rows = rows[header[0] : header[1] + 1]
    columns = name_columns(header_rows)
    body = [r for r in rows[header[1] + 1 :] if not _skipped(r, header_rows)]
    if "number" not in columns and (counted := _counting_column(body, columns)) is not None:
        columns["number"] = counted
    if "number" not in columns:
        return "no record-number column ('#', or a column counting 1, 2, 3, ...)"
    numbered = [i for i, r in enumerate(body) if _number(r, columns["number"]) is not None]
    if not numbered:
        return "no numbered record under the header"
    gaps = [
        (body[a].line, [r.line for r in body[a + 1 : b]], body[b].line)
        for a, b in zip(numbered, numbered[1:], strict=False)
    ]
    cuts = band_cuts(numbered[0], gaps, len(body) - 1 - numbered[-1])
    records = []
    for k, index in enumerate(numbered):
        above = numbered[0] if k == 0 else len(gaps[k - 1][1]) - cuts[k - 1]
        band = body[index - above : index + cuts[k] + 1]
        records.append(_record(band, body[index], columns))
    return Grid(year, title, title_line, columns, records)


def _counting_column(body: list[Row], columns: dict[str, int]) -> int | None:
    """An unnamed column whose whole-number cells read 1, 2, 3, ... (the header left '#' out)."""
    width = max((len(r.cells) for r in body), default=0)
    for column in sorted(set(range(width)) - set(columns.values())):
        numbers = [n for r in body if (n := _number(r, column)) is not None]
        if len(numbers) >= 2 and numbers == list(range(1, len(numbers) + 1)):
            return column
    return None


def _record(band: list[Row], number_row: Row, columns: dict[str, int]) -> TableRecord:
    number = _number(number_row, columns["number"])
    assert number is not None
    record = TableRecord(number, number_row.line, band[0].line, band[-1].end_line)
    for role, column in columns.items():
        if role == "number":
            continue
        found = [(r.line, r.cells[column]) for r in band if column < len(r.cells)]
        record.fragments[role] = [(line, text) for line, text in found if text]
    return record
