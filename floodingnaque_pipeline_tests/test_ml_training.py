"""Out-of-time training: 2022 (real records) trains, 2023 tests; a scrambled model never wins."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from floodingnaque_pipeline.db.model_registry import load_current
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline_tests.labels_support import drop, ingest, query
from floodingnaque_pipeline_tests.ml_support import (
    ML_ASSETS,
    load_real_labels,
    materialization_metadata,
    run_ml,
    synthetic_2023_file,
)

# 2023 flood days named by the raw 2023 export and the cleaned file's remarks (the cleaned
# file's filled-down 2023-05-20 dates are refused): 8 days, so the latest year is held out.
FLOOD_DAYS_2023 = [
    date(2023, 5, 20),
    date(2023, 5, 31),
    date(2023, 6, 7),
    date(2023, 7, 12),
    date(2023, 8, 24),
    date(2023, 9, 2),
    date(2023, 9, 28),
    date(2023, 10, 21),
]
SHUFFLED = {"ops": {"flood_model": {"config": {"shuffle_labels": True}}}}


@pytest.fixture
def labelled_two_years(pg_url: str, shared_data: Path, tmp_path: Path):
    database = AppDatabase(pg_url)
    database.migrate()
    instance = dg.DagsterInstance.ephemeral()
    load_real_labels(
        database, pg_url, shared_data, tmp_path, instance, flood_files=("flood_records_2022.csv",)
    )
    relative = "flood_records/flood_records_2023_dated.csv"
    drop(tmp_path, relative, synthetic_2023_file(shared_data, FLOOD_DAYS_2023))
    assert ingest(relative, pg_url, tmp_path, instance).success
    try:
        yield database, instance
    finally:
        database.dispose()


def _versions(database: AppDatabase) -> list[tuple]:
    return query(
        database,
        "SELECT version, is_current, not_current_reason, evaluation_scheme, "
        "metrics, baseline_metrics, thresholds, test_start, test_end "
        "FROM model_versions ORDER BY id",
    )


def test_train_2022_test_2023_then_scrambled_labels_not_current(labelled_two_years, pg_url):
    database, instance = labelled_two_years
    result = run_ml(
        [ML_ASSETS["features"], ML_ASSETS["model"]], pg_url, instance, raise_on_error=False
    )
    [(version, current, reason, scheme, metrics, baseline, thresholds, start, end)] = _versions(
        database
    )
    assert scheme == "holdout_latest_year"
    assert (start, end) == (date(2023, 1, 1), date(2023, 12, 31))
    assert metrics["positive_days"] == baseline["positive_days"] == len(FLOOD_DAYS_2023)
    assert metrics["test_rows"] == baseline["test_rows"] == 16 * 365
    for key in ("roc_auc", "pr_auc"):
        assert 0.0 <= metrics[key] <= 1.0 and 0.0 <= baseline[key] <= 1.0
    assert {"recall", "false_alerts_per_month"} <= set(metrics["alert"]) & set(baseline["rule"])
    assert 0 < thresholds["alert"] <= thresholds["critical"] <= 1
    # Current exactly when it beats the rule on PR-AUC; the blocking check says the same.
    beats = metrics["pr_auc"] > baseline["pr_auc"]
    assert current is beats and (reason is None) is beats
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed is beats and result.success is beats
    meta = materialization_metadata(result, "flood_model")
    assert "| PR-AUC |" in meta["metrics"] and "PAGASA rule" in meta["metrics"]
    assert meta["pr_curve"].startswith("![PR curve](data:image/png;base64,")
    assert meta["evaluation_scheme"] == "holdout_latest_year" and meta["test_positive_days"] == 8
    if beats:
        with database.session() as session:
            loaded = load_current(session)
        assert loaded is not None and loaded.version == version

    scrambled = run_ml(
        [ML_ASSETS["model"]], pg_url, instance, run_config=SHUFFLED, raise_on_error=False
    )
    (evaluation,) = scrambled.get_asset_check_evaluations()
    assert not evaluation.passed and not scrambled.success
    first, second = _versions(database)
    assert second[1] is False and "does not beat the PAGASA-rule baseline" in second[2]
    assert second[4]["pr_auc"] <= second[5]["pr_auc"]
    assert first[1] is beats  # a weaker model never dethrones the current one
