"""Synthetic flood_features frames for tests on ml/ directly (no database, no Dagster).

City rain follows a wet season; each location gets the city's rain with a little noise. Two
ground truths:
- "wet_spell": a flood needs the coming day's rain (unseen at issue time) on top of a wet
  antecedent spell (API), and low-lying locations flood more often. A model using the API and
  the locations' flood rates can beat ranking days by 2-day rain.
- "rain_2d": a location floods exactly when its 2-day rain passes a fixed amount, so ranking
  by 2-day rain is perfect and no model can beat it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from floodingnaque_pipeline.ml.features import API_DECAY, FEATURE_COLUMNS

LOCATIONS = 16


def synthetic_features(
    years: Sequence[int], *, truth: str = "wet_spell", seed: int = 0, locations: int = LOCATIONS
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.date_range(f"{min(years)}-01-01", f"{max(years)}-12-31", freq="D")
    days = days[days.year.isin(list(years))]
    wet = np.isin(days.month, [6, 7, 8, 9, 10]).astype(float)
    city = rng.gamma(0.5, 6.0 + 22.0 * wet) * (rng.random(len(days)) < 0.35 + 0.4 * wet)
    coming = 0.5 * np.roll(city, -1) + rng.gamma(0.4, 10.0 + 30.0 * wet, len(days))
    low_lying = rng.normal(0.0, 1.0, locations)
    frames = []
    for location in range(1, locations + 1):
        rain = city * rng.lognormal(0.0, 0.15, len(days))
        series = pd.Series(rain, index=days)
        frame = pd.DataFrame({"location_id": location, "day": days, "rain_1d_mm": rain})
        for n in (2, 3, 7):
            frame[f"rain_{n}d_mm"] = series.rolling(n, min_periods=1).sum().to_numpy()
        frame["api_mm"] = lfilter([1.0], [1.0, -API_DECAY], rain)
        frame["max_1h_mm"], frame["max_3h_mm"] = rain * 0.35, rain * 0.7
        frame["humidity_pct"] = 70 + 20 * wet + rng.normal(0, 3, len(days))
        frame["temperature_c"] = 29 - 2 * wet + rng.normal(0, 1, len(days))
        angle = 2 * np.pi * days.day_of_year / 365.25
        frame["doy_sin"], frame["doy_cos"] = np.sin(angle), np.cos(angle)
        frame["rain_source"] = "station:synthetic"
        if truth == "rain_2d":
            frame["label"] = (frame["rain_2d_mm"] >= 90.0).astype(float)
        else:
            latent = 0.02 * frame["api_mm"] + 0.03 * coming + 0.8 * low_lying[location - 1]
            frame["label"] = (latent + rng.normal(0, 0.3, len(days)) > 4.2).astype(float)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    return out[["location_id", "day", *FEATURE_COLUMNS, "rain_source", "label"]]
