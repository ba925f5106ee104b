"""An impact model trained on synthetic days, stored as the current version (for risk tests)."""

from __future__ import annotations

from datetime import UTC, datetime

from floodingnaque_pipeline.db.model_registry import new_version, promote, store_version
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.ml import artifact
from floodingnaque_pipeline.ml.impact import ImpactModel, fit_impact
from floodingnaque_pipeline.ml.impact_train import PARAMS, labelled_impact
from floodingnaque_pipeline.ml.served import ServedModel
from floodingnaque_pipeline_tests.ml_impact_synthetic import impact_features


def trained_impact(locations: int = 16) -> ImpactModel:
    return fit_impact(labelled_impact(impact_features([2021, 2022], seed=3, locations=locations)))


def as_served(model: ImpactModel, version: str = "test") -> ServedModel:
    return ServedModel(0, version, model.model, model.features, model.thresholds,
                       model.propensity)  # fmt: skip


def store_current_impact(database: AppDatabase, location_ids: list[int]) -> tuple[int, str]:
    model = trained_impact(len(location_ids))
    # synthetic location k -> the k-th seeded location
    table = {str(location_ids[int(k) - 1]) if k != "*" else k: v
             for k, v in model.propensity.items()}  # fmt: skip
    data, sha = artifact.dump(model.model)
    version = new_version(sha, datetime(2024, 1, 1, tzinfo=UTC))
    with database.session() as session:
        row = store_version(
            session, version=version, algorithm="test", params=PARAMS | {"propensity": table},
            features=model.features, evaluation_scheme="test", metrics={}, baseline_metrics={},
            thresholds=model.thresholds, artifact=data, artifact_sha256=sha,
        )  # fmt: skip
        promote(session, row.id)
        return row.id, version
