"""Forecast inputs beside the deterministic forecast: ensemble members and archived forecasts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from floodingnaque_pipeline.db.base import Base
from floodingnaque_pipeline.db.types import BigId, UTCDateTime


class WeatherEnsemble(Base):
    """The latest ensemble run's hourly rain per member (member 0 = the control run).

    valid_at is the END of the hour the rain sums (as weather_data.observed_at). Each pull
    replaces the rows of the hours it covers, so only the newest run is kept.
    """

    __tablename__ = "weather_ensemble"
    __table_args__ = (
        CheckConstraint("precipitation_mm >= 0", name="precipitation_non_negative"),
        CheckConstraint("member >= 0", name="member_non_negative"),
        Index("ix_weather_ensemble_valid_at", "valid_at"),
    )

    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    valid_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    member: Mapped[int] = mapped_column(Integer, primary_key=True)
    precipitation_mm: Mapped[float | None] = mapped_column(Float)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Provenance pointer, not a foreign key (raw pulls are partitioned and archivable, 0005).
    raw_pull_id: Mapped[int | None] = mapped_column(BigId)


class ForecastArchive(Base):
    """What the forecast said `lead_day` days before, per hour (Open-Meteo Previous Runs API).

    issued_at is derived, not reported: 00:00 UTC of the valid hour's UTC day minus lead_day
    days (the API's `previous_dayN` is the run of N days before; its exact hour is not given).
    """

    __tablename__ = "forecast_archive"
    __table_args__ = (
        CheckConstraint("precipitation_mm >= 0", name="precipitation_non_negative"),
        CheckConstraint("lead_day BETWEEN 1 AND 7", name="lead_day_range"),
        # BRIN like weather_data: append-mostly, read by time range (backtests).
        Index("ix_forecast_archive_valid_at_brin", "valid_at", postgresql_using="brin"),
    )

    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    valid_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    lead_day: Mapped[int] = mapped_column(Integer, primary_key=True)
    precipitation_mm: Mapped[float | None] = mapped_column(Float)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raw_pull_id: Mapped[int | None] = mapped_column(BigId)
