"""The impact model against baselines given the same information, with week-bootstrap noise.

Baselines see the same window as the model (ml/impact.py) and nothing about barangays:
- "rule": PAGASA's daily proxy on the same-day rain, max(window / 30 mm, (prior + window) /
  65 mm) (fires at 1);
- "row_d": NAIA (the location's gauge) row dated D, i.e. the window rain;
- "rows_d1_d": rows D-1 + D, i.e. prior + window.
Every scorer is read per barangay-day and per city-day (label: a flood anywhere; score: the
highest barangay's). Noise: the test days are cut into calendar weeks and the weeks resampled
with replacement (BOOT_REPS times, seeded); a storm's days stay together. Intervals are the
2.5 / 97.5 percentiles; the paired difference (model - best baseline) is taken on the SAME
resampled weeks, so both sides share the luck of the draw.

Currency rule (`verdict`): the model may become current when
- city-day: the 95 % interval of AP(model) - AP(best baseline) reaches 0 or above (the model
  is not below the best baseline by more than the noise), and
- barangay-day: AP(model) >= BARANGAY_FACTOR x AP(best baseline) (raw rain scores every
  barangay of a day alike; the model must say *where*).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from floodingnaque_pipeline.ml import evaluate as ev

BASELINES = ("rule", "row_d", "rows_d1_d")
SCORERS = ("model", *BASELINES)
NAMES = {"model": "impact model", "rule": "PAGASA rule (same day)", "row_d": "NAIA row D",
         "rows_d1_d": "NAIA rows D-1 + D"}  # fmt: skip
RULE_DAY_MM, RULE_2DAY_MM = 30.0, 65.0
BOOT_REPS = 200
BARANGAY_FACTOR = 1.2
LEVELS = ("city_day", "barangay_day")


def baseline_scores(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    window = np.nan_to_num(rows["window_mm"].to_numpy(float))
    prior = np.nan_to_num(rows["prior_mm"].to_numpy(float))
    rule = np.maximum(window / RULE_DAY_MM, (prior + window) / RULE_2DAY_MM)
    return {"rule": rule, "row_d": window, "rows_d1_d": prior + window}


def fast_ap(y: np.ndarray, score: np.ndarray) -> float:
    """average_precision_score (ties form one threshold), without sklearn's overhead."""
    order = np.argsort(-score, kind="mergesort")
    y, score = y[order], score[order]
    last = np.r_[score[1:] != score[:-1], True]
    hits = np.cumsum(y)[last]
    if hits[-1] == 0:
        return float("nan")
    precision = hits / (np.flatnonzero(last) + 1)
    recall = hits / hits[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def fast_auc(y: np.ndarray, score: np.ndarray) -> float:
    n1 = int(y.sum())
    n0 = len(y) - n1
    if not n1 or not n0:
        return float("nan")
    # lazy import: the code location loads without it (issue 21 item 6)
    from scipy.stats import rankdata

    ranks = rankdata(score)
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _levels(test: pd.DataFrame) -> dict[str, pd.DataFrame]:
    city = ev.city_days(test, list(SCORERS))
    return {"city_day": city, "barangay_day": test[["day", "label", *SCORERS]]}


def _week_index(days: pd.Series) -> list[np.ndarray]:
    week = days.dt.to_period("W").astype(str).to_numpy()
    return [np.flatnonzero(week == w) for w in pd.unique(week)]


def _round(v: float) -> float | None:
    return None if not np.isfinite(v) else round(float(v), 4)


def _interval(values: np.ndarray) -> list[float | None]:
    values = values[np.isfinite(values)]
    if not len(values):
        return [None, None]
    return [_round(np.percentile(values, 2.5)), _round(np.percentile(values, 97.5))]


def level_metrics(frame: pd.DataFrame, seed: int = 0) -> dict:
    y = frame["label"].to_numpy(int)
    scores = {s: frame[s].to_numpy(float) for s in SCORERS}
    out = {s: {"ap": _round(fast_ap(y, v)), "roc_auc": _round(fast_auc(y, v))}
           for s, v in scores.items()}  # fmt: skip
    best = max(BASELINES, key=lambda s: out[s]["ap"] or 0.0)
    weeks = _week_index(frame["day"].reset_index(drop=True))
    rng = np.random.default_rng(seed)
    boot = {s: np.full((BOOT_REPS, 2), np.nan) for s in SCORERS}
    for rep in range(BOOT_REPS):
        take = np.concatenate([weeks[i] for i in rng.integers(0, len(weeks), len(weeks))])
        for s, v in scores.items():
            boot[s][rep] = fast_ap(y[take], v[take]), fast_auc(y[take], v[take])
    for s in SCORERS:
        out[s]["ap_ci"], out[s]["roc_auc_ci"] = _interval(boot[s][:, 0]), _interval(boot[s][:, 1])
    difference = boot["model"][:, 0] - boot[best][:, 0]
    out["best_baseline"] = best
    out["model_minus_best_ap_ci"] = _interval(difference)
    out["rows"], out["positives"] = int(len(y)), int(y.sum())
    return out


def false_alerts_at_rule_recall(levels: dict[str, pd.DataFrame]) -> dict:
    """Per level: the rule's recall when it fires (ratio >= 1), and every scorer's false
    alerts (days / barangay-days) at the highest threshold reaching that recall."""
    out = {}
    for level, frame in levels.items():
        y = frame["label"].to_numpy(int)
        months = ev.months_of(frame["day"])
        recall = ev.at_threshold(y, frame["rule"].to_numpy(float), 1.0, months)["recall"]
        row = {"rule_recall": recall}
        for s in SCORERS:
            score = frame[s].to_numpy(float)
            threshold = ev.threshold_for_recall(y, score, recall) if recall > 0 else np.inf
            row[s] = ev.at_threshold(y, score, threshold, months)["false_alerts"]
        out[level] = row
    return out


def compare_impact(test: pd.DataFrame, seed: int = 0) -> dict:
    """test: barangay-days with day, label, model and the BASELINES' scores."""
    levels = _levels(test)
    return {level: level_metrics(frame, seed) for level, frame in levels.items()} | {
        "false_alerts_at_rule_recall": false_alerts_at_rule_recall(levels),
        "test_days": int(test["day"].nunique()),
        "positive_days": int(levels["city_day"]["label"].sum()),
    }


def verdict(metrics: dict) -> str | None:
    """None when the model may become current (module docstring), else every failure."""
    city, barangay = metrics["city_day"], metrics["barangay_day"]
    if city["model"]["ap"] is None:
        return "test days hold no flood: AP undefined"
    failures = []
    low, high = city["model_minus_best_ap_ci"]
    best = city["best_baseline"]
    if high is None or high < 0:
        failures.append(f"city-day AP {city['model']['ap']:.3f} below {NAMES[best]} "
                        f"{city[best]['ap']:.3f} beyond the noise (paired week-bootstrap 95 % "
                        f"interval of the difference [{low}, {high}])")  # fmt: skip
    best = barangay["best_baseline"]
    need = BARANGAY_FACTOR * (barangay[best]["ap"] or 0.0)
    if (barangay["model"]["ap"] or 0.0) < need:
        failures.append(f"barangay-day AP {barangay['model']['ap']:.3f} < {BARANGAY_FACTOR:g} x "
                        f"{NAMES[best]} {barangay[best]['ap']:.3f} = {need:.3f}")  # fmt: skip
    return "does not beat the baselines: " + "; ".join(failures) if failures else None
