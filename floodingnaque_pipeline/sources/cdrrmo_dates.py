"""Dates of CDRRMO records from the pieces of evidence an export prints around them.

A PDF export prints a date once per block ("20 May 2023" over "(Saturday)"), a month column
("MAY"), a day cell ("24"), and remarks such as "Subsided as of 2358H 01 September" or
"02 SEPT". Readers collect every such piece for a record as a `DateClue`; `resolve_date` turns
them into one date and a `date_evidence` text, or refuses the record naming the clues that
conflict. Nothing is guessed: a record with no day is refused, never filled down.

A subsidence remark names when the water went down, which may be a day or two after the flood
(an evening storm subsiding after midnight), so such a clue agrees with a date 0..`lag_days`
before it. Pure module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import NamedTuple

from floodingnaque_pipeline.sources.cdrrmo_fields import RecordError

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
REMARK_LAG_DAYS = 2
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_DAYS = _DAY + r"(?:\s*(?:-|to|and|&)\s*(\d{1,2}))?"  # "20-21", "1 and 2": a multi-day flood
# "0000H", "2400H", "00:00", "12:00 AM": the water went down at midnight, i.e. the flood was
# over by the end of the day before.
_MIDNIGHT = re.compile(r"(?<![\d:])(?:0000|2400|00:00|24:00|12:00\s*a\.?m\.?)\s*H?\b", re.I)
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("day month", re.compile(rf"\b{_DAYS}\s*[- ]?\s*{_MONTH}(?:\s*,?\s*(\d{{4}}))?", re.I)),
    ("month day", re.compile(rf"\b{_MONTH}\s+{_DAYS}\b,?(?:\s*(\d{{4}}))?", re.I)),
    ("month", re.compile(rf"^\s*{_MONTH}\s*$", re.I)),
    ("day", re.compile(rf"^\s*{_DAYS}\s*$", re.I)),
)


@dataclass(frozen=True)
class DateClue:
    """One piece of date evidence as printed, with what it says (any part may be missing)."""

    kind: str  # "date cell", "block date", "day cell", "month column", "remark", ...
    text: str  # as printed (whitespace squashed)
    line: int  # physical line of the file
    year: int | None = None
    month: int | None = None
    day: int | None = None
    last_day: int | None = None  # end of a printed range ("20-21" -> 21)
    lag_days: int = 0  # how many days after the flood this clue may name
    midnight: bool = False  # a subsidence at 0000H: the flood ended the day before

    @property
    def days(self) -> int:
        """How many days the clue labels: 2 for a printed range "1 and 2"."""
        return self.last_day - self.day + 1 if self.last_day and self.day else 1

    def describe(self) -> str:
        return f"{self.kind} {self.text!r} (line {self.line})"


def read_clue(kind: str, text: str, line: int, lag_days: int = 0) -> DateClue | None:
    """The date parts in `text`, or None when it holds none ("(Saturday)", "Subsided as")."""
    squashed = " ".join(text.split())
    if not squashed:
        return None
    clue = _read_parts(kind, squashed, line, lag_days)
    if clue is not None and lag_days and _MIDNIGHT.search(squashed):
        return replace(clue, midnight=True)
    return clue


def _read_parts(kind: str, squashed: str, line: int, lag_days: int) -> DateClue | None:
    for name, pattern in _PATTERNS:
        match = pattern.search(squashed)
        if not match:
            continue
        groups = match.groups()
        if name == "iso":
            year, month, day = (int(g) for g in groups)
            return DateClue(kind, squashed, line, year, month, day, None, lag_days)
        if name == "day month":
            first, last, month, year = groups
            return _clue(kind, squashed, line, year, month, first, last, lag_days)
        if name == "month day":
            month, first, last, year = groups
            return _clue(kind, squashed, line, year, month, first, last, lag_days)
        if name == "month":
            return _clue(kind, squashed, line, None, groups[0], None, None, lag_days)
        first, last = groups
        return _clue(kind, squashed, line, None, None, first, last, lag_days)
    return None


def _clue(
    kind: str,
    text: str,
    line: int,
    year: str | None,
    month: str | None,
    first: str | None,
    last: str | None,
    lag_days: int,
) -> DateClue | None:
    day = int(first) if first else None
    last_day = int(last) if last else None
    if day is not None and not 1 <= day <= 31:
        return None
    if last_day is not None and not (day or 0) < last_day <= 31:
        last_day = None
    month_number = MONTHS[month[:3].lower()] if month else None
    return DateClue(
        kind, text, line, int(year) if year else None, month_number, day, last_day, lag_days
    )


class Dated(NamedTuple):
    """A record's date: its first day, the evidence text, and how many days it labels (a
    printed range "1 and 2" floods both days)."""

    first: date
    evidence: str
    days: int = 1

    def each_day(self) -> list[tuple[date, str]]:
        """(day, evidence) for every day of the range; the evidence names which day it is."""
        if self.days == 1:
            return [(self.first, self.evidence)]
        return [
            (self.first + timedelta(days=k), f"{self.evidence}; day {k + 1} of {self.days}")
            for k in range(self.days)
        ]


def resolve_date(clues: list[DateClue], file_year: int | None) -> Dated:
    """One date and its evidence text from a record's clues; RecordError when none can be
    established or when two clues disagree (the reason names both).

    A subsidence remark (a clue with `lag_days`) bounds the flood: on or before the day it
    names, and before that day when the water went down at midnight. Alone, it dates the
    record by that bound (the latest day it allows), and the evidence says so."""
    direct = [c for c in clues if c.lag_days == 0]
    lagged = [c for c in clues if c.lag_days > 0]
    year = _agree(direct, "year") or file_year
    month = _agree(direct, "month")
    day = _agree(direct, "day")
    used = [c for c in direct if c.month is not None or c.day is not None or c.year is not None]
    if (month is None or day is None) and lagged:
        remark = next((c for c in lagged if c.month and c.day), None)
        if remark is not None:
            return _by_subsidence(remark, year, month, day, direct)
    if year is None or month is None or day is None:
        seen = "; ".join(c.describe() for c in clues) or "no date cell, block date or remark"
        missing = ", ".join(
            n for n, v in (("year", year), ("month", month), ("day", day)) if v is None
        )
        raise RecordError(f"no date can be established ({missing} unknown): {seen}")
    event_day = _date(year, month, day, used)
    for remark in lagged:
        _check_lagged(event_day, remark, used)
    return event_day


def _by_subsidence(
    remark: DateClue, year: int | None, month: int | None, day: int | None, direct: list[DateClue]
) -> Dated:
    named = _date(remark.year or year, remark.month or 0, remark.day or 0, [remark]).first
    bound = named - timedelta(days=1) if remark.midnight else named
    for field, have in (("month", month), ("day", day)):
        if have is not None and have != getattr(bound, field):
            other = next(c for c in direct if getattr(c, field) == have)
            raise RecordError(_conflict(other, remark, field))
    why = "the day before, as it subsided at midnight" if remark.midnight else "that day"
    return Dated(
        bound,
        f"{remark.describe()}: flood on or before {bound}; dated {why} by the subsidence rule "
        "(no date cell)",
    )


def _agree(clues: list[DateClue], field: str) -> int | None:
    found = [c for c in clues if getattr(c, field) is not None]
    for clue in found[1:]:
        if getattr(clue, field) != getattr(found[0], field):
            raise RecordError(_conflict(found[0], clue, field))
    return getattr(found[0], field) if found else None


def _check_lagged(dated: Dated, remark: DateClue, used: list[DateClue]) -> None:
    """The remark must name a day within `lag_days` after the flood's last day (after it, not
    on it, when the water went down at midnight)."""
    last = dated.first + timedelta(days=dated.days - 1)
    if remark.month is None or remark.day is None:
        if remark.month is not None and remark.month not in (
            last.month,
            (last + timedelta(days=remark.lag_days)).month,
        ):
            raise RecordError(_conflict(used[0], remark, "month"))
        return
    earliest = 1 if remark.midnight else 0
    for year in (last.year, last.year + 1):
        try:
            named = date(remark.year or year, remark.month, remark.day)
        except ValueError:
            continue
        if earliest <= (named - last).days <= remark.lag_days:
            return
    when = "the day after it" if remark.midnight else "it"
    raise RecordError(
        f"conflicting dates: {', '.join(c.describe() for c in used)} gives {last}, "
        f"but {remark.describe()} is not within {remark.lag_days} days after {when}"
        + (" (a subsidence at midnight ends the day before)" if remark.midnight else "")
    )


def _conflict(first: DateClue, second: DateClue, field: str) -> str:
    return (
        f"conflicting dates: {first.describe()} says {field} {getattr(first, field)}, "
        f"{second.describe()} says {field} {getattr(second, field)}"
    )


def _date(year: int | None, month: int, day: int, used: list[DateClue]) -> Dated:
    evidence = " + ".join(c.describe() for c in used)
    if year is None:
        raise RecordError(f"no year for {evidence} (no year in the file's title or cells)")
    try:
        value = date(year, month, day)
    except ValueError:
        raise RecordError(f"impossible date {year}-{month:02d}-{day:02d} from {evidence}") from None
    ranged = next((c for c in used if c.last_day), None)
    if ranged is None:
        return Dated(value, evidence)
    try:
        date(year, month, ranged.last_day or day)
    except ValueError:
        raise RecordError(
            f"impossible range {ranged.day}-{ranged.last_day} in month {month} from {evidence}"
        ) from None
    evidence += f"; printed range {ranged.day}-{ranged.last_day} labels each of its days"
    return Dated(value, evidence, ranged.days)


def read_numeric_clue(kind: str, text: str, line: int, month: int | None = None) -> DateClue | None:
    """'5/20/2023' as Excel prints dates in the Philippines: month/day/year, or day/month/year
    when only that is a date or when the record's MONTH cell says so; the kind names the
    reading used (a month cell that disagrees then refuses the record, naming both)."""
    match = re.search(r"\b(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)?\d\d)\b", text)
    if match is None:
        return None
    first, second, year = (int(g) for g in match.groups())
    year += 2000 if year < 100 else 0
    readings = [(first, second, "m/d/y"), (second, first, "d/m/y")]
    readings.sort(key=lambda r: month is not None and r[0] != month)
    for month_of, day, reading in readings:
        try:
            date(year, month_of, day)
        except ValueError:
            continue
        return DateClue(f"{kind} ({reading})", " ".join(text.split()), line, year, month_of, day)
    return None
