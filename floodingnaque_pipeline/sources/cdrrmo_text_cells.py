"""The cells of one text-export record, recognised by what they say.

A stripped line keeps no absolute column, so cells are found by their content and reading
order (line by line, left to right; a cell's wrapped pieces keep their top-to-bottom order):

* date cell: the first chunk of the record's first line that begins with a month name
  ("May 6,", "September"), completed by the day/year that open the following lines or follow
  the record number on the anchor ("2025", "6, 2025");
* MONTH column: a chunk that is only a month name ("MAY", "September") outside the date cell;
* subsidence remark: from "Subsided as" on, the right-most dated piece of each line ("of
  2350H,", "19 July", "2025"); temperatures ("24.4 ° - 32.2 °") are cut out first;
* coordinates: numbers with 4+ decimals, latitude first; depth: an MMDA gauge word
  (gutter, knee ...) or else the inches cell; disturbance: chunks made of weather-system words.

What is left (`free`) are the barangay and location pieces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from floodingnaque_pipeline.sources.cdrrmo_fields import DEPTH_INCHES
from floodingnaque_pipeline.sources.cdrrmo_text_lines import (
    DAY_FIRST,
    MONTH,
    NUMERIC,
    Chunk,
    TextRecord,
)

_RANGE = r"(?:\s*(?:-|to|and|&)\s*\d{1,2}\b)?"  # "May 6-7", "1 and 2 June": every day floods
_MONTH_FIRST_HEAD = re.compile(rf"^{MONTH}\.?(?:\s+\d{{1,2}}\b{_RANGE},?(?:\s*\d{{4}}\b)?)?", re.I)
_DAY_FIRST_HEAD = re.compile(
    rf"^\d{{1,2}}(?:st|nd|rd|th)?{_RANGE}\s*[- ]?\s*{MONTH}[a-z]*\.?(?:,?\s*\d{{4}}\b)?", re.I
)
_DATE_MORE = re.compile(r"^(?:\d{1,2},?\s+\d{4}\b|\d{1,2},|\d{4}\b)")
_BARE_MONTH = re.compile(rf"^{MONTH}\.?$", re.I)
_TIME = re.compile(r"^(?:\d{3,4}\s*H|\d{1,2}:\d{2}\s*(?:H|[AP]\.?M\.?)?)$", re.I)
_INCHES = re.compile(r'^(\d{1,2})\s*(?:"|in\.?|inches)$', re.I)
_COORD = re.compile(r"-?\b\d{1,3}\.\d{4,}\b")
_TEMPERATURE = re.compile(r"-?\d+(?:\.\d+)?\s*°\s*C?(?:\s*-\s*\d+(?:\.\d+)?(?:\s*°\s*C?)?)?|°\s*C?")
# A dated piece of "Subsided as of 2350H, 19 July 2025", wherever the cell wrapped it: "of
# 2350H,", "1530H 24 July", "19 July", "2025"; a time may open the piece.
_REMARK = re.compile(
    rf"^(?:of\s+\d.*|(?:\d{{3,4}}\s*H,?\s+)?(?:\d{{1,4}},?|\d{{1,2}}\s*{MONTH}[a-z]*\.?\s*\d*"
    rf"|{MONTH}[a-z]*\.?\s*\d{{1,4}}(?:\s*,?\s*\d{{1,4}})?))$",
    re.I,
)
_STRICT_REMARK = re.compile(
    rf"^(?:of\s+\d{{3,4}}\s*H.*|\d{{3,4}}\s*H,?(?:\s+\d{{1,2}}\s*{MONTH}[a-z]*\.?(?:\s+\d{{4}})?)?"
    rf"|\d{{1,2}}\s*{MONTH}[a-z]*\.?(?:\s+\d{{4}})?|(?:19|20)\d\d)$",
    re.I,
)
_DEPTH = re.compile(r"\b(?:half[\s-]*)?(?:gutter|knee|waist|chest|tire|tyre)\b", re.I)
_DEPTH_FILLER = re.compile(r"\b(?:level|lvl|deep)\b", re.I)
# Weather systems as PAGASA names them (and as the CDRRMO misspells them: "Enchanced").
_WEATHER = set(
    "southwest northeast monsoon habagat amihan easterlies easterly enhanced enchanced tropical "
    "storm depression typhoon cyclone lpa itcz intertropical convergence thunderstorm "
    "thunderstorms thunderstor shear trough frontal localized localised pressure rainshowers "
    "rain rains rainfall downpour ts td sts ty sty".split()
)
_WEATHER_LINKS = set("by of the to due and a low area zone line super severe tail end tail-end "
                     "system heavy showers ms".split())  # fmt: skip
_NAMED = {"storm", "typhoon", "depression", "cyclone", "ts", "td", "sts", "ty", "sty"}
# ACTIONS TAKEN cells ("Monitor" right of the remark in October 2025): not part of a place.
_ACTIONS = re.compile(
    r"^(?:monitor(?:ed|ing)?|rescue[ds]?|evacuated|declogg(?:ed|ing)|(?:not )?passable|cleared)$",
    re.I,
)


@dataclass
class RecordCells:
    date_parts: list[Chunk] = field(default_factory=list)
    month_cells: list[Chunk] = field(default_factory=list)
    remark: list[Chunk] = field(default_factory=list)
    coordinates: list[str] = field(default_factory=list)
    depth_text: str = ""
    disturbance: str = ""
    free: list[Chunk] = field(default_factory=list)  # barangay and location pieces


def _cleaned(chunk: Chunk, coordinates: list[str]) -> Chunk | None:
    text = _TEMPERATURE.sub(" ", chunk.text)
    coordinates.extend(_COORD.findall(text))
    text = " ".join(_COORD.sub(" ", text).split())
    return Chunk(chunk.line, chunk.col, text) if text else None


def _lines(record: TextRecord, cells: RecordCells) -> list[list[Chunk]]:
    """Each line's chunks without temperatures and coordinates, and without the record number."""
    result = []
    for index, line in enumerate(record.lines):
        chunks = [c for c in (_cleaned(c, cells.coordinates) for c in line.chunks) if c]
        if index == record.anchor and chunks:
            number, _, rest = chunks[0].text.partition(" ")
            chunks[0] = Chunk(chunks[0].line, chunks[0].col + len(number) + 1, rest.strip())
            chunks = [c for c in chunks if c.text]
        result.append(chunks)
    return result


def _split(chunk: Chunk, pattern: re.Pattern[str]) -> tuple[Chunk, Chunk | None] | None:
    match = pattern.match(chunk.text)
    if not match:
        return None
    rest = chunk.text[match.end() :].strip()
    head = Chunk(chunk.line, chunk.col, match.group().strip())
    return head, (Chunk(chunk.line, chunk.col + match.end() + 1, rest) if rest else None)


def _take_date(lines: list[list[Chunk]], record: TextRecord, cells: RecordCells) -> None:
    starts = record.date_start
    heads = lines[: record.anchor + 1]
    start = next((i for i, ch in enumerate(heads) if ch and starts.match(ch[0].text)), None)
    if start is None:
        return
    heads_by_habit = {DAY_FIRST: _DAY_FIRST_HEAD, NUMERIC: NUMERIC}
    pattern = heads_by_habit.get(starts, _MONTH_FIRST_HEAD)
    for index in range(start, len(lines)):
        chunks = lines[index]
        if not chunks:
            continue
        split = _split(chunks[0], pattern)
        if split is None:
            continue
        cells.date_parts.append(split[0])
        chunks[0:1] = [split[1]] if split[1] else []
        pattern = _DATE_MORE
        if re.search(r"\b\d{4}\b", split[0].text):
            return


def _take_remark(lines: list[list[Chunk]], cells: RecordCells) -> None:
    started = False
    for chunks in lines:
        for chunk in list(chunks):
            if not started and chunk.text.lower().startswith("subsided"):
                started = True
                cells.remark.append(chunk)
                chunks.remove(chunk)
        if started and (piece := _remark_piece(chunks)):
            cells.remark.append(piece)
            chunks.remove(piece)


def _remark_piece(chunks: list[Chunk]) -> Chunk | None:
    """The remark's piece on one line. Where the remark column is right of all but ACTIONS
    TAKEN ("Monitor"), it is the last or second-last piece; an export with other columns right
    of it shows the piece elsewhere, so there only an unmistakable one counts (a time, a day
    and month, a year: never a bare small number, which may be a street's)."""
    for last in reversed(chunks[-2:]):
        if _REMARK.match(last.text) and not _INCHES.match(last.text):
            return last
    return next((c for c in reversed(chunks) if _STRICT_REMARK.match(c.text)), None)


def _words(text: str) -> list[str]:
    return [w.strip("\"'(),.:;").lower() for w in text.split()]


def _is_weather(text: str) -> tuple[bool, bool]:
    """(made only of weather words, has a strong one) for one chunk."""
    if re.fullmatch(r'"[^"]+"', text):  # a storm's name in quotes: "Opong"
        return True, True
    words = _words(text)
    ok = all(
        w in _WEATHER or w in _WEATHER_LINKS or (i and words[i - 1] in _NAMED)
        for i, w in enumerate(words)
    )
    return ok, ok and any(w in _WEATHER for w in words)


def _take_disturbance(lines: list[list[Chunk]], cells: RecordCells) -> None:
    picked = [(chunks, c, _is_weather(c.text)) for chunks in lines for c in chunks]
    picked = [(chunks, c, strong) for chunks, c, (weather, strong) in picked if weather]
    if not any(strong for _, _, strong in picked):
        return  # link words alone ("by", "area") are not a disturbance
    words: list[str] = []
    for chunks, chunk, _ in picked:
        chunks.remove(chunk)
        text = chunk.text
        if words and text.isalpha() and text.islower() and len(text) <= 3:
            if (words[-1] + text).lower() in _WEATHER:  # "Thunderstor" / "ms"
                words[-1] += text
                continue
        words.append(text)
    cells.disturbance = " ".join(words)


def _take_depth(lines: list[list[Chunk]], cells: RecordCells) -> None:
    inches = None
    for chunks in lines:
        for index, chunk in enumerate(chunks):
            if match := _INCHES.match(chunk.text):
                inches = inches or int(match.group(1))
                chunks[index] = Chunk(chunk.line, chunk.col, "")
                continue
            if not cells.depth_text and (match := _DEPTH.search(chunk.text)):
                cells.depth_text = match.group()
            text = " ".join(_DEPTH_FILLER.sub(" ", _DEPTH.sub(" ", chunk.text)).split())
            chunks[index] = Chunk(chunk.line, chunk.col, text)
    if not cells.depth_text and inches is not None:
        # Only the inches cell: the MMDA gauge class of exactly that depth, if there is one.
        cells.depth_text = next((k for k, v in DEPTH_INCHES.items() if v == inches), "")


def read_cells(record: TextRecord) -> RecordCells:
    cells = RecordCells()
    lines = _lines(record, cells)
    _take_date(lines, record, cells)
    for chunks in lines:
        for chunk in list(chunks):
            if _BARE_MONTH.match(chunk.text):
                cells.month_cells.append(chunk)
                chunks.remove(chunk)
            elif _TIME.match(chunk.text):
                chunks.remove(chunk)
    _take_disturbance(lines, cells)
    _take_remark(lines, cells)  # weather words gone, a line's last piece may be the remark's
    _take_depth(lines, cells)
    cells.free = [
        c
        for chunks in lines
        for c in chunks
        if re.search(r"\w", c.text) and not _ACTIONS.match(c.text)
    ]
    return cells
