"""Day D's features use only data available at its issue time (08:00 Manila on D)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from floodingnaque_pipeline.ml.features import FEATURE_COLUMNS, build_features
from floodingnaque_pipeline.ml.issue import issue_time
from floodingnaque_pipeline.ml.stations import Site

LOCATION = Site("1", 14.5208, 120.9905)  # Tambo
NAIA = Site("naia", 14.5047, 121.004751)
DAY = date(2024, 7, 10)
WINDOW = ["rain_1d_mm", "rain_2d_mm", "rain_3d_mm", "rain_7d_mm"]  # API also depends on how
# far back the data go, which differs between the two inputs here


def _hours(seed: int = 0) -> pd.DataFrame:
    """Two weeks of hourly rows around DAY (observed_at = end of the hour, UTC)."""
    ends = pd.date_range("2024-06-30T00:00Z", "2024-07-14T00:00Z", freq="h")
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "location_id": 1, "observed_at": ends, "source": "open_meteo_era5",
        "precipitation_mm": rng.gamma(0.3, 4.0, len(ends)),
        "temperature_c": 28.0, "relative_humidity_pct": 80.0,
    })  # fmt: skip


def _gauge_from(hours: pd.DataFrame) -> pd.DataFrame:
    """PAGASA rows as PAGASA would print them from these hours: row R = 08:00 R .. 08:00 R+1."""
    rows = []
    for offset in range(-12, 4):
        row_day = DAY + timedelta(days=offset)
        start, end = issue_time(row_day), issue_time(row_day + timedelta(days=1))
        inside = (hours["observed_at"] > start) & (hours["observed_at"] <= end)
        rows.append({"station": "naia", "observed_on": row_day,
                     "rainfall_mm": float(hours.loc[inside, "precipitation_mm"].sum()),
                     "tmax_c": 31.0, "tmin_c": 25.0, "relative_humidity_pct": 80.0})  # fmt: skip
    return pd.DataFrame(rows)


def _row(hours: pd.DataFrame, gauge: pd.DataFrame | None = None, day: date = DAY) -> pd.Series:
    gauge = gauge if gauge is not None else pd.DataFrame(columns=_gauge_from(_hours()).columns)
    frame = build_features(hours, gauge, [LOCATION], [NAIA])
    return frame.set_index("day").loc[pd.Timestamp(day), FEATURE_COLUMNS]


def test_hours_after_the_issue_time_do_not_change_day_d() -> None:
    hours = _hours()
    before = _row(hours)
    later = hours["observed_at"] > issue_time(DAY)
    flooded = hours.assign(precipitation_mm=np.where(later, 80.0, hours["precipitation_mm"]))
    pd.testing.assert_series_equal(_row(flooded), before)
    # Control: the same change reaches the next day, and the last hour before the issue
    # time (07:00-08:00, observed_at = 08:00) still belongs to day D.
    assert _row(flooded, day=DAY + timedelta(days=1))["rain_1d_mm"] >= 24 * 80.0
    last = hours["observed_at"] == issue_time(DAY)
    one_more = hours.assign(precipitation_mm=np.where(last, 80.0, hours["precipitation_mm"]))
    assert _row(one_more)["rain_1d_mm"] > before["rain_1d_mm"]


def test_the_pagasa_row_dated_d_is_not_a_feature_of_day_d() -> None:
    hours = _hours().iloc[:0]  # gauge only
    gauge = _gauge_from(_hours())
    before = _row(hours, gauge)
    wetter = gauge.assign(rainfall_mm=np.where(gauge["observed_on"] >= DAY, 300.0,
                                               gauge["rainfall_mm"]))  # fmt: skip
    pd.testing.assert_series_equal(_row(hours, wetter), before)
    assert _row(hours, wetter, DAY + timedelta(days=1))["rain_1d_mm"] == 300.0
    yesterday = gauge.assign(rainfall_mm=np.where(gauge["observed_on"] == DAY - timedelta(1),
                                                  300.0, gauge["rainfall_mm"]))  # fmt: skip
    assert _row(hours, yesterday)["rain_1d_mm"] == 300.0


def test_gauge_rows_and_hourly_sums_give_day_d_the_same_rain() -> None:
    """One definition of daily rain: the gauge path (training) and the hourly path (serving)
    agree when they measure the same rain."""
    hours = _hours(seed=4)
    from_hours = _row(hours)[WINDOW]
    from_gauge = _row(hours.iloc[:0], _gauge_from(hours))[WINDOW]
    assert np.allclose(from_hours.to_numpy(float), from_gauge.to_numpy(float))
    assert from_hours["rain_1d_mm"] > 0
