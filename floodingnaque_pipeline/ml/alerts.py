"""The alert a location entering Alert or Critical sends. Pure: no Dagster, no database, no HTTP.

A location *enters* Alert or Critical when its level in an issue is >= Alert and higher than in
the previous issue (Safe->Alert, Safe->Critical, Alert->Critical). db.predictions decides that
in the transaction that stores the issue; the payload below is what the webhook receives.
"""

from __future__ import annotations

from typing import Any

from floodingnaque_pipeline.domain.predictions import LocationState
from floodingnaque_pipeline.ml.risk import LEVEL_NAMES


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
