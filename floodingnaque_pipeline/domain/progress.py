"""Progress of long work as log lines: units done of the total, rows, rate and ETA.

Backfills, archive and restore run for minutes; one line per unit (a chunk, a month) in the
run's log tells the operator in the UI how far it is and when it will end. Pure: it formats,
the caller logs (Dagster's context.log, a CLI's stderr)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


def _duration(seconds: float) -> str:
    seconds = max(int(round(seconds)), 0)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


@dataclass
class Progress:
    """`done(rows, what)` after each unit; the ETA assumes the remaining units go at the pace
    of those done so far (units skipped as already done count as done, at no cost)."""

    label: str
    total: int
    log: Callable[[str], None]
    unit: str = "chunk"
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)
    units: int = field(default=0, init=False)
    rows: int = field(default=0, init=False)
    worked: int = field(default=0, init=False)  # units that cost time (not skipped)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def done(self, rows: int = 0, what: str = "", *, skipped: bool = False) -> str:
        self.units += 1
        self.rows += rows
        self.worked += 0 if skipped else 1
        elapsed = self.clock() - self.started
        left = self.total - self.units
        rate = f", {self.rows / elapsed:,.0f} rows/s" if elapsed > 0 and self.rows else ""
        if left <= 0:
            eta = f", done in {_duration(elapsed)}"
        elif self.worked and elapsed > 0:
            eta = f", ETA {_duration(elapsed / self.worked * left)}"
        else:
            eta = ""
        detail = f" ({what})" if what else ""
        line = (
            f"{self.label}: {self.unit} {self.units} of {self.total}{detail}, "
            f"{self.rows:,} rows{rate}, {_duration(elapsed)} elapsed{eta}"
        )
        self.log(line)
        return line
