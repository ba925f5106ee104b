"""Quality measurements on weather_data for a time window (used by the asset checks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.models import Location, RawWeatherPull, WeatherData
from floodingnaque_pipeline.domain.markdown import markdown_table

W = WeatherData
# What the flood features read: a NULL here is a hole in a model input, not a missing extra.
CORE_COLUMNS = ("precipitation_mm", "temperature_c", "relative_humidity_pct")


@dataclass(frozen=True)
class WindowQuality:
    expected_hours: int
    coverage: dict[str, float]  # slug -> share of the window's hours present (any source)
    rows: int
    out_of_range: int
    null_core_rows: int  # rows with a NULL in any of CORE_COLUMNS
    untraceable_rows: int  # rows whose raw_pull_id names no stored raw pull
    newest_hour: datetime | None
    # slug -> hours missing in (recent_start, end]; empty when no recent span was asked for
    recent_missing: dict[str, int]
    recent_hours: int


def _hours(start: datetime, end: datetime) -> int:
    return max(0, int((end - start) / timedelta(hours=1)))


def _present_hours(session: Session, in_window: ColumnElement[bool]) -> dict[str, int]:
    return dict(
        session.execute(
            select(Location.slug, func.count(func.distinct(W.observed_at)))
            .join(W, (W.location_id == Location.id) & in_window, isouter=True)
            .where(Location.active)
            .group_by(Location.slug)
        ).all()
    )


def _out_of_range() -> ColumnElement[bool]:
    return or_(
        W.relative_humidity_pct < 0,
        W.relative_humidity_pct > 100,
        W.precipitation_mm < 0,
        W.precipitation_mm > 500,
        W.temperature_c < 5,
        W.temperature_c > 45,
        W.pressure_hpa < 850,
        W.pressure_hpa > 1060,
        W.wind_speed_kmh < 0,
        W.wind_speed_kmh > 400,
    )


def _untraceable(session: Session, in_window: ColumnElement[bool], archived: frozenset[int]) -> int:
    # raw_pull_id is deliberately not a foreign key (db/models_weather.py), so this is where a row
    # that cannot be traced to the pull that produced it shows up. Few distinct ids per
    # window: check those, then count rows only when one is missing.
    ids = set(session.scalars(select(W.raw_pull_id).where(in_window).distinct()))
    known = set(
        session.scalars(select(RawWeatherPull.id).where(RawWeatherPull.id.in_(ids - {None})))
    )
    missing = ids - known - archived
    if not missing:
        return 0
    missing_rows = or_(W.raw_pull_id.is_(None), W.raw_pull_id.in_(missing - {None}))
    return session.scalar(select(func.count()).select_from(W).where(in_window, missing_rows)) or 0


def measure_window(
    session: Session,
    start: datetime,
    end: datetime,
    recent_start: datetime | None = None,
    archived_pull_ids: frozenset[int] = frozenset(),
) -> WindowQuality:
    """Hour-ends in (start, end]; `end` should not be in the future. With `recent_start`, also
    the hours each location misses in (recent_start, end] (the month in progress). Rows whose
    pull is in `archived_pull_ids` (moved to cold storage) count as traceable."""
    in_window = (W.observed_at > start) & (W.observed_at <= end)
    expected = _hours(start, end)
    present = _present_hours(session, in_window)
    coverage = {slug: (n / expected if expected else 1.0) for slug, n in present.items()}
    null_core = or_(*(W.__table__.c[c].is_(None) for c in CORE_COLUMNS))
    rows, out_of_range, null_rows, newest = session.execute(
        select(
            func.count(),
            func.count().filter(_out_of_range()),
            func.count().filter(null_core),
            func.max(W.observed_at),
        ).where(in_window)
    ).one()
    recent_missing: dict[str, int] = {}
    recent_hours = 0
    if recent_start is not None:
        recent_start = max(recent_start, start)
        recent_hours = _hours(recent_start, end)
        recent = (W.observed_at > recent_start) & (W.observed_at <= end)
        recent_missing = {
            slug: recent_hours - n for slug, n in _present_hours(session, recent).items()
        }
    return WindowQuality(
        expected_hours=expected,
        coverage=coverage,
        rows=rows,
        out_of_range=out_of_range,
        null_core_rows=null_rows,
        untraceable_rows=_untraceable(session, in_window, archived_pull_ids),
        newest_hour=newest,
        recent_missing=recent_missing,
        recent_hours=recent_hours,
    )


def preview_markdown(session: Session, start: datetime, end: datetime, limit: int = 12) -> str:
    """The newest rows of the window as a Markdown table (shown in the Dagster UI)."""
    rows = session.execute(
        select(
            Location.slug,
            W.source,
            W.observed_at,
            W.temperature_c,
            W.relative_humidity_pct,
            W.precipitation_mm,
            W.pressure_hpa,
            W.wind_speed_kmh,
        )
        .join(Location, Location.id == W.location_id)
        .where(W.observed_at > start, W.observed_at <= end)
        .order_by(W.observed_at.desc(), Location.slug)
        .limit(limit)
    ).all()
    header = ["location", "source", "hour end (UTC)", "°C", "RH %", "rain mm", "hPa", "km/h"]
    cells = [
        (slug, source, f"{hour:%Y-%m-%d %H:%M}", *("" if v is None else f"{v:g}" for v in values))
        for slug, source, hour, *values in rows
    ]
    return markdown_table(header, cells)
