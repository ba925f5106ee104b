"""Dates of table-export records: a record's own date cells, else the merged block it lies in.

The PDF merges the DATE (and MONTH) cells of all records of one flood day, and prints the text
once, somewhere inside the block: at its top (2023: "24" AUGUST), in its middle (2023: "20 May
2023 (Saturday)" next to record 7 of records 1-23) or wherever a page break left it. So a
record without a date cell of its own belongs to the block printed just above it or the one
just below, never further. Which one is settled by evidence, never by position alone:

* both neighbours print the same date -> that date (2022 record 87 between two '30 October');
* only one neighbour exists (before the first or after the last printed date) -> that one;
* otherwise each choice is checked against the record's own clues (its month cell, a
  "SUBSIDED ... 28 SEPT" remark: `resolve_date`); if several survive with different dates, the
  block whose printed record reports the same weather disturbance wins (the records of one
  flood day share it: ITCZ vs Typhoon Betty vs the SW monsoon in 2023). Still undecided ->
  refused, naming both blocks. Pure module.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from datetime import date

from floodingnaque_pipeline.sources.cdrrmo_dates import (
    REMARK_LAG_DAYS,
    DateClue,
    read_clue,
    resolve_date,
)
from floodingnaque_pipeline.sources.cdrrmo_fields import RecordError
from floodingnaque_pipeline.sources.cdrrmo_table_grid import Grid, TableRecord

# Column role -> what its own clue is called in date_evidence (a block's: "block date", ...).
DATE_ROLES = {"date": "date cell", "month": "month cell", "day": "day cell", "year": "year cell"}
REMARK_ROLES = ("remarks", "subsided")


@dataclass(frozen=True)
class Option:
    """One way to fill a date role: the record's own cell, or a neighbouring block's."""

    clue: DateClue
    anchor: int | None  # index of the record printing the block; None for its own cell


def _own_clue(record: TableRecord, role: str) -> DateClue | None:
    text = record.text(role)
    line = record.first_line_of(role)
    if role == "year":
        match = re.search(r"\b((?:19|20)\d\d)\b", text)
        return DateClue(DATE_ROLES[role], text, line, year=int(match.group(1))) if match else None
    clue = read_clue(DATE_ROLES[role], text, line) or _numeric_clue(DATE_ROLES[role], text, line)
    return clue if clue is not None and (clue.month or clue.day) else None


def _numeric_clue(kind: str, text: str, line: int) -> DateClue | None:
    """'5/20/2023' as Excel prints dates in the Philippines: month/day/year, or day/month/year
    when only that is a date; the kind says which reading was used (a month cell that
    disagrees then refuses the record, naming both)."""
    match = re.search(r"\b(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)?\d\d)\b", text)
    if match is None:
        return None
    first, second, year = (int(g) for g in match.groups())
    year += 2000 if year < 100 else 0
    for month, day, reading in ((first, second, "m/d/y"), (second, first, "d/m/y")):
        try:
            date(year, month, day)
        except ValueError:
            continue
        return DateClue(f"{kind} ({reading})", " ".join(text.split()), line, year, month, day)
    return None


def _weather(record: TableRecord) -> str:
    return re.sub(r"[^A-Z0-9]+", "", record.text("weather").upper())


class BlockDates:
    """Resolves the date of every record of one grid."""

    def __init__(self, grid: Grid) -> None:
        self.records = grid.records
        self.year = grid.year
        self.title = DateClue("title row", grid.title, grid.title_line, year=grid.year)
        roles = [r for r in DATE_ROLES if r in grid.columns]
        self.own = {role: [_own_clue(rec, role) for rec in self.records] for role in roles}

    def _options(self, role: str, index: int) -> list[Option]:
        own = self.own[role]
        if own[index] is not None:
            return [Option(own[index], None)]
        before = next((j for j in range(index - 1, -1, -1) if own[j] is not None), None)
        after = next((j for j in range(index + 1, len(own)) if own[j] is not None), None)
        weather = _weather(self.records[index])
        options: list[Option] = []
        for anchor in (before, after):
            clue = own[anchor] if anchor is not None else None
            if clue is None:
                continue
            option = Option(
                replace(clue, kind="block " + clue.kind.replace(" cell", "", 1)), anchor
            )
            same = [o for o in options if _same_value(clue, o.clue)]
            if not same:
                options.append(option)
            elif weather and self._weather_of(option) == weather != self._weather_of(same[0]):
                options[options.index(same[0])] = option  # name the block it shares a day with
        return options

    def _remarks(self, record: TableRecord) -> list[DateClue]:
        clues = []
        for role in REMARK_ROLES:
            text, line = record.text(role), record.first_line_of(role)
            clue = read_clue("remark", text, line, REMARK_LAG_DAYS)
            if clue is not None and clue.month is not None:
                clues.append(clue)
        return clues

    def date_of(self, index: int) -> tuple[date, str]:
        """(event date, date_evidence) of record `index`, or RecordError with the reason."""
        per_role = [opts for role in self.own if (opts := self._options(role, index))]
        remarks = self._remarks(self.records[index])
        weather = _weather(self.records[index])
        tried: list[tuple[bool, tuple[Option, ...], tuple[date, str] | RecordError]] = []
        for combo in itertools.product(*per_role):
            clues = [self.title, *(o.clue for o in combo), *remarks]
            try:
                outcome: tuple[date, str] | RecordError = resolve_date(clues, self.year)
            except RecordError as error:
                outcome = error
            same_weather = all(
                o.anchor is None
                or len(opts) == 1
                or (bool(weather) and self._weather_of(o) == weather)
                for o, opts in zip(combo, per_role, strict=True)
            )
            tried.append((same_weather, combo, outcome))
        # Preference when reporting: the same weather first, then the block above (its head).
        tried.sort(key=lambda t: not t[0])
        resolved = [(w, c, o) for w, c, o in tried if not isinstance(o, RecordError)]
        if not resolved:  # every choice fails: report the likeliest one's reason
            error = tried[0][2]
            assert isinstance(error, RecordError)
            raise error
        days = {o[0] for _, _, o in resolved}
        if len(days) == 1:
            return _checked(resolved[0][2], remarks)
        by_weather = [(c, o) for w, c, o in resolved if w]
        if len({o[0] for _, o in by_weather}) == 1:
            combo, outcome = by_weather[0]
            anchors = sorted(
                {self.records[o.anchor].number for o, opts in zip(combo, per_role, strict=True)
                 if o.anchor is not None and len(opts) > 1}
            )  # fmt: skip
            shown = self.records[index].text("weather")
            day, evidence = _checked(outcome, remarks)
            return day, (
                f"{evidence}; block chosen by the weather disturbance {shown!r}, the same as "
                "record " + ", ".join(f"#{n}" for n in anchors)
            )
        blocks = " or ".join(
            sorted({o.clue.describe() for _, c, _ in resolved for o in c if o.anchor is not None})
        )
        raise RecordError(
            f"no date can be established: no date cell of its own, and it lies between the "
            f"blocks {blocks}; no remark, month cell or weather disturbance tells which"
        )

    def _weather_of(self, option: Option) -> str:
        return _weather(self.records[option.anchor]) if option.anchor is not None else ""


def _checked(outcome: tuple[date, str], remarks: list[DateClue]) -> tuple[date, str]:
    """The evidence names the remarks the date was checked against, when it does not yet."""
    day, evidence = outcome
    unnamed = [r.describe() for r in remarks if r.describe() not in evidence]
    return day, evidence + "".join(f"; agrees with {r}" for r in unnamed)


def _same_value(a: DateClue, b: DateClue) -> bool:
    return (a.year, a.month, a.day, a.last_day) == (b.year, b.month, b.day, b.last_day)
