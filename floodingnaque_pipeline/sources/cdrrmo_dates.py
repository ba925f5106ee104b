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
from dataclasses import dataclass
from datetime import date, timedelta

from floodingnaque_pipeline.sources.cdrrmo_fields import RecordError

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
REMARK_LAG_DAYS = 2
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_DAYS = _DAY + r"(?:\s*(?:-|to|and|&)\s*(\d{1,2}))?"  # "20-21", "1 and 2": a multi-day flood
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

    def describe(self) -> str:
        return f"{self.kind} {self.text!r} (line {self.line})"


def read_clue(kind: str, text: str, line: int, lag_days: int = 0) -> DateClue | None:
    """The date parts in `text`, or None when it holds none ("(Saturday)", "Subsided as")."""
    squashed = " ".join(text.split())
    if not squashed:
        return None
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


def resolve_date(clues: list[DateClue], file_year: int | None) -> tuple[date, str]:
    """One date and its evidence text from a record's clues; RecordError when none can be
    established or when two clues disagree (the reason names both)."""
    direct = [c for c in clues if c.lag_days == 0]
    lagged = [c for c in clues if c.lag_days > 0]
    year = _agree(direct, "year") or file_year
    month = _agree(direct, "month")
    day = _agree(direct, "day")
    used = [c for c in direct if c.month is not None or c.day is not None or c.year is not None]
    if (month is None or day is None) and lagged:
        remark = next((c for c in lagged if c.month and c.day), None)
        if remark is not None:
            for field, have in (("month", month), ("day", day)):
                if have is not None and have != getattr(remark, field):
                    other = next(c for c in direct if getattr(c, field) == have)
                    raise RecordError(_conflict(other, remark, field))
            return _date(remark.year or year, remark.month, remark.day, [remark])
    if year is None or month is None or day is None:
        seen = "; ".join(c.describe() for c in clues) or "no date cell, block date or remark"
        missing = ", ".join(
            n for n, v in (("year", year), ("month", month), ("day", day)) if v is None
        )
        raise RecordError(f"no date can be established ({missing} unknown): {seen}")
    event_day = _date(year, month, day, used)
    for remark in lagged:
        _check_lagged(event_day[0], remark, used)
    return event_day


def _agree(clues: list[DateClue], field: str) -> int | None:
    found = [c for c in clues if getattr(c, field) is not None]
    for clue in found[1:]:
        if getattr(clue, field) != getattr(found[0], field):
            raise RecordError(_conflict(found[0], clue, field))
    return getattr(found[0], field) if found else None


def _check_lagged(event_day: date, remark: DateClue, used: list[DateClue]) -> None:
    if remark.month is None or remark.day is None:
        if remark.month is not None and remark.month not in (
            event_day.month,
            (event_day + timedelta(days=remark.lag_days)).month,
        ):
            raise RecordError(_conflict(used[0], remark, "month"))
        return
    for year in (event_day.year, event_day.year + 1):
        try:
            named = date(remark.year or year, remark.month, remark.day)
        except ValueError:
            continue
        if 0 <= (named - event_day).days <= remark.lag_days:
            return
    raise RecordError(
        f"conflicting dates: {', '.join(c.describe() for c in used)} gives {event_day}, "
        f"but {remark.describe()} is not within {remark.lag_days} days after it"
    )


def _conflict(first: DateClue, second: DateClue, field: str) -> str:
    return (
        f"conflicting dates: {first.describe()} says {field} {getattr(first, field)}, "
        f"{second.describe()} says {field} {getattr(second, field)}"
    )


def _date(year: int | None, month: int, day: int, used: list[DateClue]) -> tuple[date, str]:
    evidence = " + ".join(c.describe() for c in used)
    if year is None:
        raise RecordError(f"no year for {evidence} (no year in the file's title or cells)")
    try:
        value = date(year, month, day)
    except ValueError:
        raise RecordError(f"impossible date {year}-{month:02d}-{day:02d} from {evidence}") from None
    ranged = next((c for c in used if c.last_day), None)
    if ranged is not None:
        evidence += f"; first day of the printed range {ranged.day}-{ranged.last_day}"
    return value, evidence
