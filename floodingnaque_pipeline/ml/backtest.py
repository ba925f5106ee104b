"""Backtest on archived forecasts: what the risk would have said, replayed over labelled days.

For every labelled day D and two issue times — 08:00 on D and 20:00 on D-1 (Manila) — the
window of D (08:00 D -> 08:00 D+1) and its prior (the 24 h before) are rebuilt from what was
known then (ml/impact_serve.window_inputs): observed hours up to the issue time, gauge rows
already printed (row R is known at 08:00 R+1), and for every later hour the archived forecast
of the newest run issued at or before the issue time. The day is scored by a model that never
saw its year (leave-one-year-out fold models) and by the same-information baselines fed the
same forecast rain; the observed-rain evaluation of the same days and models is reported
beside it. Days whose window the archive does not cover are left out (and counted).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import pandas as pd

from floodingnaque_pipeline.domain.time import MANILA
from floodingnaque_pipeline.ml.impact import ImpactModel, fit_impact
from floodingnaque_pipeline.ml.impact_eval import baseline_scores, compare_impact
from floodingnaque_pipeline.ml.impact_serve import window_inputs
from floodingnaque_pipeline.ml.inner import TooFewFloods

REPLAYS = {"08:00 on D": (0, 8), "20:00 on D-1": (-1, 20)}  # (day offset, Manila hour)


def issue_instant(day: date, offset: int, hour: int) -> pd.Timestamp:
    local = datetime.combine(day + timedelta(days=offset), time(hour), MANILA)
    return pd.Timestamp(local).tz_convert("UTC")


def _by_window_day(hours: pd.DataFrame, column: str) -> dict[pd.Timestamp, pd.DataFrame]:
    """Hours grouped by the Manila day whose window (08:00 -> 08:00) holds them."""
    if hours.empty:
        return {}
    local = (hours[column] - pd.Timedelta(hours=1 + 8)).dt.tz_convert(MANILA)
    key = local.dt.tz_localize(None).dt.normalize()
    return dict(tuple(hours.groupby(key)))


def known_forecast(archived: list[pd.DataFrame], at: pd.Timestamp) -> pd.DataFrame:
    """Hours after `at` as forecast by the newest run issued at or before `at`."""
    frames = [f for f in archived if not f.empty]
    if not frames:
        return pd.DataFrame(columns=["location_id", "observed_at", "precipitation_mm"])
    hours = pd.concat(frames)
    hours = hours[(hours["valid_at"] > at) & (hours["issued_at"] <= at)]
    hours = hours.sort_values("issued_at").drop_duplicates(["location_id", "valid_at"], keep="last")
    return hours.rename(columns={"valid_at": "observed_at"})[
        ["location_id", "observed_at", "precipitation_mm"]
    ]


def fold_models(labelled: pd.DataFrame) -> dict[int, ImpactModel]:
    """Per labelled year: the impact model fitted on every OTHER labelled year."""
    years = labelled["day"].dt.year
    out = {}
    for year in sorted(years.unique()):
        try:
            out[int(year)] = fit_impact(labelled[years != year])
        except TooFewFloods:
            continue
    return out


def replay(
    labelled: pd.DataFrame,
    observed: pd.DataFrame,
    archived: pd.DataFrame,
    gauge: pd.DataFrame,
    models: dict[int, ImpactModel],
    replays: Sequence[str] = tuple(REPLAYS),
) -> dict:
    """labelled: impact rows (location_id, day, window_mm, prior_mm, label) with the observed
    window; observed: weather_data hours; archived: location_id, valid_at, precipitation_mm,
    lead_day, issued_at; gauge: station_daily rows (feature days)."""
    obs_by_day = _by_window_day(observed, "observed_at")
    arch_by_day = _by_window_day(archived, "valid_at")
    ids = sorted(int(i) for i in labelled["location_id"].unique())
    labelled = labelled[labelled["day"].dt.year.isin(list(models))]
    out = {}
    for name in replays:
        offset, hour = REPLAYS[name]
        parts, skipped = [], 0
        for day in sorted(labelled["day"].unique()):
            day = pd.Timestamp(day)
            if day not in arch_by_day:
                skipped += 1
                continue
            at = issue_instant(day.date(), offset, hour)
            near = [day - pd.Timedelta(days=1), day]
            seen = [obs_by_day[d] for d in near if d in obs_by_day]
            hours = pd.concat(seen) if seen else observed.iloc[:0]
            hours = hours[hours["observed_at"] <= at]
            forecast = known_forecast([arch_by_day.get(d, archived.iloc[:0]) for d in near], at)
            printed = gauge[
                pd.to_datetime(gauge["day"]) <= pd.Timestamp(at.tz_convert(MANILA).date())
            ]
            parts.append(window_inputs(hours, forecast, printed, ids, [day.date()]))
        if not parts:
            out[name] = {"days": 0, "skipped_days": skipped}
            continue
        inputs = pd.concat(parts, ignore_index=True)
        out[name] = _scored(labelled, inputs, models) | {"skipped_days": skipped}
    return out


def _scored(labelled: pd.DataFrame, inputs: pd.DataFrame, models: dict[int, ImpactModel]) -> dict:
    merged = labelled.merge(inputs[["location_id", "day", "window_mm", "prior_mm",
                                    "observed_share"]],
                            on=["location_id", "day"], suffixes=("_observed", ""))  # fmt: skip
    forecast, observed = [], []
    for year, rows in merged.groupby(merged["day"].dt.year):
        model = models[int(year)]
        forecast.append(rows.assign(model=model.predict(rows), **baseline_scores(rows)))
        seen = rows.assign(window_mm=rows["window_mm_observed"], prior_mm=rows["prior_mm_observed"])
        observed.append(seen.assign(model=model.predict(seen), **baseline_scores(seen)))
    return {
        "days": int(merged["day"].nunique()),
        "mean_observed_share": round(float(merged["observed_share"].mean()), 4),
        "forecast_rain": compare_impact(pd.concat(forecast, ignore_index=True)),
        "observed_rain": compare_impact(pd.concat(observed, ignore_index=True)),
    }
