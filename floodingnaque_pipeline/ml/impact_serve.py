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
    frame = hours.assign(day=_window_of(hours["observed_at"]))
    return frame.groupby(by)["precipitation_mm"].agg(mm=lambda v: v.fillna(0.0).sum(), n="count")


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
    obs, fc = _sums(observed, key), _sums(forecast, key)
    gauge_rain = {(int(r.location_id), pd.Timestamp(r.day)): float(r.rain_mm)
                  for r in gauge.itertuples() if pd.notna(r.rain_mm)}  # fmt: skip
    rows = []
    for location in location_ids:
        for day in days:
            d = pd.Timestamp(day)
            o_mm, o_n = _get(obs, (location, d))
            f_mm, f_n = _get(fc, (location, d))
            p_mm, _ = _get(obs, (location, d - pd.Timedelta(days=1)))
            window_gauge = gauge_rain.get((location, d + pd.Timedelta(days=1)))
            prior_gauge = gauge_rain.get((location, d))
            hourly_window, hourly_prior = o_mm + f_mm, p_mm
            if rain_map is not None:
                hourly_window, hourly_prior = rain_map.apply(np.array([o_mm + f_mm, p_mm]))
            if window_gauge is not None:
                rows.append((location, d, window_gauge, prior_gauge if prior_gauge is not None
                             else hourly_prior, window_gauge, 0.0, 1.0, 0, "gauge"))  # fmt: skip
                continue
            prior = prior_gauge if prior_gauge is not None else hourly_prior
            missing = max(HOURS - o_n - f_n, 0)
            rows.append((location, d, float(hourly_window), float(prior), o_mm, f_mm,
                         round(o_n / HOURS, 4), missing, "hourly"))  # fmt: skip
    return pd.DataFrame(rows, columns=INPUT_COLUMNS)


def member_forecasts(members: pd.DataFrame) -> pd.DataFrame:
    """members: location_id, member, observed_at (hour end), precipitation_mm -> the forecast
    part of each window per member: index (location_id, day), one column per member."""
    if members.empty:
        return pd.DataFrame()
    sums = _sums(members, ["location_id", "day", "member"])["mm"]
    return sums.unstack("member").fillna(0.0)


def _get(sums: pd.DataFrame, key: tuple) -> tuple[float, int]:
    if key in sums.index:
        row = sums.loc[key]
        return float(row["mm"]), int(row["n"])
    return 0.0, 0
