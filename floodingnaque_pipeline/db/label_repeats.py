"""Records of one label file that repeat records of *another* file (flagged, never refused).

- PAGASA: the same (station, day) already held by another file. The later file takes the day
  over (the table's key is station + day), so this must be measured before the file is stored.
- CDRRMO: the same date and coordinates as an event of another file. A raw export and its
  cleaned copy legitimately describe the same floods; both are kept and the repeat is reported,
  so an analyst can drop one copy if the labels should not count a flood twice.

Runs in the caller's session (the file's transaction). No Dagster here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.models_labels import FloodEvent, StationObservation

EXAMPLES = 5
_COORDINATE_DIGITS = 6  # ~0.1 m: the same point typed into two files, not a neighbour


@dataclass(frozen=True)
class CrossFileRepeats:
    rows: int = 0  # records of this file that repeat a record of another file
    by_file: dict[str, int] = field(default_factory=dict)  # other file -> records repeated
    examples: list[str] = field(default_factory=list)  # "line 7 = raw_2022.csv line 25"

    def __add__(self, other: CrossFileRepeats) -> CrossFileRepeats:
        """Two batches of one file together (the file is stored in batches)."""
        by_file = Counter(self.by_file) + Counter(other.by_file)
        examples = [*self.examples, *other.examples][:EXAMPLES]
        return CrossFileRepeats(self.rows + other.rows, dict(by_file), examples)


def _summarise(matches: list[tuple[int, str, int]]) -> CrossFileRepeats:
    """matches: (this file's line, other file, other file's line)."""
    examples = [f"line {mine} = {other} line {theirs}" for mine, other, theirs in matches]
    by_file = Counter(other for _, other, _ in matches)
    return CrossFileRepeats(len(matches), dict(by_file), examples[:EXAMPLES])


def station_repeats(session: Session, file_name: str, records: Sequence[Any]) -> CrossFileRepeats:
    """Days of `records` already stored from another file (call before storing this file)."""
    if not records:
        return CrossFileRepeats()
    t = StationObservation
    days = [r.observed_on for r in records]
    held = {
        (station, day): (source_file, source_row)
        for station, day, source_file, source_row in session.execute(
            select(t.station, t.observed_on, t.source_file, t.source_row).where(
                t.station.in_({r.station for r in records}),
                t.observed_on.between(min(days), max(days)),
                t.source_file != file_name,
            )
        )
    }
    matches = [
        (r.row_number, *held[(r.station, r.observed_on)])
        for r in records
        if (r.station, r.observed_on) in held
    ]
    return _summarise(matches)


def _point(day: Any, lat: float | None, lon: float | None) -> tuple[Any, ...] | None:
    if lat is None or lon is None:
        return None  # no coordinates: nothing precise enough to call a repeat
    return (day, round(lat, _COORDINATE_DIGITS), round(lon, _COORDINATE_DIGITS))


def flood_repeats(session: Session, file_name: str, records: Sequence[Any]) -> CrossFileRepeats:
    """Events of `records` with the date and coordinates of an event of another file."""
    located = [(r, p) for r in records if (p := _point(r.event_date, r.latitude, r.longitude))]
    if not located:
        return CrossFileRepeats()
    t = FloodEvent
    days = [r.event_date for r, _ in located]
    others: dict[tuple[Any, ...], tuple[str, int]] = {}
    for day, lat, lon, source_file, source_row in session.execute(
        select(t.event_date, t.latitude, t.longitude, t.source_file, t.source_row)
        .where(t.event_date.between(min(days), max(days)), t.source_file != file_name)
        .order_by(t.source_file, t.source_row)
    ):
        if point := _point(day, lat, lon):
            others.setdefault(point, (source_file, source_row))
    return _summarise([(r.row_number, *others[p]) for r, p in located if p in others])
