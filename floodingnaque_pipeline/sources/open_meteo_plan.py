"""Which Open-Meteo requests cover a time window: archive (ERA5) for settled days, forecast for
the last few days and the next two, chunked to the API's limits. Pure; no I/O.

Hour convention: a row's `observed_at` is the END of its hour, so a window [start, end) of
wall-clock time owns the hour-ends in (start, end]. Requests are whole UTC days: day D returns
hour-ends D 00:00Z .. D 23:00Z.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from floodingnaque_pipeline.sources.open_meteo import Coordinate, split_date_range

ERA5 = "open_meteo_era5"
FORECAST = "open_meteo_forecast"
# ERA5 reaches the archive API about five days late; younger days come from the forecast API.
ARCHIVE_LAG_DAYS = 5
FORECAST_DAYS_AHEAD = 2
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class PlannedPull:
    source: str
    start: date  # inclusive UTC days
    end: date
    coords: tuple[Coordinate, ...]

    @property
    def first_hour_end(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)

    @property
    def last_hour_end(self) -> datetime:
        return datetime(self.end.year, self.end.month, self.end.day, 23, tzinfo=UTC)


def archive_last_day(now: datetime) -> date:
    return now.astimezone(UTC).date() - timedelta(days=ARCHIVE_LAG_DAYS)


def plan_pulls(
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    coords: Sequence[Coordinate],
    *,
    fetch_from: datetime | None = None,
    chunk_days: int = 92,
    max_locations: int = 100,
) -> list[PlannedPull]:
    """Requests covering hour-ends in (fetch_from or window_start, window_end], plus the next
    FORECAST_DAYS_AHEAD days when the window reaches `now`. Oldest first."""
    if not coords:
        return []
    begin = (fetch_from or window_start).astimezone(UTC) + HOUR  # first hour-end wanted
    first_day = begin.date()
    now_utc = now.astimezone(UTC)
    if window_end > now_utc:
        last_day = (now_utc + timedelta(days=FORECAST_DAYS_AHEAD)).date()
    else:
        last_day = window_end.astimezone(UTC).date()
    if last_day < first_day:
        return []
    settled = archive_last_day(now_utc)
    spans: list[tuple[str, date, date]] = []
    if first_day <= settled:
        spans.append((ERA5, first_day, min(last_day, settled)))
    if last_day > settled:
        spans.append((FORECAST, max(first_day, settled + timedelta(days=1)), last_day))
    groups = [tuple(coords[i : i + max_locations]) for i in range(0, len(coords), max_locations)]
    return [
        PlannedPull(source, chunk_start, chunk_end, group)
        for source, start, end in spans
        for chunk_start, chunk_end in split_date_range(start, end, chunk_days)
        for group in groups
    ]
