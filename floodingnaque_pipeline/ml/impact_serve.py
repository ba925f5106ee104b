"""The rain of each risk day's window as known at `now`: observed hours so far + forecast rest.

Window of Manila day D: 08:00 D -> 08:00 D+1 (ml/impact.py); prior: the 24 h before it. An
hour (observed_at / valid_at = its END) belongs to the window of D when it closes in
(08:00 D, 08:00 D+1]; `issue.window_day` gives D+1 for it. A gauge row covering a window
(only when replaying a past hour) is used whole, as in training. Otherwise:
- observed hours (weather_data, end <= now) give `observed_mm` and the observed share;
- the deterministic forecast's hours after them give `forecast_mm`;
- ensemble members (when given) each give their own forecast part: `member_mm` per member;
- hours neither observed nor forecast count as no rain and are reported (`missing_hours`).
A quantile map (hourly sums -> gauge, fitted with the model) corrects the window and prior
sums of hourly rain, as in training.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from floodingnaque_pipeline.ml.issue import window_day
from floodingnaque_pipeline.ml.rain_match import QuantileMap

HOURS = 24
INPUT_COLUMNS = ["location_id", "day", "window_mm", "prior_mm", "observed_mm", "forecast_mm",
                 "observed_share", "missing_hours", "window_source"]  # fmt: skip


def _window_of(stamps: pd.Series) -> pd.Series:
    """The Manila day whose window (08:00 D -> 08:00 D+1) holds the hour ending at `stamps`."""
    return window_day(stamps) - pd.Timedelta(days=1)


def _sums(hours: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    if hours.empty:
        return pd.DataFrame(columns=[*by, "mm", "n"]).set_index(by)
    frame = hours.assign(day=_window_of(hours["observed_at"]),
                         mm=hours["precipitation_mm"].fillna(0.0))  # fmt: skip
    grouped = frame.groupby(by)
    return pd.DataFrame({"mm": grouped["mm"].sum(), "n": grouped["mm"].size()})


def window_inputs(
    observed: pd.DataFrame,
    forecast: pd.DataFrame,
    gauge: pd.DataFrame,
    location_ids: Sequence[int],
    days: Sequence[date],
    rain_map: QuantileMap | None = None,
) -> pd.DataFrame:
    """observed / forecast: location_id, observed_at (hour end, UTC), precipitation_mm, one
    row per hour (deduplicated; forecast hours only after the last observed one). gauge:
    station_daily rows (location_id, day = gauge row + 1, rain_mm)."""
    key = ["location_id", "day"]
    grid = pd.MultiIndex.from_product(
        [[int(i) for i in location_ids], pd.DatetimeIndex([pd.Timestamp(d) for d in days])],
        names=key,
    )
    before = pd.MultiIndex.from_arrays(
        [grid.get_level_values(0), grid.get_level_values(1) - pd.Timedelta(days=1)], names=key
    )
    obs, fc = _sums(observed, key), _sums(forecast, key)
    o_mm, o_n = _take(obs, grid, "mm"), _take(obs, grid, "n")
    f_mm, f_n = _take(fc, grid, "mm"), _take(fc, grid, "n")
    p_mm = _take(obs, before, "mm")
    hourly_window, hourly_prior = o_mm + f_mm, p_mm
    if rain_map is not None:
        hourly_window, hourly_prior = rain_map.apply(hourly_window), rain_map.apply(p_mm)
    rain = _gauge_series(gauge)
    after = pd.MultiIndex.from_arrays(
        [grid.get_level_values(0), grid.get_level_values(1) + pd.Timedelta(days=1)], names=key
    )
    window_gauge = rain.reindex(after).to_numpy(float)  # row D sits in feature day D+1
    prior_gauge = rain.reindex(grid).to_numpy(float)
    has_gauge = ~np.isnan(window_gauge)
    out = pd.DataFrame({
        "location_id": grid.get_level_values(0), "day": grid.get_level_values(1),
        "window_mm": np.where(has_gauge, window_gauge, hourly_window),
        "prior_mm": np.where(np.isnan(prior_gauge), hourly_prior, prior_gauge),
        "observed_mm": np.where(has_gauge, window_gauge, o_mm),
        "forecast_mm": np.where(has_gauge, 0.0, f_mm),
        "observed_share": np.where(has_gauge, 1.0, np.round(o_n / HOURS, 4)),
        "missing_hours": np.where(has_gauge, 0, np.maximum(HOURS - o_n - f_n, 0)).astype(int),
        "window_source": np.where(has_gauge, "gauge", "hourly"),
    })  # fmt: skip
    return out[INPUT_COLUMNS]


def _take(sums: pd.DataFrame, index: pd.MultiIndex, column: str) -> np.ndarray:
    if sums.empty:
        return np.zeros(len(index))
    return sums[column].reindex(index).fillna(0).to_numpy(float)


def _gauge_series(gauge: pd.DataFrame) -> pd.Series:
    index = pd.MultiIndex.from_arrays([[], pd.DatetimeIndex([])], names=["location_id", "day"])
    if gauge.empty:
        return pd.Series([], index=index, dtype=float)
    frame = gauge.dropna(subset=["rain_mm"])
    keys = [frame["location_id"].astype(int), pd.to_datetime(frame["day"])]
    series = pd.Series(frame["rain_mm"].to_numpy(float), index=pd.MultiIndex.from_arrays(keys))
    return series[~series.index.duplicated()].rename_axis(["location_id", "day"])


def member_forecasts(members: pd.DataFrame) -> pd.DataFrame:
    """members: location_id, member, observed_at (hour end), precipitation_mm -> the forecast
    part of each window per member: index (location_id, day), one column per member."""
    if members.empty:
        return pd.DataFrame()
    sums = _sums(members, ["location_id", "day", "member"])["mm"]
    return sums.unstack("member").fillna(0.0)
