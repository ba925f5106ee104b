"""A location's state in one flood_risk issue: read by db/, turned into an alert by ml/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


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
