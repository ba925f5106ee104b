"""Locations and weather: raw HTTP pulls, normalized hourly observations, latest forecasts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from floodingnaque_pipeline.db.base import Base
from floodingnaque_pipeline.db.types import BigId, JSONDocument, UTCDateTime


def _weather_value_checks() -> tuple[CheckConstraint, ...]:
    # Physical plausibility, not climatology: a reading outside these is a parser or unit bug.
    return (
        CheckConstraint("relative_humidity_pct BETWEEN 0 AND 100", name="humidity_range"),
        CheckConstraint("precipitation_mm >= 0", name="precipitation_non_negative"),
        CheckConstraint("temperature_c BETWEEN -40 AND 60", name="temperature_range"),
        CheckConstraint("pressure_hpa BETWEEN 800 AND 1100", name="pressure_range"),
        CheckConstraint("wind_speed_kmh >= 0", name="wind_non_negative"),
    )


class Location(Base):
    __tablename__ = "locations"
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())


class RawWeatherPull(Base):
    """One HTTP pull, kept verbatim so weather_data can be rebuilt without calling the API.

    On PostgreSQL partitioned by month of window_start (migration 0005), so every unique key
    includes window_start: the primary key there is (id, window_start). pull_key fixes the
    window (the request's dates are among its params), so (pull_key, window_start) is as
    unique as pull_key alone.
    """

    __tablename__ = "raw_weather_pulls"
    __table_args__ = (
        Index("ix_raw_weather_pulls_source_window", "source", "window_start", "window_end"),
        UniqueConstraint("pull_key", "window_start"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # sha256 of (source, endpoint, masked params): the same request re-pulled replaces its row.
    pull_key: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32))
    endpoint: Mapped[str] = mapped_column(String(512))
    request_params: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    location_ids: Mapped[list[int]] = mapped_column(JSONDocument)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Always "ok" (store_pull stores successful answers only); kept: the data contract lists it.
    status: Mapped[str] = mapped_column(String(16))
    payload: Mapped[Any | None] = mapped_column(JSONDocument)
    payload_sha256: Mapped[str | None] = mapped_column(String(64))
    payload_bytes: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[str | None] = mapped_column(String(64))


class WeatherData(Base):
    """Normalized hourly weather. observed_at is the END of the hour that precipitation sums.

    On PostgreSQL partitioned by year of observed_at (migration 0005, db/partitions.py).
    """

    __tablename__ = "weather_data"
    __table_args__ = (
        *_weather_value_checks(),
        # BRIN: tiny and nearly free to maintain on append-mostly time series; serves
        # city-wide time-range scans. Per-location ranges use the primary key.
        Index("ix_weather_data_observed_at_brin", "observed_at", postgresql_using="brin"),
    )

    # Natural key as primary key, ordered (location, time, source) so that "one location,
    # one month" is a single index range scan; ON CONFLICT matches it regardless of order.
    # Deliberately not a foreign key (migration 0006): its per-row RI trigger cost more than
    # the COPY of a first load. Writers check each batch's distinct ids at once
    # (db/references.py), and a trigger on locations refuses deleting a referenced one.
    location_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    temperature_c: Mapped[float | None] = mapped_column(Float)
    relative_humidity_pct: Mapped[float | None] = mapped_column(Float)
    precipitation_mm: Mapped[float | None] = mapped_column(Float)
    pressure_hpa: Mapped[float | None] = mapped_column(Float)
    wind_speed_kmh: Mapped[float | None] = mapped_column(Float)
    # Provenance pointer, not a foreign key: on Postgres the pulls' primary key is (id,
    # window_start) (partitioned, 0005), and archiving a month of pulls (db/archive.py) must
    # leave the rows that point at them; a restore brings the same ids back.
    raw_pull_id: Mapped[int | None] = mapped_column(BigId)
    ingested_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.current_timestamp()
    )


class WeatherForecast(Base):
    """The latest forecast per (location, source, valid hour); older issues are overwritten."""

    __tablename__ = "weather_forecast"
    __table_args__ = _weather_value_checks()

    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    valid_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    temperature_c: Mapped[float | None] = mapped_column(Float)
    relative_humidity_pct: Mapped[float | None] = mapped_column(Float)
    precipitation_mm: Mapped[float | None] = mapped_column(Float)
    pressure_hpa: Mapped[float | None] = mapped_column(Float)
    wind_speed_kmh: Mapped[float | None] = mapped_column(Float)
    # Provenance pointer, not a foreign key: on Postgres the pulls' primary key is (id,
    # window_start) (partitioned, 0005), and archiving a month of pulls (db/archive.py) must
    # leave the rows that point at them; a restore brings the same ids back.
    raw_pull_id: Mapped[int | None] = mapped_column(BigId)
