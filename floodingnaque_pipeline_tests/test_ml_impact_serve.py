"""The window as known at `now` (observed so far + forecast rest), and the ensemble's mean."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from floodingnaque_pipeline.ml.impact_serve import window_inputs
from floodingnaque_pipeline.ml.predict import decide_days
from floodingnaque_pipeline.ml.stations import Site
from floodingnaque_pipeline_tests.ml_impact_support import as_served, trained_impact

DAY = date(2024, 7, 15)
SITE = [Site("1", 14.5, 121.0)]


def _hours(first: str, count: int, mm: float) -> pd.DataFrame:
    ends = pd.date_range(pd.Timestamp(first, tz="Asia/Manila"), periods=count, freq="h")
    return pd.DataFrame({"location_id": 1, "observed_at": ends.tz_convert("UTC"),
                         "source": "open_meteo_era5", "precipitation_mm": mm,
                         "temperature_c": 28.0, "relative_humidity_pct": 80.0})  # fmt: skip


@pytest.fixture(scope="module")
def model():
    return as_served(trained_impact(), "v-test")


def test_window_counts_08_to_08_and_the_early_hours_go_to_the_prior() -> None:
    # Hours ending 01:00..08:00 of D (8 h x 1 mm) sit in the prior (row D-1); hours ending
    # 09:00..18:00 (10 h x 2 mm) are observed window; 19:00..08:00 D+1 (14 h x 3 mm) forecast.
    observed = pd.concat([_hours("2024-07-15 01:00", 8, 1.0), _hours("2024-07-15 09:00", 10, 2.0)])
    forecast = _hours("2024-07-15 19:00", 14, 3.0)
    empty_gauge = pd.DataFrame(columns=["location_id", "day", "rain_mm"])
    [row] = window_inputs(observed, forecast, empty_gauge, [1], [DAY]).itertuples()
    assert (row.prior_mm, row.observed_mm, row.forecast_mm) == (8.0, 20.0, 42.0)
    assert row.window_mm == 62.0 and row.observed_share == pytest.approx(10 / 24, abs=1e-4)
    assert row.missing_hours == 0


def test_ensemble_mean_and_spread_or_a_said_fallback(model) -> None:
    observed = _hours("2024-07-15 09:00", 10, 2.0)
    forecast = _hours("2024-07-15 19:00", 14, 1.0)
    members = pd.concat([_hours("2024-07-15 19:00", 14, mm).assign(member=m)
                         for m, mm in enumerate([0.0, 1.0, 4.0, 10.0])])  # fmt: skip
    no_gauge = pd.DataFrame(columns=["station", "observed_on", "rainfall_mm", "tmax_c", "tmin_c",
                                     "relative_humidity_pct"])  # fmt: skip
    with_members = decide_days(observed, forecast, no_gauge, SITE, [], [DAY], model, members)
    alone = decide_days(observed, forecast, no_gauge, SITE, [], [DAY], model, None)
    ens, det = with_members[(1, DAY)], alone[(1, DAY)]
    each = [model.probabilities(pd.DataFrame({"location_id": [1], "window_mm": [20 + 14 * mm],
                                              "prior_mm": [0.0]}))[0]
            for mm in (0.0, 1.0, 4.0, 10.0)]  # fmt: skip
    assert ens.probability == pytest.approx(np.mean(each), abs=1e-4)
    assert ens.inputs["members"] == 4 and ens.inputs["p10"] < ens.inputs["p90"]
    assert "ensemble of 4 members" in " ".join(ens.reasons)
    assert det.probability == pytest.approx(each[1], abs=1e-4)  # deterministic: 1 mm/h
    assert "ensemble forecast unavailable: deterministic forecast used" in det.reasons
    assert "p10" not in det.inputs
