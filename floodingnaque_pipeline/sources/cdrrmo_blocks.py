"""Dates of PDF-export records, whichever layout: a record's own date cells, else the merged
block it lies in. One model for the table and the text layouts: each reader reassembles a
record's cells and hands over its `RecordClues`; the rules below are the same for both.

A PDF merges the DATE (and MONTH) cells of all records of one flood day and prints the text
once, somewhere inside the block: at its top, in its middle or wherever a page break left it.
So a record without a date cell of its own belongs to the block printed just above it or the
one just below, never further. Which one is settled by evidence, never by position alone:

* both neighbours print the same date -> that date;
* only one neighbour exists (before the first or after the last printed date) -> that one;
* otherwise each choice is checked against the record's own clues (its month cell, a
  "SUBSIDED ... 28 SEPT" remark: `resolve_date`); if several survive with different dates, the
  block whose printed record reports the same weather disturbance wins (the records of one
  flood day share it). Still undecided -> refused, naming both blocks. Pure module.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from functools import partial

from floodingnaque_pipeline.sources.cdrrmo_block_habits import HABITS, Placement
from floodingnaque_pipeline.sources.cdrrmo_dates import DateClue, Dated, resolve_date
from floodingnaque_pipeline.sources.cdrrmo_fields import RecordError

# A printing habit stands when the records whose own clues can tell confirm it at least this
# many times for each time they contradict it.
CONFIRMATIONS_PER_CONTRADICTION = 4
DAY_ROLES = ("date", "day")  # roles whose merged cell spans the records of one flood day


@dataclass(frozen=True)
class RecordClues:
    """What one record prints about its date: per date role ("date", "month", "day", "year")
    its own cell's clue or None, its remarks, and its weather disturbance as printed."""

    number: int
    own: dict[str, DateClue | None]
    remarks: list[DateClue] = field(default_factory=list)
    weather: str = ""
    # The weather cell as printed whole (a table's column), or as a text layout reassembled
    # it, which may cut a wrapped cell short or give it a neighbouring cell's word.
    weather_whole: bool = True

    @property
    def weather_key(self) -> str:
        return re.sub(r"[^A-Z0-9]+", "", self.weather.upper())


@dataclass(frozen=True)
class Option:
    """One way to fill a date role: the record's own cell, or a neighbouring block's."""

    clue: DateClue
    anchor: int | None  # index of the record printing the block; None for its own cell
    habit: str = ""  # the printing habit that placed the record in this block, if one did


class BlockDates:
    """Resolves the date of every record of one file."""

    def __init__(
        self, records: list[RecordClues], year: int | None, title: DateClue | None = None
    ) -> None:
        self.records = records
        self.year = year
        self.title = title
        roles = sorted({role for r in records for role in r.own})
        self.own = {role: [r.own.get(role) for r in records] for role in roles}
        # Habits the layout allows and only the weather speaks against: the weather then
        # cannot place a record against them either (one of the two is wrong; refused).
        self.disputed: dict[str, list[Placement]] = {role: [] for role in roles}
        self.weather_placed: dict[str, set[int]] = {role: set() for role in roles}
        self.habits = {role: self._admitted_habits(role) for role in roles}

    def _admitted_habits(self, role: str) -> dict[str, Placement]:
        """The printing habits (top, middle, bottom of the block) the file's layout allows for
        this role, less those that a record's own evidence contradicts."""
        own = self.own[role]
        anchors = [i for i, clue in enumerate(own) if clue is not None]
        admitted = {}
        for name, blocks in HABITS.items():
            fits = partial(self._fits_own, role)
            placement = blocks(anchors, len(own), fits)
            if placement is None:
                continue
            votes = [
                self._vote(role, i, anchor, anchors)
                for i, anchor in placement.items()
                if own[i] is None
            ]
            # A record whose own clues conflict with every reading (a remark dated before its
            # date) must not veto a habit the rest of the file confirms.
            against = votes.count(-1) + votes.count(-2)
            if against * CONFIRMATIONS_PER_CONTRADICTION <= votes.count(1) + votes.count(2):
                # A day's block shares one weather disturbance (a month's spans several days):
                # it may place a record the habit alone leaves undecided. Not before the vote,
                # where it would confirm the habit with the choice it made.
                if role in DAY_ROLES:
                    alike = blocks(anchors, len(own), fits, self._alike) or placement
                    self.weather_placed[role] |= alike.keys() - placement.keys()
                    placement = alike
                admitted[name] = placement
            elif votes.count(-2) * CONFIRMATIONS_PER_CONTRADICTION <= votes.count(2):
                self.disputed[role].append(placement)
        return admitted

    def _vote(self, role: str, index: int, anchor: int, anchors: list[int]) -> int:
        """+1 when the record's own clues (month, remark, weather) pick the block `anchor`
        prints over its other neighbour, -1 when they pick the other, 0 when they cannot tell."""
        if self._own_month_and_day(index):
            return 0
        above = [a for a in anchors if a < index][-1:]
        below = [a for a in anchors if a > index][:1]
        others = [a for a in above + below if a != anchor and not self._same(a, anchor, role)]
        if not others:
            return 0
        here, there = self._fits(role, index, anchor), self._fits(role, index, others[0])
        if here != there:
            return 2 if here else -2
        record, here_r, there_r = self.records[index], self.records[anchor], self.records[others[0]]
        here_w = bool(record.weather_key) and here_r.weather_key == record.weather_key
        there_w = bool(record.weather_key) and there_r.weather_key == record.weather_key
        # The weather speaks only when the block it does not share is surely another's (a
        # text layout's reassembled cell may have lost or gained a word).
        if here_w and not there_w and _distinct(record, there_r):
            return 1
        if there_w and not here_w and _distinct(record, here_r):
            return -1
        return 0

    def _fits_own(self, role: str, index: int, anchor: int) -> bool:
        """Whether the record may lie in the block `anchor` prints: its own clues accept that
        date, or they accept neither neighbouring block (then they cannot tell)."""
        if index == anchor or self._own_month_and_day(index) or self._fits(role, index, anchor):
            return True
        own = self.own[role]
        above = next((j for j in range(index - 1, -1, -1) if own[j] is not None), None)
        below = next((j for j in range(index + 1, len(own)) if own[j] is not None), None)
        return not any(self._fits(role, index, a) for a in (above, below) if a is not None)

    def _alike(self, index: int, anchor: int) -> bool:
        """Whether the record may share the day of the block `anchor` prints by its weather
        disturbance: not surely another (`_distinct`), or one of the two prints none."""
        return not _distinct(self.records[index], self.records[anchor])

    def _same(self, a: int, b: int, role: str) -> bool:
        first, second = self.own[role][a], self.own[role][b]
        return first is not None and second is not None and _same_value(first, second)

    def _fits(self, role: str, index: int, anchor: int) -> bool:
        own = [c for r, clues in self.own.items() if r != role and (c := clues[index])]
        clue = self.own[role][anchor]
        assert clue is not None
        title = [self.title] if self.title else []
        try:
            resolve_date([*title, *own, clue, *self.records[index].remarks], self.year)
        except RecordError as error:
            return "conflicting" not in str(error)
        return True

    def _options(self, role: str, index: int) -> list[Option]:
        own = self.own[role]
        if own[index] is not None:
            return [Option(own[index], None)]
        if self._own_month_and_day(index):
            return []  # its own cells date it; a neighbour's block would add no day, only doubt
        placed = {p.get(index) for p in self.habits[role].values()}
        if len(placed) == 1 and (anchor := placed.pop()) is not None:
            clue = own[anchor]
            assert clue is not None
            self._check_not_disputed(role, index, anchor)
            habits = " or ".join(self.habits[role])
            kind = "block " + clue.kind.replace(" cell", "", 1)
            habit = f"the file prints a block's {role} at its {habits}"
            if index in self.weather_placed[role]:
                habit += (
                    f", where the weather disturbance {self.records[index].weather!r} puts it "
                    f"in the block of record #{self.records[anchor].number}"
                )
            return [Option(replace(clue, kind=kind), anchor, habit)]
        before = next((j for j in range(index - 1, -1, -1) if own[j] is not None), None)
        after = next((j for j in range(index + 1, len(own)) if own[j] is not None), None)
        weather = self.records[index].weather_key
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

    def _own_month_and_day(self, index: int) -> bool:
        clues = [c for clues in self.own.values() if (c := clues[index]) is not None]
        return any(c.month for c in clues) and any(c.day for c in clues)

    def date_of(self, index: int) -> Dated:
        """The date of record `index`, or RecordError with the reason."""
        per_role = [opts for role in self.own if (opts := self._options(role, index))]
        record = self.records[index]
        remarks, weather = record.remarks, record.weather_key
        tried: list[tuple[bool, tuple[Option, ...], Dated | RecordError]] = []
        for combo in itertools.product(*per_role):
            clues = [*([self.title] if self.title else []), *(o.clue for o in combo), *remarks]
            try:
                outcome: Dated | RecordError = resolve_date(clues, self.year)
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
        if len({(o.first, o.days) for _, _, o in resolved}) == 1:
            checked = _checked(resolved[0][2], remarks)
            habits = sorted({o.habit for o in resolved[0][1] if o.habit})
            return checked._replace(evidence="; ".join([checked.evidence, *habits]))
        by_weather = [(c, o) for w, c, o in resolved if w]
        if len({(o.first, o.days) for _, o in by_weather}) == 1:
            combo, outcome = by_weather[0]
            self._check_undisputed(index, combo, per_role)
            anchors = sorted(
                {self.records[o.anchor].number for o, opts in zip(combo, per_role, strict=True)
                 if o.anchor is not None and len(opts) > 1}
            )  # fmt: skip
            checked = _checked(outcome, remarks)
            return checked._replace(
                evidence=f"{checked.evidence}; block chosen by the weather disturbance "
                f"{record.weather!r}, the same as record " + ", ".join(f"#{n}" for n in anchors)
            )
        blocks = " or ".join(
            sorted({o.clue.describe() for _, c, _ in resolved for o in c if o.anchor is not None})
        )
        raise RecordError(
            f"no date can be established: no date cell of its own, and it lies between the "
            f"blocks {blocks}; no remark, month cell or weather disturbance tells which"
        )

    def _check_undisputed(
        self, index: int, combo: tuple[Option, ...], per_role: list[list[Option]]
    ) -> None:
        roles = [role for role in self.own if self._options(role, index)]
        for role, option, options in zip(roles, combo, per_role, strict=True):
            if option.anchor is None or len(options) < 2:
                continue
            # A habit the layout allows that leaves the record undecided (the border of two
            # blocks printed mid-block) lets the weather choose between them only for a day's
            # block (its records share it; a month's spans days of other weathers), and only
            # when the other block's is surely another.
            for placement in [*self.disputed[role], *self.habits[role].values()]:
                placed = placement.get(index)
                if placed is None and role in DAY_ROLES and self._other_weather(index, options):
                    continue
                if placed != option.anchor:
                    raise RecordError(
                        "no date can be established: its weather disturbance ties it to "
                        f"{option.clue.describe()}, but the way the file prints a block's date "
                        "once (its top, middle or bottom) does not put it there"
                    )

    def _check_not_disputed(self, role: str, index: int, anchor: int) -> None:
        """The admitted habits may have placed the record by its weather (a day's block shares
        it); a habit only the weather speaks against, putting it in a block of another date,
        then leaves it between the two: refused, as when the weather alone would choose."""
        clue = self.own[role][anchor]
        assert clue is not None
        for placement in self.disputed[role]:
            other = placement.get(index)
            theirs = self.own[role][other] if other is not None else None
            if theirs is not None and not _same_value(theirs, clue):
                raise RecordError(
                    "no date can be established: its weather disturbance ties it to "
                    f"{clue.describe()}, but the way the file prints a block's date once "
                    f"(its top, middle or bottom) may put it with {theirs.describe()}"
                )

    def _other_weather(self, index: int, options: list[Option]) -> bool:
        """Whether every block offered to the record with another weather prints a surely
        other one (not the record's own cut short, nor the record's the other's cut short)."""
        record = self.records[index]
        others = [
            self.records[o.anchor]
            for o in options
            if o.anchor is not None and self._weather_of(o) != record.weather_key
        ]
        return all(_distinct(record, other) for other in others)

    def _weather_of(self, option: Option) -> str:
        return self.records[option.anchor].weather_key if option.anchor is not None else ""


def _checked(outcome: Dated, remarks: list[DateClue]) -> Dated:
    """The evidence names the remarks the date was checked against, when it does not yet."""
    unnamed = [r.describe() for r in remarks if r.describe() not in outcome.evidence]
    return outcome._replace(
        evidence=outcome.evidence + "".join(f"; agrees with {r}" for r in unnamed)
    )


def _distinct(a: RecordClues, b: RecordClues) -> bool:
    """Two records' weather disturbances are surely not one: printed whole, they differ; as a
    text layout reassembled them, neither's words hold all the other's (a wrapped cell may
    lose a line to another cell, or take a word of one)."""
    if not a.weather_key or not b.weather_key:
        return False
    if a.weather_whole and b.weather_whole:
        return a.weather_key != b.weather_key
    first, second = (set(re.findall(r"[A-Z0-9]+", r.weather.upper())) for r in (a, b))
    return not (first <= second or second <= first)


def _same_value(a: DateClue, b: DateClue) -> bool:
    return (a.year, a.month, a.day, a.last_day) == (b.year, b.month, b.day, b.last_day)
