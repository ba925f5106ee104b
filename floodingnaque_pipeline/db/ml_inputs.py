"""Reading the model's inputs (weather, station days, flood events, record files) as frames."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.models import (
    FloodEvent,
    IngestRejection,
    Location,
    StationObservation,
    WeatherData,
    WeatherForecast,
)

CDRRMO = "cdrrmo"
# The hourly frame's shape (ml/hourly.py reads these columns; db does not import ml).
HOURLY_COLUMNS = ["location_id", "observed_at", "source", "precipitation_mm", "temperature_c",
                  "relative_humidity_pct"]  # fmt: skip
STATION_COLUMNS = ["station", "observed_on", "rainfall_mm", "tmax_c", "tmin_c",
                   "relative_humidity_pct"]  # fmt: skip


def locations_frame(session: Session) -> pd.DataFrame:
    rows = session.execute(
        select(Location.id, Location.name, Location.latitude, Location.longitude)
        .where(Location.active)
        .order_by(Location.id)
    ).all()
    return pd.DataFrame(rows, columns=["id", "name", "latitude", "longitude"])


class RecordFileCounts(NamedTuple):
    """A CDRRMO file's accepted and refused rows (field order of ml.labels.RecordFile)."""

    name: str
    accepted: int
    rejected: int
    years: tuple[int, ...]


def hourly_frame(
    session: Session, start: datetime | None = None, end: datetime | None = None
) -> pd.DataFrame:
    """weather_data hours with observed_at in (start, end]."""
    if session.get_bind().dialect.name == "postgresql":
        return _hourly_via_copy(session, start, end)
    t = WeatherData
    query = select(t.location_id, t.observed_at, t.source, t.precipitation_mm, t.temperature_c,
                   t.relative_humidity_pct)  # fmt: skip
    if start is not None:
        query = query.where(t.observed_at > start)
    if end is not None:
        query = query.where(t.observed_at <= end)
    return _frame(session.execute(query).all(), HOURLY_COLUMNS)


def _hourly_via_copy(
    session: Session, start: datetime | None, end: datetime | None
) -> pd.DataFrame:
    # COPY ... TO STDOUT as CSV with epoch seconds: ~5x faster than building 1.4 M Python
    # datetimes row by row for a 10-year training read.
    where, params = ["true"], []
    for bound, op in ((start, ">"), (end, "<=")):
        if bound is not None:
            where.append(f"observed_at {op} %s")
            params.append(bound)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        sql = cursor.mogrify(
            "SELECT location_id, extract(epoch FROM observed_at)::bigint, source, "
            "precipitation_mm, temperature_c, relative_humidity_pct FROM weather_data WHERE "
            + " AND ".join(where),
            params,
        ).decode()
        buffer = io.StringIO()
        cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", buffer)
    finally:
        cursor.close()
    if not buffer.getvalue():
        return _frame([], HOURLY_COLUMNS)
    buffer.seek(0)
    frame = pd.read_csv(buffer, names=HOURLY_COLUMNS, header=None)
    frame["observed_at"] = pd.to_datetime(frame["observed_at"], unit="s", utc=True)
    return frame.astype({c: float for c in HOURLY_COLUMNS[3:]})


def forecast_frame(session: Session, after: datetime, until: datetime) -> pd.DataFrame:
    """weather_forecast hours valid in (after, until], shaped like hourly_frame."""
    t = WeatherForecast
    query = select(t.location_id, t.valid_at, t.source, t.precipitation_mm, t.temperature_c,
                   t.relative_humidity_pct)  # fmt: skip
    query = query.where(t.valid_at > after, t.valid_at <= until)
    return _frame(session.execute(query).all(), HOURLY_COLUMNS)


def forecast_issued_at(session: Session, after: datetime, until: datetime) -> datetime | None:
    """The newest issue time among weather_forecast hours valid in (after, until]."""
    t = WeatherForecast
    query = select(func.max(t.issued_at)).where(t.valid_at > after, t.valid_at <= until)
    return session.execute(query).scalar_one()


def station_frame(session: Session) -> pd.DataFrame:
    t = StationObservation
    query = select(*(getattr(t, c) for c in STATION_COLUMNS))
    return pd.DataFrame(session.execute(query).all(), columns=STATION_COLUMNS)


def events_frame(session: Session) -> pd.DataFrame:
    t = FloodEvent
    rows = session.execute(select(t.event_date, t.barangay, t.latitude, t.longitude)).all()
    frame = pd.DataFrame(rows, columns=["event_date", "barangay", "latitude", "longitude"])
    return frame.astype({"latitude": float, "longitude": float})


def record_files(session: Session) -> list[RecordFileCounts]:
    """Every CDRRMO file that left rows or refusals, with its counts and event years."""
    years: dict[str, set[int]] = defaultdict(set)
    accepted: dict[str, int] = defaultdict(int)
    for name, day in session.execute(select(FloodEvent.source_file, FloodEvent.event_date)):
        years[name].add(day.year)
        accepted[name] += 1
    rejected = dict(
        session.execute(
            select(IngestRejection.file, func.count())
            .where(IngestRejection.source == CDRRMO)
            .group_by(IngestRejection.file)
        ).all()
    )
    names = sorted(set(accepted) | set(rejected))
    return [
        RecordFileCounts(n, accepted[n], int(rejected.get(n, 0)), tuple(sorted(years[n])))
        for n in names
    ]


def _frame(rows: list, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    frame["observed_at"] = pd.to_datetime(frame["observed_at"], utc=True)
    for column in ("precipitation_mm", "temperature_c", "relative_humidity_pct"):
        frame[column] = frame[column].astype(float)
    return frame
