"""Today's and tomorrow's risk per location from observed + forecast hours. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from floodingnaque_pipeline.ml.features import build_features
from floodingnaque_pipeline.ml.hourly import dedupe_hours
from floodingnaque_pipeline.ml.risk import NO_MODEL, Decision, apply_model, apply_rules, peaks
from floodingnaque_pipeline.ml.served import ServedModel
from floodingnaque_pipeline.ml.stations import Site

FORECAST_PREFIX = "weather_forecast:"


def combine_hours(observed: pd.DataFrame, forecast: pd.DataFrame) -> pd.DataFrame:
    """Observed hours (kind 'observed') then forecast hours tagged with their table."""
    observed = dedupe_hours(observed).assign(kind="observed")
    forecast = dedupe_hours(forecast).assign(kind="forecast")
    forecast["source"] = FORECAST_PREFIX + forecast["source"].astype(str)
    frames = [f for f in (observed, forecast) if not f.empty]
    if not frames:
        return observed
    return pd.concat(frames, ignore_index=True).sort_values(["location_id", "observed_at"])


def decide_days(
    hours: pd.DataFrame,
    observations: pd.DataFrame,
    locations: Sequence[Site],
    stations: Sequence[Site],
    days: Sequence[date],
    model: ServedModel | None,
) -> dict[tuple[int, date], Decision]:
    """model: a ServedModel (or None). Day D's row holds data up to D's issue time (08:00
    Manila); hours not yet observed come from the forecast (ml/issue.py)."""
    rain_map = model.rain_map if model is not None else None  # as the model was trained
    rows = build_features(hours, observations, locations, stations, rain_map)
    by_key = {(int(r.location_id), r.day.date()): r for r in rows.itertuples(index=False)}
    peak_by_key = {(loc, day.date()): p for (loc, day), p in peaks(hours).items()}
    probabilities: dict[tuple[int, date], float] = {}
    wanted = [(int(s.key), d) for s in locations for d in days]
    if model is not None:
        present = [k for k in wanted if k in by_key]
        if present:
            frame = pd.DataFrame([by_key[k]._asdict() for k in present])
            p = model.probabilities(frame)
            probabilities = dict(zip(present, p.tolist(), strict=True))
    decisions: dict[tuple[int, date], Decision] = {}
    for key in wanted:
        decision = Decision()
        if model is None:
            decision.reasons.append(NO_MODEL)
        elif key in probabilities:
            apply_model(decision, probabilities[key], model.thresholds, model.version)
        else:
            decision.reasons.append(f"model {model.version}: no rain data for the day, not applied")
        apply_rules(decision, peak_by_key.get(key))
        decisions[key] = decision
    return decisions
