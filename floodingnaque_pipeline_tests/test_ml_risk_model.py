"""flood_risk with a current model: probability, thresholds and model version on every row."""

import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from floodingnaque_pipeline.db.model_registry import new_version, promote, store_version
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.ml import artifact
from floodingnaque_pipeline.ml.features import FEATURE_COLUMNS
from floodingnaque_pipeline.ml.inner import pipeline
from floodingnaque_pipeline_tests.labels_support import query
from floodingnaque_pipeline_tests.ml_support import (
    ML_ASSETS,
    first_red_hour_end,
    run_ml,
    write_stand_in_weather,
)
from floodingnaque_pipeline_tests.weather_rows import seed_locations

THRESHOLDS = {"alert": 0.3, "critical": 0.8}


def _store_current_model(database: AppDatabase) -> tuple[int, str]:
    """A model that learnt 'heavy rain floods' from synthetic days; made current directly."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.gamma(0.6, 12.0, size=(3000, len(FEATURE_COLUMNS))),
                         columns=FEATURE_COLUMNS)  # fmt: skip
    frame["humidity_pct"] = rng.uniform(60, 100, 3000)
    frame["temperature_c"] = rng.uniform(24, 33, 3000)
    frame["doy_sin"], frame["doy_cos"] = rng.uniform(-1, 1, 3000), rng.uniform(-1, 1, 3000)
    labels = (frame["max_1h_mm"] >= 30) | (frame["rain_1d_mm"] >= 60)
    model = pipeline(1.0).fit(frame.to_numpy(float), labels.to_numpy(int))
    data, sha = artifact.dump(model)
    version = new_version(sha, datetime(2024, 1, 1, tzinfo=UTC))
    with database.session() as session:
        row = store_version(
            session, version=version, algorithm="test", params={}, features=FEATURE_COLUMNS,
            evaluation_scheme="test", metrics={}, baseline_metrics={}, thresholds=THRESHOLDS,
            artifact=data, artifact_sha256=sha,
        )  # fmt: skip
        promote(session, row.id)
        return row.id, version


def _reasons(value: object) -> list[str]:
    return value if isinstance(value, list) else json.loads(str(value))


def test_current_model_sets_probability_and_version(app_db: AppDatabase, db_url: str) -> None:
    seed_locations(app_db)
    model_id, version = _store_current_model(app_db)
    [(lat, lon)] = query(app_db, "SELECT latitude, longitude FROM locations WHERE slug='tambo'")
    now = first_red_hour_end(lat, lon).replace(minute=0)  # the torrential hour just observed
    write_stand_in_weather(app_db, now, dry=False)
    run_ml([ML_ASSETS["risk"]], db_url, run_config={
        "ops": {"flood_risk": {"config": {"as_of": now.isoformat()}}}
    })  # fmt: skip
    rows = query(app_db, "SELECT probability, risk_level, reasons, model_version_id "
                         "FROM flood_predictions")  # fmt: skip
    assert len(rows) == 32
    with_p = [r for r in rows if r[0] is not None]
    assert with_p and {r[3] for r in with_p} == {model_id}
    for probability, level, reasons, _ in with_p:
        text = " ".join(_reasons(reasons))
        assert version in text
        if probability >= THRESHOLDS["critical"]:
            assert level == 2 and "Critical threshold" in text
        elif probability >= THRESHOLDS["alert"]:
            assert level >= 1 and "Alert threshold" in text
        else:
            assert "below Alert threshold" in text
    assert max(r[0] for r in with_p) >= THRESHOLDS["alert"]  # the storm day is flagged


def test_dry_days_with_a_model_are_safe(app_db: AppDatabase, db_url: str) -> None:
    seed_locations(app_db)
    model_id, _ = _store_current_model(app_db)
    now = datetime(2024, 2, 10, 5, 30, tzinfo=UTC)
    write_stand_in_weather(app_db, now, dry=True)
    run_ml([ML_ASSETS["risk"]], db_url, run_config={
        "ops": {"flood_risk": {"config": {"as_of": now.isoformat()}}}
    })  # fmt: skip
    rows = query(app_db, "SELECT probability, risk_level, model_version_id FROM flood_predictions")
    assert len(rows) == 32
    assert {r[1] for r in rows} == {0} and {r[2] for r in rows} == {model_id}
    assert max(r[0] for r in rows) < THRESHOLDS["alert"]
