"""flood_model through Dagster on a real database: the winner serves, losers never do."""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg
import pandas as pd
import pytest

from floodingnaque_pipeline.db.features import store_features
from floodingnaque_pipeline.db.model_registry import current_version
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.ml.train import SERVING
from floodingnaque_pipeline_tests.labels_support import query
from floodingnaque_pipeline_tests.ml_support import (
    ML_ASSETS,
    materialization_metadata,
    run_ml,
    write_stand_in_weather,
)
from floodingnaque_pipeline_tests.ml_synthetic import synthetic_features
from floodingnaque_pipeline_tests.weather_rows import seed_locations

SHUFFLED = {"ops": {"flood_model": {"config": {"shuffle_labels": True}}}}


def _database_with_features(pg_url: str, truth: str) -> AppDatabase:
    database = AppDatabase(pg_url)
    database.migrate()
    ids = seed_locations(database)
    frame = synthetic_features([2021, 2022], truth=truth, seed=3, locations=len(ids))
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
    database = _database_with_features(pg_url, "wet_spell")
    try:
        yield database
    finally:
        database.dispose()


def test_winner_serves_with_its_own_numbers_and_the_control_never_does(
    winning_database: AppDatabase, pg_url: str
) -> None:
    database, instance = winning_database, dg.DagsterInstance.ephemeral()
    result = run_ml([ML_ASSETS["model"]], pg_url, instance)
    [row] = _versions(database)
    version, current, reason, scheme, metrics, baseline, thresholds, mode, served = row[:9]
    assert (current, reason, scheme, mode) == (True, None, "holdout_latest_year", SERVING)
    assert row[9:] == (date(2022, 1, 1), date(2022, 12, 31))
    city = metrics["city_day"]
    assert city["model"]["ap"] > max(city["rule"]["ap"], city["rain_2d"]["ap"])
    assert baseline["rain_2d"]["city_day"] == city["rain_2d"]
    # The thresholds stored are the served model's, chosen on its own out-of-fold days.
    assert served["thresholds"] == thresholds and served["describes"].startswith("the served")
    assert 0 < thresholds["alert"] <= thresholds["critical"] < 1
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed
    meta = materialization_metadata(result, "flood_model")
    assert "| city-day AP |" in meta["metrics"] and "2-day rain" in meta["metrics"]
    assert meta["pr_curve"].startswith("![PR curve](data:image/png;base64,")
    assert meta["reliability"].startswith("![reliability](data:image/png;base64,")
    assert meta["why"].startswith(f"{version} serves")

    scrambled = run_ml([ML_ASSETS["model"]], pg_url, instance, run_config=SHUFFLED,
                       raise_on_error=False)  # fmt: skip
    (evaluation,) = scrambled.get_asset_check_evaluations()
    assert not evaluation.passed and not scrambled.success
    first, second = _versions(database)
    assert second[1] is False and second[2].startswith("does not beat the baselines")
    meta = materialization_metadata(scrambled, "flood_model")
    assert meta["serving_version"] == version and f"{version} keeps serving" in meta["why"]
    assert first[1] is True  # a weaker model never dethrones the current one
    with database.session() as session:
        assert current_version(session).version == version

    # flood_risk serves the stored artifact (with its location rates when it chose them).
    now = datetime(2024, 7, 15, 10, tzinfo=UTC)
    write_stand_in_weather(database, now, dry=False)
    run_ml([ML_ASSETS["risk"]], pg_url, instance,
           run_config={"ops": {"flood_risk": {"config": {"as_of": now.isoformat()}}}})  # fmt: skip
    rows = query(database, "SELECT probability, reasons FROM flood_predictions")
    assert len(rows) == 32 and all(p is not None for p, _ in rows)
    assert all(version in str(reasons) for _, reasons in rows)
    [(features, params)] = query(database, "SELECT features, params FROM model_versions "
                                           "WHERE is_current")  # fmt: skip
    uses_rates = "location_flood_rate" in features
    assert uses_rates == (params["location_rates"] is not None)


def test_a_model_losing_to_a_baseline_is_never_served(pg_url: str) -> None:
    database = _database_with_features(pg_url, "rain_2d")
    try:
        result = run_ml([ML_ASSETS["model"]], pg_url, raise_on_error=False)
        (evaluation,) = result.get_asset_check_evaluations()
        assert not evaluation.passed and not result.success
        [row] = _versions(database)
        assert row[1] is False and "2-day rain" in row[2]
        meta = materialization_metadata(result, "flood_model")
        assert meta["serving_version"].startswith("none") and "2-day rain" in meta["why"]
        with database.session() as session:
            assert current_version(session) is None
        frame = pd.DataFrame(query(database, "SELECT count(*) FROM model_versions"))
        assert int(frame.iloc[0, 0]) == 1  # stored for the record, not served
    finally:
        database.dispose()
