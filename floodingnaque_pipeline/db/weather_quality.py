"""Quality measurements on weather_data for a time window (used by the asset checks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.models import Location, WeatherData

W = WeatherData


@dataclass(frozen=True)
class WindowQuality:
    expected_hours: int
    coverage: dict[str, float]  # slug -> share of the window's hours present (any source)
    out_of_range: int
    duplicate_keys: int
    newest_hour: datetime | None


def measure_window(session: Session, start: datetime, end: datetime) -> WindowQuality:
    """Hour-ends in (start, end]; `end` should not be in the future."""
    in_window = (W.observed_at > start) & (W.observed_at <= end)
    expected = max(0, int((end - start) / timedelta(hours=1)))
    per_location = dict(
        session.execute(
            select(Location.slug, func.count(func.distinct(W.observed_at)))
            .join(W, (W.location_id == Location.id) & in_window, isouter=True)
            .where(Location.active)
            .group_by(Location.slug)
        ).all()
    )
    coverage = {slug: (n / expected if expected else 1.0) for slug, n in per_location.items()}
    out_of_range = session.scalar(
        select(func.count())
        .select_from(W)
        .where(
            in_window,
            or_(
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
            ),
        )
    )
    keys = (
        select(W.location_id, W.source, W.observed_at)
        .where(in_window)
        .group_by(W.location_id, W.source, W.observed_at)
        .having(func.count() > 1)
        .subquery()
    )
    duplicates = session.scalar(select(func.count()).select_from(keys))
    newest = session.scalar(select(func.max(W.observed_at)).where(in_window))
    return WindowQuality(expected, coverage, out_of_range or 0, duplicates or 0, newest)


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
    lines = [
        "| location | source | hour end (UTC) | °C | RH % | rain mm | hPa | km/h |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for slug, source, hour, *values in rows:
        shown = " | ".join("" if v is None else f"{v:g}" for v in values)
        lines.append(f"| {slug} | {source} | {hour:%Y-%m-%d %H:%M} | {shown} |")
    return "\n".join(lines)
