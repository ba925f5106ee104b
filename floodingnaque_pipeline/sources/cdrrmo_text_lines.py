"""Physical lines of the text-from-PDF CDRRMO export, cut into chunks and grouped into records.

The export is one quoted CSV field per line: text taken from a PDF table with fixed-width
columns. What the extraction kept, and what this module relies on (read from raw_2025.csv):

* Leading blanks are stripped from every line except the first line of a page (it starts with a
  form feed), so a chunk's column is only known relative to the other chunks on its line.
  Chunks are runs of text separated by two or more blanks.
* A record's number is the first chunk of its *anchor* line; numbers run 1, 2, 3 ... The cells
  wrap over lines above the anchor (and sometimes below it), and its date cell starts on the
  first line of the record that begins with a date: month first ("May 6,", "September") or,
  in a file that prints them so, day first ("8 June 2022") or numeric ("5/20/2023").
* Between anchor k and the date line of k+1, lines open record k+1 — unless a page break comes
  first: a row cut by the page continues at the top of the next page, so the lines after the
  break stay with k until one starts the way record heads start elsewhere in the file.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# How a date cell starts: month first ("May 6,", "September") as in 2025, or day first
# ("8 June 2022") as the 2022/2023 exports print it; each file is read with its own habit.
MONTH_FIRST = re.compile(rf"^{MONTH}\.?(?:\s+\d{{1,2}}\b.*)?$", re.I)
DAY_FIRST = re.compile(
    rf"^\d{{1,2}}(?:st|nd|rd|th)?\s*[- ]?\s*{MONTH}[a-z]*\.?(?:[\s,-].*)?$", re.I
)
NUMERIC = re.compile(
    r"^(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2}))\b"
)  # 5/20/2023
HABITS = (MONTH_FIRST, DAY_FIRST, NUMERIC)
_COORDINATE = re.compile(r"\b\d{1,3}\.\d{4,}\b")
TITLE = re.compile(r"\*?\s*\bYEAR\s+(\d{4})\b", re.I)
_CHUNK = re.compile(r"\S+(?: \S+)*")
# Words of the column headers; header lines are made only of (pieces of) them, in capitals.
_HEADER_WORDS = (
    "NO DATE TIME REPORTED MONTH DAY YEAR BARANGAY LOCATION FLOOD DEPTH METERS INCHES WEATHER "
    "DISTURBANCES TEMPERATURE SUBSIDED ACTIONS TAKEN LATITUDE LONGITUDE REMARKS STATUS WATER "
    "LEVEL HEIGHT PASSABLE VEHICLES RAINFALL AFFECTED FAMILIES PERSONS EVACUATED CAUSE NOTES"
).split()


@dataclass(frozen=True)
class Chunk:
    line: int  # 1-based physical line of the file
    col: int  # start column on its line (relative: the line's leading blanks are lost)
    text: str


@dataclass(frozen=True)
class TextLine:
    number: int  # 1-based physical line
    raw: str  # the physical line as in the file
    chunks: tuple[Chunk, ...]
    page_break: bool  # the line opens a new PDF page

    @property
    def first(self) -> str:
        return self.chunks[0].text if self.chunks else ""


@dataclass
class TextRecord:
    number: int
    anchor: int  # index into `lines` of the anchor line
    lines: list[TextLine] = field(default_factory=list)
    date_start: re.Pattern[str] = MONTH_FIRST  # the file's way of starting a date cell


def read_lines(text: str) -> list[TextLine]:
    """Every physical line, unquoted (`""` -> `"`) and cut into chunks."""
    result = []
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = raw.rstrip("\r")
        try:
            cells = next(csv.reader([raw]), [])
        except csv.Error:
            cells = [raw]
        value = ",".join(cells)
        body = value.replace("\f", "")
        chunks = tuple(Chunk(number, m.start(), m.group()) for m in _CHUNK.finditer(body))
        result.append(TextLine(number, raw, chunks, "\f" in value))
    return result


def title_year(lines: list[TextLine]) -> tuple[int, int] | None:
    """(year, line) of the first '*YEAR 2025' title, if any."""
    for line in lines:
        if match := TITLE.search(" ".join(c.text for c in line.chunks)):
            return int(match.group(1)), line.number
    return None


def is_header(line: TextLine, after_header: bool = False) -> bool:
    """A title line or a line of column-header words (capitals, no digits). Headers wrap in
    narrow columns, so right after a header line even short pieces ("H   RS)   N") count."""
    text = " ".join(c.text for c in line.chunks)
    if TITLE.search(text):
        return True
    words = [w.strip("()[]/.,:-#&") for w in text.split()]
    words = [w for w in words if w]  # "#", "&" alone
    if not words or any(not w.isalpha() or not w.isupper() for w in words):
        return False
    in_headers = [w for w in words if any(w in h for h in _HEADER_WORDS)]
    return len(in_headers) == len(words) and (after_header or any(len(w) >= 4 for w in words))


def _content(lines: list[TextLine]) -> list[TextLine]:
    content, after_header = [], False
    for line in lines:
        if not line.chunks:
            continue
        after_header = is_header(line, after_header)
        if not after_header:
            content.append(line)
    return content


def _leading_number(line: TextLine) -> int | None:
    tokens = line.first.split()
    token = tokens[0].rstrip(".)") if tokens else ""
    return int(token) if token.isdigit() and not token.startswith("0") else None


def _anchors(content: list[TextLine]) -> list[int]:
    """Indexes of the anchor lines of records 1, 2, 3 ... A wrapped cell may also open a line
    with the number ("2 Valley 8"): among the lines opening with n before the first one opening
    with n + 1, the one printing coordinates is the anchor, else the first."""
    numbers = [_leading_number(line) for line in content]
    anchors: list[int] = []
    start = 0
    while True:
        expected, found = len(anchors) + 1, []
        for index in range(start, len(content)):
            if numbers[index] == expected + 1 and found:
                break
            if numbers[index] == expected:
                found.append(index)
        if not found:
            return anchors
        with_place = [i for i in found if _COORDINATE.search(content[i].raw)]
        anchors.append((with_place or found)[0])
        start = anchors[-1] + 1


def date_start_pattern(lines: list[TextLine]) -> re.Pattern[str]:
    """Month first, day first or numeric: whichever opens most lines of this file. (A
    subsidence remark "16 August" may open a line of a month-first file; the date cells of
    every record outnumber it.)"""
    openers = [line.first for line in lines]
    # A date printed on the anchor line follows the record number: "1   8 June 2022".
    openers += [re.sub(r"^\d+\s+", "", " ".join(c.text for c in line.chunks)) for line in lines]
    counts = {p: sum(bool(p.match(text)) for text in openers) for p in HABITS}
    return max(HABITS, key=lambda p: counts[p])  # ties: the first habit, month first


def split_records(lines: list[TextLine]) -> tuple[list[TextRecord], list[TextLine]]:
    """Records in file order, and the content lines after the last record (none expected).

    Blank and header lines belong to no record.
    """
    content = _content(lines)
    anchors = _anchors(content)
    if not anchors:
        return [], content
    starts = date_start_pattern(content)
    gaps = [content[a + 1 : b] for a, b in zip([-1, *anchors], anchors, strict=False)]
    openers = _head_openers(gaps[1:], starts)
    records: list[TextRecord] = []
    start = 0
    for number, (anchor, gap) in enumerate(zip(anchors, gaps, strict=True), start=1):
        tail = _tail_length(gap, openers, starts) if records else 0
        if records:
            records[-1].lines.extend(gap[:tail])
        head = gap[tail:]
        records.append(TextRecord(number, len(head), [*head, content[anchor]], starts))
        start = anchor + 1
    rest = content[start:]
    tail = _date_start(rest, starts)  # after the last number only a date line starts a record
    records[-1].lines.extend(rest[:tail])
    return records, rest[tail:]


def _date_start(gap: list[TextLine], starts: re.Pattern[str]) -> int:
    return next((i for i, line in enumerate(gap) if starts.match(line.first)), len(gap))


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _head_openers(gaps: list[list[TextLine]], starts: re.Pattern[str]) -> set[str]:
    """How record heads start where no page break interferes (e.g. 'subsided as', 'dr. a.')."""
    return {
        _key(gap[0].first)
        for gap in gaps
        if gap and not gap[0].page_break and _date_start(gap, starts) > 0
    }


def _tail_length(gap: list[TextLine], openers: set[str], starts: re.Pattern[str]) -> int:
    """Lines at the start of `gap` that continue the previous record across a page break."""
    before_date = gap[: _date_start(gap, starts)]
    if not before_date or not before_date[0].page_break:
        return 0
    length = 0
    for line in before_date:
        if _key(line.first) in openers:
            break
        length += 1
    return length
