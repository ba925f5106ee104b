"""Synthetic flood_features frames where the impact model's answer is known.

City rain per PAGASA row (08:00 D -> 08:00 D+1) with a wet season; every barangay sees it
(one gauge). A barangay floods on day D with probability sigmoid(SLOPE * log1p(window rain
of D) + logit(its propensity) - OFFSET): the rain says *when*, the propensity *where*.
`propensity_spread=0` gives barangays that do not differ, where raw rain is as good as any
model at barangay-day. Rows are shaped like flood_features: rain_1d_mm of feature day D+1 is
row D (ml/issue.py), so window(L, D) sits in the row of D+1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from floodingnaque_pipeline.ml.features import FEATURE_COLUMNS

SLOPE, OFFSET = 3.0, 13.0


def known_propensities(locations: int, spread: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed + 100)
    logits = np.log(0.3) + spread * rng.normal(0.0, 1.0, locations)
    return 1.0 / (1.0 + np.exp(-logits))


def impact_features(
    years: Sequence[int], *, locations: int = 16, spread: float = 1.2, seed: int = 0
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.date_range(f"{min(years)}-01-01", f"{max(years) + 1}-01-01", freq="D")
    wet = np.isin(days.month, [6, 7, 8, 9, 10])
    rows_rain = rng.gamma(0.5, 8.0 + 30.0 * wet) * (rng.random(len(days)) < 0.3 + 0.4 * wet)
    propensity = known_propensities(locations, spread, seed)
    frames = []
    for location in range(1, locations + 1):
        logit_p = np.log(propensity[location - 1] / (1 - propensity[location - 1]))
        z = SLOPE * np.log1p(rows_rain) + logit_p - OFFSET
        flooded = rng.random(len(days)) < 1 / (1 + np.exp(-z))
        frame = pd.DataFrame({"location_id": location, "day": days})
        # feature day D holds row D-1: the window of day D is in the feature row of D+1
        frame["rain_1d_mm"] = np.r_[0.0, rows_rain[:-1]]
        for column in FEATURE_COLUMNS:
            if column != "rain_1d_mm":
                frame[column] = np.nan  # the impact model reads rain_1d_mm only
        angle = 2 * np.pi * days.day_of_year / 365.25
        frame["doy_sin"], frame["doy_cos"] = np.sin(angle), np.cos(angle)  # NOT NULL columns
        frame["rain_source"] = "station:naia"
        labelled = frame["day"].dt.year.isin(list(years))
        frame["label"] = np.where(labelled, flooded.astype(float), np.nan)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
