"""Official inputs dropped as files: PAGASA station days, CDRRMO flood events, and refusals."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from floodingnaque_pipeline.db.base import Base
from floodingnaque_pipeline.db.types import BigId, UTCDateTime


class StationObservation(Base):
    """PAGASA daily values. observed_on is the date exactly as PAGASA gives it; its
    climatological day is 08:00-to-08:00 local (which 24 h a date covers: sources/pagasa.py)."""

    __tablename__ = "station_observations"
    __table_args__ = (
        CheckConstraint("rainfall_mm >= 0", name="rainfall_non_negative"),
        CheckConstraint("relative_humidity_pct BETWEEN 0 AND 100", name="humidity_range"),
        CheckConstraint("tmax_c BETWEEN -40 AND 60", name="tmax_range"),
        CheckConstraint("tmin_c BETWEEN -40 AND 60", name="tmin_range"),
        CheckConstraint("wind_speed_ms >= 0", name="wind_speed_non_negative"),
        CheckConstraint("wind_direction_deg BETWEEN 0 AND 360", name="wind_direction_range"),
        Index("ix_station_observations_source_file", "source_file"),
    )

    station: Mapped[str] = mapped_column(String(32), primary_key=True)
    observed_on: Mapped[date] = mapped_column(Date, primary_key=True)
    rainfall_mm: Mapped[float | None] = mapped_column(Float)
    rainfall_trace: Mapped[bool] = mapped_column(Boolean, server_default=false())
    tmax_c: Mapped[float | None] = mapped_column(Float)
    tmin_c: Mapped[float | None] = mapped_column(Float)
    relative_humidity_pct: Mapped[float | None] = mapped_column(Float)
    wind_speed_ms: Mapped[float | None] = mapped_column(Float)
    wind_direction_deg: Mapped[float | None] = mapped_column(Float)
    source_file: Mapped[str] = mapped_column(String(512))
    source_row: Mapped[int] = mapped_column(Integer)
    ingested_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.current_timestamp()
    )


class FloodEvent(Base):
    """A flood recorded by the CDRRMO; the labels of the model. Keyed by file and row."""

    __tablename__ = "flood_events"
    __table_args__ = (
        UniqueConstraint("source_file", "source_row", "range_day"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        CheckConstraint("depth_in > 0", name="depth_positive"),
        Index("ix_flood_events_event_date", "event_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_date: Mapped[date] = mapped_column(Date)
    barangay: Mapped[str] = mapped_column(String(64))
    barangay_inferred: Mapped[bool] = mapped_column(Boolean, server_default=false())
    location_text: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    depth_class: Mapped[str | None] = mapped_column(String(16))
    depth_in: Mapped[int | None] = mapped_column(Integer)
    weather_disturbance: Mapped[str | None] = mapped_column(Text)
    # Where the date came from (date cell, the block's date, a remark ...), and the record
    # number printed in the export: each label can be checked against the published file.
    date_evidence: Mapped[str | None] = mapped_column(Text)
    source_record: Mapped[int | None] = mapped_column(Integer)
    source_file: Mapped[str] = mapped_column(String(512))
    source_row: Mapped[int] = mapped_column(Integer)
    # Day of a printed date range ("1 and 2": 0, 1); 0 for a one-day record (migration 0012).
    range_day: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    ingested_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.current_timestamp()
    )


class IngestRejection(Base):
    """Every input row refused, with why. row_number NULL means the whole file was refused."""

    __tablename__ = "ingest_rejections"
    __table_args__ = (Index("ix_ingest_rejections_source_file", "source", "file"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(32))
    file: Mapped[str] = mapped_column(String(512))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    row_number: Mapped[int | None] = mapped_column(Integer)
    raw_row: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    run_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.current_timestamp()
    )
