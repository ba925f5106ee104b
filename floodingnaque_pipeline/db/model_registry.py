"""model_versions: store a trained model, make one current, read the current one's record.

Bytes only: turning the artifact into an estimator (skops, allow-list, digest check) is ml's
job, joined in defs/ — db does not import ml.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.models import ModelVersion


@dataclass(frozen=True)
class StoredModel:
    id: int
    version: str
    artifact: bytes
    artifact_sha256: str
    features: list[str]
    thresholds: dict[str, float]
    params: dict[str, Any]


def new_version(sha256: str, now: datetime | None = None) -> str:
    return f"{(now or datetime.now(UTC)):%Y%m%dT%H%M%SZ}-{sha256[:8]}"


def store_version(session: Session, **values: Any) -> ModelVersion:
    """Always stored as not current; `promote` is the only way to become current."""
    row = ModelVersion(is_current=False, **values)
    session.add(row)
    session.flush()
    return row


def promote(session: Session, version_id: int) -> None:
    # Two statements in one transaction; the partial unique index guards the invariant.
    session.execute(
        update(ModelVersion)
        .where(ModelVersion.is_current, ModelVersion.id != version_id)
        .values(is_current=False, not_current_reason="superseded by a newer current model")
    )
    session.execute(
        update(ModelVersion)
        .where(ModelVersion.id == version_id)
        .values(is_current=True, not_current_reason=None)
    )


def current_version(session: Session) -> StoredModel | None:
    row = session.scalars(select(ModelVersion).where(ModelVersion.is_current)).one_or_none()
    if row is None:
        return None
    return StoredModel(row.id, row.version, row.artifact, row.artifact_sha256, list(row.features),
                       dict(row.thresholds or {}), dict(row.params or {}))  # fmt: skip
