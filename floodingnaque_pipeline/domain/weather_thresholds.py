"""When weather_data's checks fail, and how hard: the thresholds and the verdicts, pure.

Thresholds (why):
- hourly_completeness: every active location should have every hour. Any gap -> WARN. A closed
  month below 99 % for some location (> ~7 missing hours) -> ERROR: the archive is complete, so
  that is broken ingestion. The month in progress is held higher: below 99.5 %, or any hour
  missing in the last 24 h (what flood_risk reads right now) -> ERROR.
- core_values_present: NULL rain, temperature or humidity is a hole in a model input. Any ->
  WARN; more than 0.1 % of the window's rows (~12 rows of a 16-location month) -> ERROR.
- values_in_range: physically implausible values (a unit or parser bug) -> ERROR.
- rows_traceable: every row's raw_pull_id names a stored raw pull (not a foreign key, so this
  check is what keeps "every number traceable") -> ERROR.
- newest_hour_fresh: the month in progress has an hour more than 2 h old as its newest -> WARN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Failure(StrEnum):
    """A failed check's severity; the values are Dagster's AssetCheckSeverity names."""

    WARN = "WARN"
    ERROR = "ERROR"


HISTORY_ERROR_BELOW = 0.99
CURRENT_ERROR_BELOW = 0.995
RECENT_SPAN = timedelta(hours=24)
NULL_ERROR_ABOVE = 0.001
FRESHNESS_WARN_AFTER = timedelta(hours=2)


@dataclass(frozen=True)
class Completeness:
    failure: Failure | None  # None: passed
    worst_slug: str  # "-" when there is no active location
    worst: float  # the worst location's share of the window's hours
    error_below: float
    recent_gaps: Mapping[str, int]  # slug -> hours missing in the recent span, gaps only
    incomplete: int  # locations with any hour missing


def judge_completeness(
    coverage: Mapping[str, float], recent_missing: Mapping[str, int], current: bool
) -> Completeness:
    worst_slug, worst = min(coverage.items(), key=lambda kv: kv[1], default=("-", 1.0))
    recent_gaps = {slug: n for slug, n in recent_missing.items() if n > 0}
    error_below = CURRENT_ERROR_BELOW if current else HISTORY_ERROR_BELOW
    failure = None
    if worst < 1.0:
        failure = Failure.ERROR if worst < error_below or recent_gaps else Failure.WARN
    incomplete = sum(share < 1.0 for share in coverage.values())
    return Completeness(failure, worst_slug, worst, error_below, recent_gaps, incomplete)


@dataclass(frozen=True)
class NullCore:
    failure: Failure | None
    share: float  # of the window's rows; 0.0 for an empty window


def judge_null_core(null_core_rows: int, rows: int) -> NullCore:
    share = null_core_rows / rows if rows else 0.0
    failure = None
    if null_core_rows:
        failure = Failure.ERROR if share > NULL_ERROR_ABOVE else Failure.WARN
    return NullCore(failure, share)


def judge_any_is_error(count: int) -> Failure | None:
    """values_in_range and rows_traceable: one bad row is already broken ingestion."""
    return Failure.ERROR if count else None


def judge_freshness(current: bool, newest_hour: datetime | None, now: datetime) -> Failure | None:
    """Only the month in progress can be stale; a settled month's newest hour is its last."""
    stale = current and (newest_hour is None or now - newest_hour > FRESHNESS_WARN_AFTER)
    return Failure.WARN if stale else None
