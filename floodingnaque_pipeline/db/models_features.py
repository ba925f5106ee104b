"""The model's training table: one row per (location, Manila day) with its label and features."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from floodingnaque_pipeline.db.base import Base
from floodingnaque_pipeline.db.types import UTCDateTime


class FloodFeature(Base):
    """label NULL = the day is outside the flood records' coverage (unknown, not 'no flood')."""

    __tablename__ = "flood_features"

    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    label: Mapped[bool | None] = mapped_column(Boolean)
    rain_1d_mm: Mapped[float | None] = mapped_column(Float)
    rain_2d_mm: Mapped[float | None] = mapped_column(Float)
    rain_3d_mm: Mapped[float | None] = mapped_column(Float)
    rain_7d_mm: Mapped[float | None] = mapped_column(Float)
    api_mm: Mapped[float | None] = mapped_column(Float)
    max_1h_mm: Mapped[float | None] = mapped_column(Float)
    max_3h_mm: Mapped[float | None] = mapped_column(Float)
    humidity_pct: Mapped[float | None] = mapped_column(Float)
    temperature_c: Mapped[float | None] = mapped_column(Float)
    doy_sin: Mapped[float] = mapped_column(Float)
    doy_cos: Mapped[float] = mapped_column(Float)
    rain_source: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.current_timestamp())
    run_id: Mapped[str | None] = mapped_column(String(64))


# The feature columns: every Float column of the table. ml/features.py produces the same names
# (FEATURE_COLUMNS); test_ml_features checks the two lists agree, so db needs no ml import.
FEATURE_COLUMN_NAMES = [c.name for c in FloodFeature.__table__.columns if isinstance(c.type, Float)]
