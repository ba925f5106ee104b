"""The model flood_risk serves: a verified artifact plus what it needs beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from floodingnaque_pipeline.ml import artifact
from floodingnaque_pipeline.ml.inner import matrix
from floodingnaque_pipeline.ml.rain_match import QuantileMap


@dataclass(frozen=True)
class ServedModel:
    id: int
    version: str
    model: Any
    features: list[str]
    thresholds: dict[str, float]
    location_rates: dict[str, float] | None = None  # params["location_rates"], if a feature
    rain_map: QuantileMap | None = None  # params["rain_quantile_map"]: hourly rain -> gauge

    def probabilities(self, rows: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(matrix(rows, self.features, self.location_rates))[:, 1]


def load_served(stored: Any) -> ServedModel:
    """stored: a model_versions record (id, version, artifact, artifact_sha256, features,
    thresholds, params). The bytes are checked and loaded by ml.artifact (never unpickled)."""
    model = artifact.load(stored.artifact, stored.artifact_sha256)
    params = stored.params
    rain_map = QuantileMap.from_json(params.get("rain_quantile_map"))
    return ServedModel(stored.id, stored.version, model, list(stored.features),
                       dict(stored.thresholds), params.get("location_rates"), rain_map)  # fmt: skip
