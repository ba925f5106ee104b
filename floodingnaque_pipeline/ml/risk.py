"""Risk levels: calibrated model probability, raised by PAGASA's rainfall-warning rules.

Rules on observed or forecast hourly rain of the day (PAGASA heavy rainfall warnings):
Yellow >= 7.5 mm/h -> at least Alert (PAGASA's Yellow text is "flooding possible in low-lying
areas", which is all of coastal Parañaque); Orange >= 15 mm/h -> at least Alert; Red >= 30 mm/h
or >= 65 mm in 3 h -> Critical. The model's level comes from thresholds chosen on held-out days
(model_versions.thresholds). The final level is the higher of the two; every reason is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from floodingnaque_pipeline.domain.time import MANILA_TZ_NAME
from floodingnaque_pipeline.ml.hourly import manila_day, with_3h_sums

SAFE, ALERT, CRITICAL = 0, 1, 2
LEVEL_NAMES = {SAFE: "Safe", ALERT: "Alert", CRITICAL: "Critical"}
YELLOW_MM_H, ORANGE_MM_H, RED_MM_H, RED_MM_3H = 7.5, 15.0, 30.0, 65.0
NO_MODEL = "no current model: the PAGASA rainfall rules alone decide"


@dataclass(frozen=True)
class Peak:
    max_1h_mm: float
    max_3h_mm: float
    at: str  # local time and kind of the wettest hour, e.g. "14:00 forecast"


@dataclass
class Decision:
    level: int = SAFE
    probability: float | None = None
    reasons: list[str] = field(default_factory=list)
    inputs: dict = field(default_factory=dict)  # what the level was decided from (stored)
    observed_share: float | None = None  # of the day's window, 08:00 D -> 08:00 D+1

    def raise_to(self, level: int, reason: str) -> None:
        self.level = max(self.level, level)
        self.reasons.append(reason)


def peaks(hourly: pd.DataFrame) -> dict[tuple[int, pd.Timestamp], Peak]:
    """hourly: deduplicated hours (location_id, observed_at, precipitation_mm, kind)."""
    if hourly.empty:
        return {}
    frame = with_3h_sums(hourly.sort_values(["location_id", "observed_at"]).reset_index(drop=True))
    frame["day"] = manila_day(frame["observed_at"])
    frame["rain"] = frame["precipitation_mm"].fillna(0.0)
    grouped = frame.groupby(["location_id", "day"])
    wettest = frame.loc[grouped["rain"].idxmax().to_numpy()]  # one row per (location, day)
    three = grouped["rain_3h_mm"].max().to_numpy()
    starts = (wettest["observed_at"] - pd.Timedelta(hours=1)).dt.tz_convert(MANILA_TZ_NAME)
    at = starts.dt.strftime("%H:%M") + " local, " + wettest["kind"].astype(str)
    return {
        (int(loc), day): Peak(float(one), float(three_h), where)
        for loc, day, one, three_h, where in zip(wettest["location_id"], wettest["day"],
                                                 wettest["rain"], three, at, strict=True)
    }  # fmt: skip


def apply_rules(decision: Decision, peak: Peak | None) -> None:
    if peak is None:
        decision.reasons.append("no hourly rain data for this day: rules not applied")
        return
    one, three = peak.max_1h_mm, peak.max_3h_mm
    if one >= RED_MM_H:
        decision.raise_to(CRITICAL, f"PAGASA Red rule: {one:.1f} mm in one hour "
                                    f"(>= {RED_MM_H:g} mm/h) from {peak.at}")  # fmt: skip
    if three >= RED_MM_3H:
        decision.raise_to(CRITICAL, f"PAGASA Red rule: {three:.1f} mm in 3 hours "
                                    f"(>= {RED_MM_3H:g} mm/3 h)")  # fmt: skip
    if one < RED_MM_H and one >= YELLOW_MM_H:
        colour, limit = ("Orange", ORANGE_MM_H) if one >= ORANGE_MM_H else ("Yellow", YELLOW_MM_H)
        decision.raise_to(ALERT, f"PAGASA {colour} rule: {one:.1f} mm in one hour "
                                 f"(>= {limit:g} mm/h) from {peak.at}")  # fmt: skip
    if decision.level == SAFE:
        decision.reasons.append(f"rain below PAGASA Yellow ({YELLOW_MM_H:g} mm/h): wettest hour "
                                f"{one:.1f} mm, wettest 3 h {three:.1f} mm")  # fmt: skip


def rule_name(peak: Peak | None) -> str:
    """The highest PAGASA rule the day's hours reach ('none' below Yellow, 'no data')."""
    if peak is None:
        return "no data"
    if peak.max_1h_mm >= RED_MM_H or peak.max_3h_mm >= RED_MM_3H:
        return "Red"
    if peak.max_1h_mm >= ORANGE_MM_H:
        return "Orange"
    return "Yellow" if peak.max_1h_mm >= YELLOW_MM_H else "none"


def apply_model(
    decision: Decision, probability: float, thresholds: dict, version: str, why: str = ""
) -> None:
    """why: the inputs in words, e.g. "(window rain 45 mm = 12 observed + 33 forecast, ...)"."""
    decision.probability = round(float(np.clip(probability, 0.0, 1.0)), 4)
    p, alert, critical = decision.probability, thresholds["alert"], thresholds["critical"]
    said = f"model {version}: p={p:.3f}{f' {why}' if why else ''}"
    if p >= critical:
        decision.raise_to(CRITICAL, f"{said} >= Critical threshold {critical:.3f}")
    elif p >= alert:
        decision.raise_to(ALERT, f"{said} >= Alert threshold {alert:.3f}")
    else:
        decision.reasons.append(f"{said} below Alert threshold {alert:.3f}")
