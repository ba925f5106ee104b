"""The archived-forecast backtest on synthetic days: a perfect archive reproduces the
observed-rain evaluation at both issue times; a noisy one loses skill; gaps are counted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert

from floodingnaque_pipeline.db.features import store_features
from floodingnaque_pipeline.db.models import ForecastArchive
from floodingnaque_pipeline.defs.ml.backtest import flood_forecast_backtest
from floodingnaque_pipeline.domain.time import MANILA
from floodingnaque_pipeline.ml.backtest import fold_models, replay
from floodingnaque_pipeline.ml.impact_train import labelled_impact
from floodingnaque_pipeline_tests.ml_impact_synthetic import impact_features
from floodingnaque_pipeline_tests.ml_support import materialization_metadata, run_ml
from floodingnaque_pipeline_tests.weather_rows import seed_locations

LEADS = (1, 2, 3)


@pytest.fixture(scope="module")
def synthetic():
    features = impact_features([2021, 2022], seed=3, locations=4)
    labelled = labelled_impact(features)
    # hourly truth: gauge row R spread evenly over its 24 hours (ends 09:00 R .. 08:00 R+1)
    rows = features.assign(row=features["day"] - pd.Timedelta(days=1))
    rows = rows[rows["row"].dt.month.isin([6, 7, 8, 9, 10])]
    offsets = pd.to_timedelta(np.tile(np.arange(9, 33), len(rows)), unit="h")
    starts = pd.DatetimeIndex(rows["row"]).tz_localize(MANILA).tz_convert("UTC")
    hours = pd.DataFrame({
        "location_id": np.repeat(rows["location_id"].to_numpy(), 24),
        "observed_at": starts.repeat(24) + offsets,
        "precipitation_mm": np.repeat(rows["rain_1d_mm"].to_numpy() / 24, 24),
    })  # fmt: skip
    gauge = features.rename(columns={"rain_1d_mm": "rain_mm"})[["location_id", "day", "rain_mm"]]
    return labelled, hours, gauge, fold_models(labelled)


def _archive(hours: pd.DataFrame, sigma: float) -> pd.DataFrame:
    """Each hour forecast by runs issued at 23:00 Manila, 1..3 days before its Manila date."""
    rng = np.random.default_rng(5)
    local_date = (hours["observed_at"] - pd.Timedelta(hours=1)).dt.tz_convert(MANILA).dt.normalize()
    parts = []
    for lead in LEADS:
        noise = np.exp(rng.normal(0.0, sigma, len(hours))) if sigma else 1.0
        parts.append(pd.DataFrame({
            "location_id": hours["location_id"], "valid_at": hours["observed_at"],
            "precipitation_mm": hours["precipitation_mm"] * noise, "lead_day": lead,
            "issued_at": (local_date - pd.Timedelta(days=lead) + pd.Timedelta(hours=23))
            .dt.tz_convert("UTC"),
        }))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def test_a_perfect_archive_reproduces_the_observed_evaluation(synthetic) -> None:
    labelled, hours, gauge, models = synthetic
    result = replay(labelled, hours, _archive(hours, 0.0), gauge, models)
    for name in ("08:00 on D", "20:00 on D-1"):
        part = result[name]
        assert part["days"] > 100 and part["skipped_days"] > 100  # dry-season days: no archive
        for level in ("city_day", "barangay_day"):
            forecast, observed = part["forecast_rain"][level], part["observed_rain"][level]
            assert forecast["model"]["ap"] == pytest.approx(observed["model"]["ap"], abs=1e-3)
    assert result["08:00 on D"]["mean_observed_share"] == 0.0  # the window starts at 08:00


def test_forecast_error_costs_skill(synthetic) -> None:
    labelled, hours, gauge, models = synthetic
    part = replay(labelled, hours, _archive(hours, 1.0), gauge, models, ["08:00 on D"])[
        "08:00 on D"
    ]
    noisy, clean = part["forecast_rain"]["barangay_day"], part["observed_rain"]["barangay_day"]
    assert noisy["model"]["ap"] < clean["model"]["ap"]


def test_the_asset_says_why_it_did_not_run_without_an_archive(app_db, db_url: str) -> None:
    ids = seed_locations(app_db)
    frame = impact_features([2021, 2022], seed=3, locations=len(ids))
    frame["location_id"] = frame["location_id"].map(dict(enumerate(ids, start=1)))
    with app_db.session() as session:
        store_features(session, frame, None)
    result = run_ml([flood_forecast_backtest], db_url)
    meta = materialization_metadata(result, "flood_forecast_backtest")
    assert result.success and meta["archive"] == "no archived forecasts stored"
    assert not any(key.endswith("_days") for key in meta)  # nothing replayed, nothing claimed


def test_the_asset_replays_stored_archived_forecasts(app_db, db_url: str) -> None:
    ids = seed_locations(app_db)
    frame = impact_features([2021, 2022], seed=3, locations=len(ids))
    frame["location_id"] = frame["location_id"].map(dict(enumerate(ids, start=1)))
    with app_db.session() as session:
        store_features(session, frame, None)
    # September 2022, as archived: each gauge row's rain spread over its hours, lead 1 and 2
    rows = frame[(frame["day"] >= "2022-09-02") & (frame["day"] <= "2022-10-01")]
    archive = []
    for row in rows.itertuples():
        start = pd.Timestamp(row.day - pd.Timedelta(days=1)).tz_localize(MANILA) + pd.Timedelta(
            hours=8
        )
        for h in range(1, 25):
            valid = (start + pd.Timedelta(hours=h)).tz_convert("UTC").to_pydatetime()
            for lead in (1, 2):
                issued = (
                    pd.Timestamp(valid.date(), tz="UTC") - pd.Timedelta(days=lead)
                ).to_pydatetime()
                archive.append({"location_id": row.location_id, "valid_at": valid,
                                "lead_day": lead, "precipitation_mm": row.rain_1d_mm / 24,
                                "issued_at": issued, "raw_pull_id": None})  # fmt: skip
    with app_db.session() as session:
        session.execute(insert(ForecastArchive), archive)
    result = run_ml([flood_forecast_backtest], db_url)
    meta = materialization_metadata(result, "flood_forecast_backtest")
    assert meta["archive"] == "ok"
    assert 20 <= meta["0800_on_D_days"] <= 30 and meta["0800_on_D_skipped_days"] > 600
    assert "forecast rain" in meta["0800_on_D"] and "observed rain" in meta["0800_on_D"]
