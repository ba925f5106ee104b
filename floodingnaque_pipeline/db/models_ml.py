"""The model registry and the published risk."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from floodingnaque_pipeline.db.base import Base
from floodingnaque_pipeline.db.types import BigId, JSONDocument, UTCDateTime


class ModelVersion(Base):
    __tablename__ = "model_versions"
    __table_args__ = (
        # At most one current model, enforced by the database rather than by convention.
        Index(
            "uq_model_versions_one_current",
            "is_current",
            unique=True,
            postgresql_where=text("is_current"),
            sqlite_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.current_timestamp()
    )
    algorithm: Mapped[str] = mapped_column(String(256))
    params: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    features: Mapped[list[str]] = mapped_column(JSONDocument)
    train_start: Mapped[date | None] = mapped_column(Date)
    train_end: Mapped[date | None] = mapped_column(Date)
    test_start: Mapped[date | None] = mapped_column(Date)
    test_end: Mapped[date | None] = mapped_column(Date)
    evaluation_scheme: Mapped[str | None] = mapped_column(String(32))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    baseline_metrics: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    thresholds: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    # "refit_all_years" or "evaluated": is the artifact the model the out-of-time `metrics`
    # were measured on, or a refit by the same procedure? served_metrics: the artifact's own.
    serving_mode: Mapped[str | None] = mapped_column(String(32))
    served_metrics: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    artifact: Mapped[bytes] = mapped_column(LargeBinary)
    artifact_sha256: Mapped[str] = mapped_column(String(64))
    is_current: Mapped[bool] = mapped_column(Boolean, server_default=false())
    not_current_reason: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[str | None] = mapped_column(String(64))


class FloodPrediction(Base):
    """Risk for a location and local day, as issued in a given hour (re-runs replace it)."""

    __tablename__ = "flood_predictions"
    __table_args__ = (
        UniqueConstraint("location_id", "valid_for", "issued_at"),
        CheckConstraint("risk_level IN (0, 1, 2)", name="risk_level_values"),
        CheckConstraint("probability BETWEEN 0 AND 1", name="probability_range"),
        CheckConstraint("horizon_days >= 0", name="horizon_non_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    valid_for: Mapped[date] = mapped_column(Date)
    horizon_days: Mapped[int] = mapped_column(SmallInteger)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    probability: Mapped[float | None] = mapped_column(Float)
    risk_level: Mapped[int] = mapped_column(SmallInteger)
    reasons: Mapped[list[str]] = mapped_column(JSONDocument)
    model_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("model_versions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.current_timestamp()
    )
    run_id: Mapped[str | None] = mapped_column(String(64))
    # What the row was decided from (0010): share of the day's window observed, the issue
    # time of the forecast filling the rest, the inputs, and the ensemble members' spread.
    observed_share: Mapped[float | None] = mapped_column(Float)
    forecast_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    probability_p10: Mapped[float | None] = mapped_column(Float)
    probability_p90: Mapped[float | None] = mapped_column(Float)
