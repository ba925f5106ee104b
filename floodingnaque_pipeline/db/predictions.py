"""flood_predictions: write one issue (idempotent per hour), read the latest state per location."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.models import FloodPrediction, Location, ModelVersion
from floodingnaque_pipeline.db.upsert import UpsertCounts, upsert_rows

COLUMNS = ["location_id", "valid_for", "issued_at", "horizon_days", "probability", "risk_level",
           "reasons", "model_version_id", "run_id"]  # fmt: skip
KEY = ["location_id", "valid_for", "issued_at"]


@dataclass(frozen=True)
class LocationState:
    """A location's highest level in one issue, and the prediction that carries it."""

    location_id: int
    slug: str
    name: str
    level: int
    valid_for: date
    probability: float | None
    reasons: list[str]
    model_version: str | None
    issued_at: datetime


def store_issue(session: Session, rows: Sequence[tuple]) -> UpsertCounts:
    return upsert_rows(session.connection(), FloodPrediction.__table__, COLUMNS, rows, key=KEY,
                       compare=COLUMNS[3:8])  # fmt: skip


def latest_states(session: Session) -> list[LocationState]:
    """Per location, the most severe (then earliest) prediction of the newest issue."""
    newest = session.execute(select(func.max(FloodPrediction.issued_at))).scalar_one()
    if newest is None:
        return []
    p = FloodPrediction
    rows = session.execute(
        select(p, Location.slug, Location.name, ModelVersion.version)
        .join(Location, Location.id == p.location_id)
        .outerjoin(ModelVersion, ModelVersion.id == p.model_version_id)
        .where(p.issued_at == newest)
        .order_by(p.location_id, p.risk_level.desc(), p.valid_for)
    ).all()
    states: dict[int, LocationState] = {}
    for prediction, slug, name, version in rows:
        states.setdefault(
            prediction.location_id,
            LocationState(
                prediction.location_id,
                slug,
                name,
                prediction.risk_level,
                prediction.valid_for,
                prediction.probability,
                list(prediction.reasons),
                version,
                prediction.issued_at,
            ),  # fmt: skip
        )
    return list(states.values())
