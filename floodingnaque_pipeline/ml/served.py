"""The model flood_risk serves: a verified impact-model artifact plus what it needs beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from floodingnaque_pipeline.ml import artifact
from floodingnaque_pipeline.ml.impact import design
from floodingnaque_pipeline.ml.propensity import CITY
from floodingnaque_pipeline.ml.rain_match import QuantileMap

MODEL_KIND = "impact"


@dataclass(frozen=True)
class ServedModel:
    id: int
    version: str
    model: Any
    features: list[str]
    thresholds: dict[str, float]
    propensity: dict[str, float]  # params["propensity"]: location id -> propensity, '*' city
    rain_map: QuantileMap | None = None  # params["rain_quantile_map"]: hourly rain -> gauge

    def probabilities(self, rows: pd.DataFrame) -> np.ndarray:
        """rows: location_id, window_mm, prior_mm."""
        return self.model.predict_proba(design(rows, self.features, self.propensity))[:, 1]

    def propensity_of(self, location_id: int) -> float:
        return float(self.propensity.get(str(location_id), self.propensity.get(CITY, 0.0)))


def unservable(stored: Any) -> str | None:
    """Why a stored current version cannot serve (None: it can). Versions from before the
    impact model read features known at 08:00 and are not served by this flood_risk."""
    kind = (stored.params or {}).get("model_kind")
    if kind != MODEL_KIND:
        return f"current version {stored.version} is not an impact model: retrain flood_model"
    return None


def load_served(stored: Any) -> ServedModel:
    """stored: a model_versions record (id, version, artifact, artifact_sha256, features,
    thresholds, params). The bytes are checked and loaded by ml.artifact (never unpickled)."""
    model = artifact.load(stored.artifact, stored.artifact_sha256)
    params = stored.params
    rain_map = QuantileMap.from_json(params.get("rain_quantile_map"))
    return ServedModel(stored.id, stored.version, model, list(stored.features),
                       dict(stored.thresholds), dict(params.get("propensity") or {}),
                       rain_map)  # fmt: skip
