"""Served rain (ERA5 / forecast hours) against gauge rain, and a quantile map between them.

Training rows take their rain from PAGASA gauges; serving mostly has hourly weather. On days
where both exist (same location, same 24 h window before the issue time) `agreement` shows how
they differ, and `fit_quantile_map` learns a monotone correction: the served amount at
quantile q becomes the gauge amount at quantile q. Beyond the top quantile the ratio of the
top quantiles scales the value (storms are not capped). Fitted on the training years only
(the caller passes those pairs); the map travels with the model version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from floodingnaque_pipeline.domain.markdown import markdown_table
from floodingnaque_pipeline.ml.hourly import daily_from_hourly
from floodingnaque_pipeline.ml.stations import Site, station_daily

QUANTILES = np.linspace(0.0, 1.0, 51)[:-1].tolist() + [0.99, 0.995]
MIN_PAIRS = 60
HEAVY_MM = 30.0  # PAGASA's daily proxy for a Red day


@dataclass(frozen=True)
class QuantileMap:
    served: list[float]
    gauge: list[float]

    def apply(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, float)
        top_served, top_gauge = self.served[-1], self.gauge[-1]
        mapped = np.interp(values, self.served, self.gauge)
        if top_served > 0:
            above = values > top_served
            mapped[above] = values[above] * (top_gauge / top_served)
        return np.where(np.isnan(values), np.nan, mapped)

    def to_json(self) -> dict:
        return {"served": self.served, "gauge": self.gauge}

    @classmethod
    def from_json(cls, data: dict | None) -> QuantileMap | None:
        return None if not data else cls(list(data["served"]), list(data["gauge"]))


def pair_days(hourly_daily: pd.DataFrame, gauge_daily: pd.DataFrame) -> pd.DataFrame:
    """(location, day) where both a gauge value and an hourly sum exist."""
    key = ["location_id", "day"]
    if hourly_daily.empty or gauge_daily.empty:
        return pd.DataFrame(columns=[*key, "gauge_mm", "served_mm"])
    served = hourly_daily[[*key, "rain_mm"]].rename(columns={"rain_mm": "served_mm"})
    gauge = gauge_daily[[*key, "rain_mm"]].rename(columns={"rain_mm": "gauge_mm"})
    served["location_id"] = served["location_id"].astype(int)
    gauge["location_id"] = gauge["location_id"].astype(int)
    return gauge.merge(served, on=key).dropna()


def fit_quantile_map(pairs: pd.DataFrame) -> QuantileMap | None:
    if len(pairs) < MIN_PAIRS:
        return None
    served = np.quantile(pairs["served_mm"].to_numpy(float), QUANTILES)
    gauge = np.quantile(pairs["gauge_mm"].to_numpy(float), QUANTILES)
    served = np.maximum.accumulate(served + np.arange(len(served)) * 1e-9)  # strictly rising
    return QuantileMap(np.round(served, 6).tolist(), np.round(gauge, 4).tolist())


def agreement(pairs: pd.DataFrame, mapping: QuantileMap | None = None) -> dict:
    """How served rain compares with gauge rain on the paired days (and after the map)."""
    if pairs.empty:
        return {"paired_days": 0}
    gauge, served = pairs["gauge_mm"].to_numpy(float), pairs["served_mm"].to_numpy(float)
    out = {"paired_days": int(len(pairs))}
    variants = {"served": served}
    if mapping is not None:
        variants["mapped"] = mapping.apply(served)
    heavy = gauge >= HEAVY_MM
    out["gauge"] = _summary(gauge, gauge, heavy)
    for name, values in variants.items():
        out[name] = _summary(values, gauge, heavy)
    return out


def _summary(values: np.ndarray, gauge: np.ndarray, heavy: np.ndarray) -> dict:
    both = np.std(values) > 0 and np.std(gauge) > 0
    return {
        "mean_mm": round(float(values.mean()), 2),
        "p90_mm": round(float(np.quantile(values, 0.9)), 1),
        "p99_mm": round(float(np.quantile(values, 0.99)), 1),
        "correlation": round(float(np.corrcoef(values, gauge)[0, 1]), 3) if both else None,
        f"gauge_heavy_days_also_>=_{HEAVY_MM:g}mm": f"{int((values[heavy] >= HEAVY_MM).sum())}"
        f"/{int(heavy.sum())}",
    }


def agreement_md(summary: dict) -> str:
    if not summary.get("paired_days"):
        return "No day has both gauge rain and served (hourly) rain."
    names = [k for k in ("gauge", "served", "mapped") if k in summary]
    keys = list(summary["gauge"])
    rows = [[k, *(summary[n][k] for n in names)] for k in keys]
    table = markdown_table(["", *names], rows)
    return f"{table}\n\n{summary['paired_days']} paired location-days (same 24 h window)."


def fit_on_years_before(
    hourly: pd.DataFrame,
    observations: pd.DataFrame,
    locations: Sequence[Site],
    stations: Sequence[Site],
    first_test_year: int | None,
) -> tuple[QuantileMap | None, dict]:
    """The map from pairs before `first_test_year` (all pairs when None), and the agreement
    on every pair before and after mapping (so the correction can be judged)."""
    pairs = pair_days(daily_from_hourly(hourly), station_daily(observations, locations, stations))
    fit_pairs = pairs
    if first_test_year is not None and not pairs.empty:
        fit_pairs = pairs[pd.to_datetime(pairs["day"]).dt.year < first_test_year]
    mapping = fit_quantile_map(fit_pairs)
    return mapping, agreement(pairs, mapping) | {"fitted_on_pairs": int(len(fit_pairs))}
