"""Which hours a weather run fetches and rewrites: the month in progress is fetched from its
newest stored hour, not from its start, and rebuilt with a few hours of the month before it.
Pure: plain datetimes in, frozen plans out. Times are tz-aware; hours are hour-ENDs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# The month in progress is fetched from the newest hour stored for every location minus this:
# the last hours of the previous tick may since have been revised by the forecast API.
INCREMENTAL_OVERLAP = timedelta(hours=3)
# ... but never from further back than this before the month: after a long outage the
# settled (archive) partitions fill the rest, in their own runs.
INCREMENTAL_LOOKBACK = timedelta(days=7)


def fetch_in_progress(partition_count: int, window_end: datetime, now: datetime) -> bool:
    """The hourly job's shape: one partition reaching past `now`. Fetched incrementally, and
    its HTTP must end before the next tick; a backfill that includes it gets the backfill
    budget (it runs once, by hand, and covers settled months too)."""
    return partition_count == 1 and window_end > now


@dataclass(frozen=True)
class FetchWindow:
    """What `open_meteo_raw` asks for: hour-ends in (fetch_from or start, end]."""

    start: datetime
    end: datetime
    in_progress: bool  # True: incremental, and the step budget of the schedule interval
    fetch_from: datetime | None  # None: the whole window

    @property
    def incremental(self) -> bool:
        return self.fetch_from is not None


def plan_fetch(
    window_start: datetime,
    window_end: datetime,
    *,
    in_progress: bool,
    newest_complete_hour: datetime | None,
) -> FetchWindow:
    """`in_progress`: `fetch_in_progress(...)`. `newest_complete_hour`: the newest hour stored
    for every active location (None: some location has none yet, so the whole window is
    fetched); ignored unless in progress, so callers need not look it up otherwise."""
    fetch_from = None
    if in_progress and newest_complete_hour is not None:
        fetch_from = max(
            newest_complete_hour - INCREMENTAL_OVERLAP, window_start - INCREMENTAL_LOOKBACK
        )
    return FetchWindow(window_start, window_end, in_progress, fetch_from)


@dataclass(frozen=True)
class MonthRebuild:
    """One month of `weather_data` rebuilt from raw pulls: hour-ends in (start - overlap, end]."""

    start: datetime
    end: datetime  # the month's end, or `now` for the month in progress
    overlap: timedelta


def plan_month_rebuild(
    month_start: datetime, month_end: datetime, now: datetime, *, overlap: timedelta
) -> MonthRebuild | None:
    """None for a month that has not begun. Only the month in progress gets `overlap`: its first
    tick closes the previous month's last hour, which was still in the future at the tick
    before; a settled month's rebuild must not touch its neighbour."""
    end = min(month_end, now)
    if end <= month_start:
        return None
    in_progress = month_end > now
    return MonthRebuild(month_start, end, overlap if in_progress else timedelta(0))


@dataclass(frozen=True)
class QualityWindow:
    """The window the checks measure: the run's months, cut at `now`."""

    start: datetime
    end: datetime
    current: bool  # reaches the month in progress: stricter completeness, freshness applies
    recent_start: datetime | None  # start of the recent span judged on its own; None if settled


def plan_quality_window(
    window_start: datetime, window_end: datetime, now: datetime, *, recent_span: timedelta
) -> QualityWindow:
    current = window_end > now
    end = min(window_end, now)
    return QualityWindow(window_start, end, current, end - recent_span if current else None)
