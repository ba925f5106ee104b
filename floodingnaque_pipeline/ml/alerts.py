"""The alert a location entering Alert or Critical sends. Pure: no Dagster, no database, no HTTP.

A location *enters* Alert or Critical when its level in an issue is >= Alert and higher than in
the previous issue (Safe->Alert, Safe->Critical, Alert->Critical). db.predictions decides that
in the transaction that stores the issue; the payload below is what the webhook receives.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from floodingnaque_pipeline.ml.risk import LEVEL_NAMES


class LocationState(Protocol):
    """A location's highest level in one issue (db.predictions.LocationState has this shape;
    described here so ml does not import db)."""

    location_id: int
    slug: str
    name: str
    level: int
    valid_for: date
    probability: float | None
    reasons: list[str]
    model_version: str | None
    issued_at: datetime


def alert_payload(state: LocationState) -> dict[str, Any]:
    return {
        "kind": "flood_risk",
        "location": {"id": state.location_id, "slug": state.slug, "name": state.name},
        "level": LEVEL_NAMES[state.level],
        "risk_level": state.level,
        "probability": state.probability,
        "reasons": state.reasons,
        "valid_for": state.valid_for.isoformat(),
        "issued_at": state.issued_at.isoformat(),
        "model_version": state.model_version,
    }
