"""flood_model through Dagster on a real database: the winner serves; a loser is stored, WARNs
(the run stays green) and never serves."""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg
import pytest

from floodingnaque_pipeline.db.features import store_features
from floodingnaque_pipeline.db.model_registry import current_version
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.ml.impact_train import SERVING
from floodingnaque_pipeline_tests.labels_support import query
from floodingnaque_pipeline_tests.ml_impact_synthetic import impact_features
from floodingnaque_pipeline_tests.ml_support import (
    ML_ASSETS,
    materialization_metadata,
    run_ml,
    write_stand_in_weather,
)
from floodingnaque_pipeline_tests.weather_rows import seed_locations

SHUFFLED = {"ops": {"flood_model": {"config": {"shuffle_labels": True}}}}


def _database_with_features(pg_url: str, spread: float) -> AppDatabase:
    database = AppDatabase(pg_url)
    database.migrate()
    ids = seed_locations(database)
    frame = impact_features([2021, 2022], seed=3, locations=len(ids), spread=spread)
    frame["location_id"] = frame["location_id"].map(dict(enumerate(ids, start=1)))
    with database.session() as session:
        store_features(session, frame, None)
    return database


def _versions(database: AppDatabase) -> list[tuple]:
    return query(
        database,
        "SELECT version, is_current, not_current_reason, evaluation_scheme, metrics, "
        "baseline_metrics, thresholds, serving_mode, served_metrics, test_start, test_end "
        "FROM model_versions ORDER BY id",
    )


@pytest.fixture
def winning_database(pg_url: str):
    database = _database_with_features(pg_url, spread=1.2)
    try:
        yield database
    finally:
        database.dispose()


def _warned(result: dg.ExecuteInProcessResult) -> bool:
    (evaluation,) = result.get_asset_check_evaluations()
    return not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN


def test_winner_serves_with_its_own_numbers_and_the_control_never_does(
    winning_database: AppDatabase, pg_url: str
) -> None:
    database, instance = winning_database, dg.DagsterInstance.ephemeral()
    result = run_ml([ML_ASSETS["model"]], pg_url, instance)
    [row] = _versions(database)
    version, current, reason, scheme, metrics, baseline, thresholds, mode, served = row[:9]
    assert (current, reason, scheme, mode) == (True, None, "holdout_latest_year", SERVING)
    assert row[9:] == (date(2022, 1, 1), date(2022, 12, 31))
    barangay = metrics["barangay_day"]
    assert barangay["model"]["ap"] >= 1.2 * barangay["row_d"]["ap"]
    assert baseline["row_d"]["city_day"] == metrics["city_day"]["row_d"]
    assert metrics["reverse_direction"]["direction"] == "train 2022 -> test 2021"
    assert served["thresholds"] == thresholds and served["describes"].startswith("the served")
    assert 0 < thresholds["alert"] <= thresholds["critical"] < 1
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed
    meta = materialization_metadata(result, "flood_model")
    assert next(iter(meta)) == "verdict"  # the UI's table opens with it
    assert "barangay-day AP" in meta["metrics"] and "NAIA row D" in meta["metrics"]
    assert "train 2022 -> test 2021" in meta["reverse_direction"]
    assert meta["pr_curve"].startswith("![PR curve](data:image/png;base64,")
    assert meta["verdict"].startswith(f"{version} serves")

    # The negative control loses: stored, not current, a WARN, and the run is NOT a failure.
    scrambled = run_ml([ML_ASSETS["model"]], pg_url, instance, run_config=SHUFFLED)
    assert scrambled.success and _warned(scrambled)
    first, second = _versions(database)
    assert second[1] is False and second[2].startswith("does not beat the baselines")
    meta = materialization_metadata(scrambled, "flood_model")
    assert meta["serving_version"] == version and f"{version} keeps serving" in meta["verdict"]
    assert first[1] is True  # a weaker model never dethrones the current one
    with database.session() as session:
        assert current_version(session).version == version

    # flood_risk serves the stored artifact, and every row says what it was decided from.
    now = datetime(2024, 7, 15, 10, tzinfo=UTC)
    write_stand_in_weather(database, now, dry=False)
    run_ml([ML_ASSETS["risk"]], pg_url, instance,
           run_config={"ops": {"flood_risk": {"config": {"as_of": now.isoformat()}}}})  # fmt: skip
    rows = query(database, "SELECT probability, reasons, inputs, observed_share, "
                           "forecast_issued_at, valid_for FROM flood_predictions")  # fmt: skip
    assert len(rows) == 32 and all(p is not None for p, *_ in rows)
    for probability, reasons, inputs, share, issued, valid_for in rows:
        assert version in str(reasons) and inputs["model_version"] == version
        assert inputs["probability"] == probability
        assert set(inputs) >= {"rain_so_far_mm", "forecast_rain_mm", "propensity", "rule"}
        assert issued == now  # the stand-in forecast was issued at `now`
        # 10:00 UTC = 18:00 Manila: 10 of today's 24 window hours are observed, none of tomorrow
        assert share == pytest.approx(10 / 24 if valid_for == date(2024, 7, 15) else 0.0, abs=1e-4)


def test_a_model_losing_to_a_baseline_is_stored_with_a_warning(pg_url: str) -> None:
    database = _database_with_features(pg_url, spread=0.0)
    try:
        result = run_ml([ML_ASSETS["model"]], pg_url)
        assert result.success and _warned(result)  # an expected outcome, not a failed run
        [row] = _versions(database)
        assert row[1] is False and "barangay-day AP" in row[2]
        meta = materialization_metadata(result, "flood_model")
        assert meta["serving_version"].startswith("none") and "barangay-day" in meta["verdict"]
        with database.session() as session:
            assert current_version(session) is None
    finally:
        database.dispose()
