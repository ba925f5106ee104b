"""Today's and tomorrow's risk per location from the window's observed + forecast rain. Pure.

The impact model (ml/impact.py) reads each day's window rain (08:00 D -> 08:00 D+1) as known
now: observed hours so far plus forecast hours for the rest (ml/impact_serve.py). With
ensemble members the probability is the mean over members of P(flood | member's rain) and the
spread (p10 / p90 of the members' probabilities) is kept; without them the deterministic
forecast is used and the row says so. PAGASA's hourly rules on the Manila day's hours raise
the level on top (ml/risk.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from floodingnaque_pipeline.ml.hourly import dedupe_hours
from floodingnaque_pipeline.ml.impact_serve import member_forecasts, window_inputs
from floodingnaque_pipeline.ml.risk import (
    NO_MODEL,
    Decision,
    apply_model,
    apply_rules,
    peaks,
    rule_name,
)
from floodingnaque_pipeline.ml.served import ServedModel
from floodingnaque_pipeline.ml.stations import Site, station_daily

FORECAST_PREFIX = "weather_forecast:"
NO_ENSEMBLE = "deterministic forecast (ensemble unavailable)"


def combine_hours(observed: pd.DataFrame, forecast: pd.DataFrame) -> pd.DataFrame:
    """Observed hours (kind 'observed') then forecast hours tagged with their table."""
    observed = dedupe_hours(observed).assign(kind="observed")
    forecast = dedupe_hours(forecast).assign(kind="forecast")
    forecast["source"] = FORECAST_PREFIX + forecast["source"].astype(str)
    frames = [f for f in (observed, forecast) if not f.empty]
    if not frames:
        return observed
    return pd.concat(frames, ignore_index=True).sort_values(["location_id", "observed_at"])


def _member_probabilities(
    model: ServedModel, inputs: pd.DataFrame, members: pd.DataFrame
) -> np.ndarray | None:
    """(rows x members) P(flood) with each member's forecast part, or None without members."""
    parts = member_forecasts(members)
    if parts.empty:
        return None
    key = pd.MultiIndex.from_arrays([inputs["location_id"], inputs["day"]])
    per_member = parts.reindex(key).to_numpy(float)  # NaN: the member misses this window
    out = np.full(per_member.shape, np.nan)
    hourly = (inputs["window_source"] == "hourly").to_numpy()
    for m in range(per_member.shape[1]):
        # a member that does not reach this window leaves it to the deterministic forecast
        part = np.where(np.isnan(per_member[:, m]), inputs["forecast_mm"], per_member[:, m])
        rain = inputs["observed_mm"].to_numpy(float) + part
        if model.rain_map is not None:
            rain = model.rain_map.apply(rain)
        rain = np.where(hourly, rain, inputs["window_mm"].to_numpy(float))
        out[:, m] = model.probabilities(inputs.assign(window_mm=rain))
    return out


def _why(row, propensity: float, source: str) -> str:
    if row.window_source == "gauge":
        rain = f"window rain {row.window_mm:.1f} mm (gauge)"
    else:
        rain = (
            f"window rain {row.window_mm:.1f} mm = {row.observed_mm:.1f} observed "
            f"({row.observed_share:.0%} of the window) + {row.forecast_mm:.1f} {source}"
        )
    return f"({rain}, prior 24 h {row.prior_mm:.1f} mm, barangay propensity {propensity:.4f})"


def decide_days(
    observed: pd.DataFrame,
    forecast: pd.DataFrame,
    observations: pd.DataFrame,
    locations: Sequence[Site],
    stations: Sequence[Site],
    days: Sequence[date],
    model: ServedModel | None,
    members: pd.DataFrame | None = None,
    no_model_reason: str = NO_MODEL,
) -> dict[tuple[int, date], Decision]:
    """observed: weather_data hours up to now; forecast: forecast hours after now; members:
    ensemble hours (location_id, member, observed_at, precipitation_mm); None or empty when
    the ensemble pull is missing or failed (the deterministic forecast is used, and said)."""
    hours = combine_hours(observed, forecast)
    peak_by_key = {(loc, day.date()): p for (loc, day), p in peaks(hours).items()}
    ids = [int(s.key) for s in locations]
    gauge = station_daily(observations, locations, stations)
    split = {k: hours[hours["kind"] == k] if not hours.empty else hours
             for k in ("observed", "forecast")}  # fmt: skip
    rain_map = model.rain_map if model is not None else None
    inputs = window_inputs(split["observed"], split["forecast"], gauge, ids, days, rain_map)
    p_det = model.probabilities(inputs) if model is not None else None
    ensemble = None
    if model is not None and members is not None and not members.empty:
        ensemble = _member_probabilities(model, inputs, members)
    source = NO_ENSEMBLE if ensemble is None else f"ensemble of {ensemble.shape[1]} members"
    decisions: dict[tuple[int, date], Decision] = {}
    for i, row in enumerate(inputs.itertuples(index=False)):
        key = (int(row.location_id), row.day.date())
        peak = peak_by_key.get(key)
        decision = Decision(observed_share=float(row.observed_share))
        decision.inputs = {
            "rain_so_far_mm": round(float(row.observed_mm), 2),
            "forecast_rain_mm": round(float(row.forecast_mm), 2),
            "window_rain_mm": round(float(row.window_mm), 2),
            "prior_rain_mm": round(float(row.prior_mm), 2),
            "window_source": row.window_source, "missing_hours": int(row.missing_hours),
            "rule": rule_name(peak), "forecast": source,
        }  # fmt: skip
        if model is None:
            decision.reasons.append(no_model_reason)
        else:
            p = float(p_det[i])
            if ensemble is not None and np.isfinite(ensemble[i]).any():
                spread = ensemble[i][np.isfinite(ensemble[i])]
                p = float(spread.mean())
                decision.inputs |= {"members": int(len(spread)),
                                    "p10": round(float(np.percentile(spread, 10)), 4),
                                    "p90": round(float(np.percentile(spread, 90)), 4)}  # fmt: skip
            propensity = model.propensity_of(key[0])
            decision.inputs |= {"propensity": propensity, "model_version": model.version}
            apply_model(decision, p, model.thresholds, model.version,
                        _why(row, propensity, source))  # fmt: skip
            decision.inputs["probability"] = decision.probability
        if source == NO_ENSEMBLE and model is not None:
            decision.reasons.append("ensemble forecast unavailable: deterministic forecast used")
        apply_rules(decision, peak)
        decisions[key] = decision
    return decisions
