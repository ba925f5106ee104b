"""weather_data and weather_forecast: rebuilt from stored raw pulls only (never the API)."""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import repeat

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.models import Location, WeatherData, WeatherForecast
from floodingnaque_pipeline.db.raw_pulls import StoredPull, pulls_overlapping
from floodingnaque_pipeline.db.upsert import UpsertCounts, upsert_rows
from floodingnaque_pipeline.domain.weather_rows import VALUE_COLUMNS, ForecastRow, WeatherRow
from floodingnaque_pipeline.sources.open_meteo import Coordinate, HourlySeries, parse_columns
from floodingnaque_pipeline.sources.open_meteo_plan import ERA5, FORECAST

WEATHER_COLUMNS = list(WeatherRow._fields)
OBSERVATION_COLUMNS = WEATHER_COLUMNS[:-1]  # without raw_pull_id
FORECAST_COLUMNS = list(ForecastRow._fields)
# The hours just before a window are rewritten too: the first tick of a month then closes the
# previous month's last hour, which was still a forecast at the tick before.
OVERLAP = timedelta(hours=6)


def coordinates(session: Session, *, active_only: bool = True) -> list[Coordinate]:
    query = select(Location).order_by(Location.id)
    if active_only:
        query = query.where(Location.active)
    return [Coordinate(x.id, x.latitude, x.longitude, x.slug) for x in session.scalars(query)]


class ParsedPulls:
    """The parsed series of the last few pulls read, by (pull id, payload sha256).

    A backfill rebuilds weather_data month by month, and each stored archive pull spans about
    three months: without this each pull is fetched, JSON-decoded and parsed once per month it
    touches. Only the newest `size` pulls are kept, so memory stays bounded however long the
    backfill; a pull re-fetched meanwhile has a new sha256 and is parsed again."""

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._series: OrderedDict[tuple[int, str | None], list[HourlySeries]] = OrderedDict()

    def keys(self) -> list[tuple[int, str | None]]:
        return list(self._series)

    def series(self, pull: StoredPull, coords: Sequence[Coordinate]) -> list[HourlySeries]:
        key = (pull.id, pull.payload_sha256)
        if pull.payload is None and key in self._series:
            self._series.move_to_end(key)
            return self._series[key]
        parsed = parse_columns(pull.payload, coords)
        if pull.payload_sha256 is not None:
            self._series[key] = parsed
            while len(self._series) > self._size:
                self._series.popitem(last=False)
        return parsed


def pull_rows(
    pull: StoredPull,
    coords_by_id: dict[int, Coordinate],
    lower: datetime | None = None,
    upper: datetime | None = None,
    parsed: ParsedPulls | None = None,
) -> list[WeatherRow]:
    """The pull's rows for hours in (lower, upper]. Hours are sorted, so the window is cut by
    bisection, not row by row."""
    coords = [coords_by_id[i] for i in pull.location_ids]
    rows: list[WeatherRow] = []
    every_series = (
        parse_columns(pull.payload, coords) if parsed is None else parsed.series(pull, coords)
    )
    for series in every_series:
        hours = series.observed_at
        first = 0 if lower is None else bisect_right(hours, lower)
        last = len(hours) if upper is None else bisect_right(hours, upper)
        n = last - first
        if n <= 0:
            continue
        cut = slice(first, last)
        # NamedTuples via _make cost ~0.7 us a row more than plain tuples (measured, 1 M rows),
        # about 5% of upserting them.
        columns = zip(
            repeat(series.location_id, n),
            repeat(pull.source, n),
            hours[cut],
            series.temperature_c[cut],
            series.relative_humidity_pct[cut],
            series.precipitation_mm[cut],
            series.pressure_hpa[cut],
            series.wind_speed_kmh[cut],
            repeat(pull.id, n),
            strict=True,
        )
        rows.extend(map(WeatherRow._make, columns))
    return rows


def observed_rows(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    overlap: timedelta = OVERLAP,
    parsed: ParsedPulls | None = None,
) -> list[WeatherRow]:
    """weather_data rows for hour-ends in (start - overlap, end] from every stored pull.

    Forecast pulls only contribute hours that had already ended when they were fetched;
    for the same key the most recently fetched pull wins. `parsed` carries parsed pulls from
    one month to the next (see ParsedPulls).
    """
    lower = start - overlap
    coords_by_id = {c.location_id: c for c in coordinates(session, active_only=False)}
    known = parsed.keys() if parsed is not None else []
    batches = [
        pull_rows(
            pull,
            coords_by_id,
            lower,
            end if pull.source == ERA5 else min(end, pull.fetched_at),
            parsed,
        )
        for pull in pulls_overlapping(session, [ERA5, FORECAST], lower, end, without_payload=known)
    ]
    if len(batches) == 1:
        return batches[0]
    latest: dict[tuple[int, str, datetime], WeatherRow] = {}
    for batch in batches:  # oldest fetch first: later pulls overwrite
        latest.update(((r.location_id, r.source, r.observed_at), r) for r in batch)
    return list(latest.values())


def upsert_weather(session: Session, rows: Sequence[WeatherRow]) -> UpsertCounts:
    # raw_pull_id is provenance: written when values change, not a change by itself.
    return upsert_rows(
        session.connection(),
        WeatherData.__table__,
        WEATHER_COLUMNS,
        rows,
        compare=VALUE_COLUMNS,
        touch=["ingested_at"],
    )


def newest_complete_hour(session: Session, location_ids: Sequence[int]) -> datetime | None:
    """The newest hour stored for EVERY given location (the oldest of the per-location maxima)."""
    if not location_ids:
        return None
    per_location = (
        select(WeatherData.location_id, func.max(WeatherData.observed_at).label("newest"))
        .where(WeatherData.location_id.in_(location_ids))
        .group_by(WeatherData.location_id)
        .subquery()
    )
    located, oldest_newest = session.execute(
        select(func.count(), func.min(per_location.c.newest))
    ).one()
    return oldest_newest if located == len(set(location_ids)) else None


def latest_forecast_rows(session: Session, now: datetime) -> list[ForecastRow]:
    """Future hours of the newest forecast pull covering each location."""
    coords_by_id = {c.location_id: c for c in coordinates(session, active_only=False)}
    newest: dict[int, StoredPull] = {}
    for pull in pulls_overlapping(session, [FORECAST], now, now + timedelta(days=30)):
        for location_id in pull.location_ids:
            newest[location_id] = pull  # ordered by fetched_at: the last one wins
    rows: dict[tuple[int, datetime], ForecastRow] = {}
    for pull in {p.id: p for p in newest.values()}.values():
        for row in pull_rows(pull, coords_by_id, lower=now):
            location_id, source, hour_end, *values, pull_id = row
            if newest[location_id].id == pull.id and hour_end > now:
                rows[(location_id, hour_end)] = ForecastRow(
                    location_id, source, hour_end, pull.fetched_at, *values, pull_id
                )
    return list(rows.values())


def replace_forecast(session: Session, rows: Sequence[ForecastRow], now: datetime) -> UpsertCounts:
    """Upsert the newest forecast and drop hours that are no longer in the future."""
    session.execute(delete(WeatherForecast).where(WeatherForecast.valid_at <= now))
    return upsert_rows(
        session.connection(),
        WeatherForecast.__table__,
        FORECAST_COLUMNS,
        rows,
        compare=["issued_at", *VALUE_COLUMNS],
    )
