"""Daily feature rows per (location, day): rain windows, API, intensity, season.

Every window ends at the day's issue time, 08:00 Manila (ml/issue.py): "rain_1d" is the 24 h
before it, "rain_2d" the 48 h, and so on. Daily rain comes from the nearest station gauge when
one covers the window (ERA5 badly underestimates local peaks), else from hourly weather
(weather_data, plus weather_forecast when predicting), optionally corrected by a quantile map
fitted against the gauges (ml/rain_match.py); `rain_source` says which ('station:<slug>' /
'weather_data:<source>'). Peak 1 h / 3 h intensity only exists where hourly data exist.
Pure: no Dagster, no database. Training and serving both call `build_features`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from floodingnaque_pipeline.ml.hourly import daily_from_hourly
from floodingnaque_pipeline.ml.rain_match import QuantileMap
from floodingnaque_pipeline.ml.stations import Site, station_daily

API_DECAY = 0.85  # antecedent precipitation index: API_t = k * API_(t-1) + rain_t
FEATURE_COLUMNS = [
    "rain_1d_mm", "rain_2d_mm", "rain_3d_mm", "rain_7d_mm", "api_mm", "max_1h_mm", "max_3h_mm",
    "humidity_pct", "temperature_c", "doy_sin", "doy_cos",
]  # fmt: skip
ROW_COLUMNS = ["location_id", "day", *FEATURE_COLUMNS, "rain_source"]


def combine_daily(hourly_daily: pd.DataFrame, gauge_daily: pd.DataFrame) -> pd.DataFrame:
    """Station rain where a gauge covers the day, else the hourly sum; peaks from hourly."""
    key = ["location_id", "day"]
    hourly = hourly_daily.set_index(key)
    gauge = gauge_daily.set_index(key)
    index = hourly.index.union(gauge.index)
    hourly, gauge = hourly.reindex(index), gauge.reindex(index)
    has_gauge = gauge["rain_mm"].notna()
    out = pd.DataFrame(index=index)
    out["rain_1d_mm"] = gauge["rain_mm"].where(has_gauge, hourly["rain_mm"])
    for column in ("humidity_pct", "temperature_c"):  # same source as the rain, else the other
        chosen = gauge[column].where(has_gauge, hourly[column])
        out[column] = chosen.fillna(hourly[column]).fillna(gauge[column])
    out["max_1h_mm"] = hourly["max_1h_mm"]
    out["max_3h_mm"] = hourly["max_3h_mm"]
    out["rain_source"] = np.where(
        has_gauge,
        "station:" + gauge["station"].astype(str),
        # forecast hours arrive already tagged "weather_forecast:<source>" (flood_risk)
        np.where(
            hourly["source"].astype(str).str.contains(":"),
            hourly["source"].astype(str),
            "weather_data:" + hourly["source"].astype(str),
        ),
    )
    numeric = ["rain_1d_mm", "humidity_pct", "temperature_c", "max_1h_mm", "max_3h_mm"]
    out[numeric] = out[numeric].astype(float)  # an empty side would leave object columns
    out = out[out["rain_1d_mm"].notna()]
    return out.reset_index()


def _windows(one_location: pd.DataFrame) -> pd.DataFrame:
    """Rolling sums over a continuous calendar (a missing day counts as no rain)."""
    frame = one_location.set_index("day").sort_index()
    calendar = pd.date_range(frame.index.min(), frame.index.max(), freq="D")
    rain = frame["rain_1d_mm"].reindex(calendar).fillna(0.0)
    out = pd.DataFrame(index=calendar)
    for days in (2, 3, 7):
        out[f"rain_{days}d_mm"] = rain.rolling(days, min_periods=1).sum()
    # lazy import: the code location loads without it (issue 21 item 6)
    from scipy.signal import lfilter

    out["api_mm"] = lfilter([1.0], [1.0, -API_DECAY], rain.to_numpy())
    return frame.join(out, how="left")


def build_features(
    hourly: pd.DataFrame,
    observations: pd.DataFrame,
    locations: Sequence[Site],
    stations: Sequence[Site],
    rain_map: QuantileMap | None = None,
) -> pd.DataFrame:
    """hourly: location_id, observed_at (UTC hour end), source, precipitation_mm, temperature_c,
    relative_humidity_pct. observations: PAGASA rows. One row per (location, day) with rain.
    rain_map: corrects hourly-sum rain toward the gauges' distribution (None: as served)."""
    served = daily_from_hourly(hourly)
    if rain_map is not None and not served.empty:
        served = served.assign(rain_mm=rain_map.apply(served["rain_mm"].to_numpy(float)))
    combined = combine_daily(served, station_daily(observations, locations, stations))
    if combined.empty:
        return pd.DataFrame(columns=ROW_COLUMNS)
    parts = [
        _windows(group).assign(location_id=location_id).rename_axis("day").reset_index()
        for location_id, group in combined.groupby("location_id")
    ]
    rows = pd.concat(parts, ignore_index=True)
    angle = 2 * np.pi * rows["day"].dt.day_of_year / 365.25
    rows["doy_sin"], rows["doy_cos"] = np.sin(angle), np.cos(angle)
    rows["location_id"] = rows["location_id"].astype(int)
    return rows[ROW_COLUMNS].sort_values(["location_id", "day"]).reset_index(drop=True)
