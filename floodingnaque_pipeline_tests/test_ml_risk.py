"""flood_risk on stand-in weather: a Red hour makes Critical; dry weather and no model is Safe."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.ml.risk import NO_MODEL
from floodingnaque_pipeline_tests.labels_support import query
from floodingnaque_pipeline_tests.ml_support import (
    ML_ASSETS,
    first_red_hour_end,
    materialization_metadata,
    run_ml,
    write_stand_in_weather,
)
from floodingnaque_pipeline_tests.weather_rows import seed_locations


def _json(value: object) -> list[str]:
    return value if isinstance(value, list) else json.loads(str(value))  # SQLite: JSON text


def test_forecast_red_hour_gives_critical_with_that_reason(app_db: AppDatabase, db_url: str):
    seed_locations(app_db)
    [(location_id, lat, lon)] = query(
        app_db, "SELECT id, latitude, longitude FROM locations WHERE slug = 'baclaran'"
    )
    red_hour_end = first_red_hour_end(lat, lon)
    now = red_hour_end - timedelta(hours=4, minutes=20)  # the Red hour is still a forecast
    write_stand_in_weather(app_db, now, dry=False)
    as_of = {"ops": {"flood_risk": {"config": {"as_of": now.isoformat()}}}}
    run_ml([ML_ASSETS["risk"]], db_url, run_config=as_of)
    rows = query(
        app_db,
        "SELECT valid_for, risk_level, reasons, probability, model_version_id "
        "FROM flood_predictions WHERE location_id = :l",
        l=location_id,
    )
    critical = [r for r in rows if r[1] == 2]
    assert critical, rows
    reasons = _json(critical[0][2])
    assert any("PAGASA Red rule" in r and "forecast" in r for r in reasons), reasons
    assert NO_MODEL in reasons and critical[0][3] is None and critical[0][4] is None


def test_dry_weather_without_model_is_safe_by_rules_and_idempotent(app_db: AppDatabase, db_url):
    seed_locations(app_db)
    now = datetime(2024, 8, 10, 5, 30, tzinfo=UTC)
    write_stand_in_weather(app_db, now, dry=True)
    as_of = {"ops": {"flood_risk": {"config": {"as_of": now.isoformat()}}}}
    first = materialization_metadata(
        run_ml([ML_ASSETS["risk"]], db_url, run_config=as_of), "flood_risk"
    )
    again = materialization_metadata(
        run_ml([ML_ASSETS["risk"]], db_url, run_config=as_of), "flood_risk"
    )
    assert (first["rows"], first["inserted"], again["inserted"]) == (32, 32, 0)
    assert first["model_version"] == "none (rules)"
    rows = query(
        app_db, "SELECT risk_level, reasons, horizon_days, valid_for FROM flood_predictions"
    )
    assert len(rows) == 32 and {r[0] for r in rows} == {0} and {r[2] for r in rows} == {0, 1}
    for _, reasons, _, _ in rows:
        assert NO_MODEL in _json(reasons)
        assert any("below PAGASA Yellow" in r for r in _json(reasons))
