"""flood_risk with a current impact model: probability, inputs and version on every row."""

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import insert

from floodingnaque_pipeline.db.model_registry import (
    current_version,
    new_version,
    promote,
    store_version,
)
from floodingnaque_pipeline.db.models import WeatherEnsemble
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.ml.served import load_served
from floodingnaque_pipeline_tests.labels_support import query
from floodingnaque_pipeline_tests.ml_impact_support import store_current_impact
from floodingnaque_pipeline_tests.ml_support import (
    ML_ASSETS,
    first_red_hour_end,
    run_ml,
    write_stand_in_weather,
)
from floodingnaque_pipeline_tests.weather_rows import seed_locations

MEMBERS_MM = (0.0, 1.0, 4.0, 10.0)


def _json(value: object):
    return json.loads(value) if isinstance(value, str) else value  # SQLite: JSON text


def _run(db_url: str, now: datetime) -> None:
    run_ml([ML_ASSETS["risk"]], db_url, run_config={
        "ops": {"flood_risk": {"config": {"as_of": now.isoformat()}}}
    })  # fmt: skip


def test_current_model_sets_probability_inputs_and_version(app_db: AppDatabase, db_url) -> None:
    ids = seed_locations(app_db)
    model_id, version = store_current_impact(app_db, ids)
    [(lat, lon)] = query(app_db, "SELECT latitude, longitude FROM locations WHERE slug='tambo'")
    now = first_red_hour_end(lat, lon).replace(minute=0)  # the torrential hour just observed
    write_stand_in_weather(app_db, now, dry=False)
    _run(db_url, now)
    rows = query(app_db, "SELECT probability, risk_level, reasons, model_version_id, inputs, "
                         "observed_share, location_id FROM flood_predictions")  # fmt: skip
    assert len(rows) == 32 and {r[3] for r in rows} == {model_id}
    [(thresholds,)] = query(app_db, "SELECT thresholds FROM model_versions")
    alert, critical = (_json(thresholds)[k] for k in ("alert", "critical"))
    for probability, level, reasons, _, inputs, share, _ in rows:
        text, inputs = " ".join(_json(reasons)), _json(inputs)
        assert version in text and f"window rain {inputs['window_rain_mm']:.1f} mm" in text
        assert inputs["window_rain_mm"] >= inputs["rain_so_far_mm"]
        assert 0.0 <= share <= 1.0
        assert "ensemble forecast unavailable: deterministic forecast used" in text
        if probability >= critical:
            assert level == 2 and "Critical threshold" in text
        elif probability >= alert:
            assert level >= 1 and "Alert threshold" in text
        else:
            assert "below Alert threshold" in text
    # The recorded inputs are what the model read: the stored model on them gives the row's p.
    with app_db.session() as session:
        served = load_served(current_version(session))
    inputs = pd.DataFrame([_json(r[4]) for r in rows])
    inputs["location_id"] = [r[6] for r in rows]
    frame = inputs.rename(columns={"window_rain_mm": "window_mm", "prior_rain_mm": "prior_mm"})
    again = served.probabilities(frame)
    assert np.allclose(again, [r[0] for r in rows], atol=1e-4)
    assert any(r[1] == 2 and "PAGASA Red rule" in str(r[2]) for r in rows)  # the storm hour


def test_dry_days_with_a_model_are_safe(app_db: AppDatabase, db_url: str) -> None:
    ids = seed_locations(app_db)
    model_id, _ = store_current_impact(app_db, ids)
    now = datetime(2024, 2, 10, 5, 30, tzinfo=UTC)
    write_stand_in_weather(app_db, now, dry=True)
    _run(db_url, now)
    rows = query(app_db, "SELECT probability, risk_level, model_version_id FROM flood_predictions")
    assert len(rows) == 32
    assert {r[1] for r in rows} == {0} and {r[2] for r in rows} == {model_id}


def test_a_current_version_of_the_old_kind_is_not_served(app_db: AppDatabase, db_url) -> None:
    seed_locations(app_db)
    version = new_version("0" * 64, datetime(2023, 1, 1, tzinfo=UTC))
    with app_db.session() as session:
        row = store_version(session, version=version, algorithm="old", params={}, features=[],
                            evaluation_scheme="test", metrics={}, baseline_metrics={},
                            artifact=b"x", artifact_sha256="0" * 64)  # fmt: skip
        promote(session, row.id)
    now = datetime(2024, 2, 10, 5, 30, tzinfo=UTC)
    write_stand_in_weather(app_db, now, dry=True)
    _run(db_url, now)
    rows = query(app_db, "SELECT probability, reasons, model_version_id FROM flood_predictions")
    assert len(rows) == 32 and {(r[0], r[2]) for r in rows} == {(None, None)}
    assert all(f"{version} is not an impact model" in str(r[1]) for r in rows)


def test_ensemble_members_give_the_mean_and_the_spread(app_db: AppDatabase, db_url) -> None:
    ids = seed_locations(app_db)
    store_current_impact(app_db, ids)
    now = datetime(2024, 7, 15, 2, tzinfo=UTC)  # 10:00 Manila
    write_stand_in_weather(app_db, now, dry=True)
    issued = now - timedelta(hours=1)
    # members 0..3 rain 0, 1, 4, 10 mm/h over the next 30 h: dry observed hours, wet members
    rows = [{"location_id": loc, "valid_at": now + timedelta(hours=h), "member": m,
             "precipitation_mm": mm, "issued_at": issued, "raw_pull_id": None}
            for loc in ids for h in range(1, 31) for m, mm in enumerate(MEMBERS_MM)]  # fmt: skip
    with app_db.session() as session:
        session.execute(insert(WeatherEnsemble), rows)
    _run(db_url, now)
    rows = query(app_db, "SELECT probability, probability_p10, probability_p90, reasons, inputs, "
                         "forecast_issued_at FROM flood_predictions")  # fmt: skip
    assert len(rows) == 32
    for probability, p10, p90, reasons, inputs, forecast_issued in rows:
        assert p10 < probability < p90  # a mean of members spread from dry to torrential
        assert _json(inputs)["members"] == 4
        assert _json(inputs)["forecast_issued_at"] == issued.isoformat()
        assert str(forecast_issued).startswith("2024-07-15")  # stored in its own column too
        assert "ensemble of 4 members" in " ".join(_json(reasons))
