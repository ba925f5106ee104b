"""Alert transitions and the webhook client. Pure: no Dagster, no database.

A location *enters* Alert or Critical when its level in the newest issue is >= Alert and higher
than the level last seen for it (Safe->Alert, Safe->Critical, Alert->Critical). The cursor keeps
the last seen level per location; a level only moves forward once its alert was delivered, so
a failed POST is retried on the next tick (at least once) and a repeated level never re-sends.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

import requests

from floodingnaque_pipeline.ml.risk import ALERT, LEVEL_NAMES

log = logging.getLogger(__name__)
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


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


@dataclass
class AlertCursor:
    materialization_id: int | None = None  # newest flood_risk materialization fully handled
    levels: dict[str, int] = field(default_factory=dict)  # location id -> last seen level

    @classmethod
    def parse(cls, raw: str | None) -> AlertCursor:
        if not raw:
            return cls()
        data = json.loads(raw)
        return cls(data.get("materialization_id"), {k: int(v) for k, v in data["levels"].items()})

    def dumps(self) -> str:
        return json.dumps({"materialization_id": self.materialization_id, "levels": self.levels},
                          sort_keys=True)  # fmt: skip


def transitions(states: Sequence[LocationState], cursor: AlertCursor) -> list[LocationState]:
    return [
        s for s in states
        if s.level >= ALERT and s.level > cursor.levels.get(str(s.location_id), 0)
    ]  # fmt: skip


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


class WebhookError(RuntimeError):
    pass


@dataclass
class WebhookClient:
    url: str | None
    attempts: int = 3
    backoff_s: float = 1.0
    timeout_s: float = 10.0

    def post(self, payload: dict[str, Any]) -> bool:
        """True when delivered; False when no URL is set (logged only). Raises WebhookError
        after `attempts` failures (connection errors, 408/425/429/5xx are retried)."""
        if not self.url:
            log.info("no FLOODINGNAQUE_ALERT_WEBHOOK_URL: alert logged only: %s", payload)
            return False
        problem = ""
        for attempt in range(1, self.attempts + 1):
            try:
                response = requests.post(self.url, json=payload, timeout=self.timeout_s)
                if response.status_code < 300:
                    return True
                problem = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUS:
                    break
            except requests.RequestException as error:
                problem = type(error).__name__  # the URL may hold a token: not echoed
            if attempt < self.attempts:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
        raise WebhookError(f"alert webhook failed after {attempt} attempt(s): {problem}")
