"""Out-of-time evaluation: which years train and which test, and the metrics on the test days.

Scheme (the issue's rule): hold out the latest labelled year and train on the years before it.
If that year has fewer than MIN_POSITIVE_DAYS flood days, use rolling origin instead: for each
labelled year Y after the first, train on the years before Y, test on Y, and pool the test
days. With a single labelled year there is no out-of-time evaluation at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

MIN_POSITIVE_DAYS = 5
DAYS_PER_MONTH = 365.25 / 12
HOLDOUT, ROLLING, NONE = "holdout_latest_year", "rolling_origin", "none"
# PAGASA rule as a score: the rule fires when any ratio reaches 1 (Red: 30 mm/h or 65 mm in
# 3 h; daily proxy 30 mm in a day or 65 mm in 2 days). Graded, so it has a PR curve too.
RULE_LIMITS = {"rain_1d_mm": 30.0, "rain_2d_mm": 65.0, "max_1h_mm": 30.0, "max_3h_mm": 65.0}


@dataclass(frozen=True)
class Fold:
    train_years: tuple[int, ...]
    test_year: int


def positive_days(rows: pd.DataFrame) -> int:
    """Distinct days with at least one flooded location."""
    return int(rows.loc[rows["label"] == 1, "day"].nunique())


def plan_folds(labelled: pd.DataFrame) -> tuple[str, list[Fold]]:
    years = sorted(int(y) for y in labelled["day"].dt.year.unique())
    if len(years) < 2:
        return NONE, []
    latest = labelled[labelled["day"].dt.year == years[-1]]
    if positive_days(latest) >= MIN_POSITIVE_DAYS:
        return HOLDOUT, [Fold(tuple(years[:-1]), years[-1])]
    return ROLLING, [Fold(tuple(years[:i]), years[i]) for i in range(1, len(years))]


def baseline_score(rows: pd.DataFrame) -> np.ndarray:
    ratios = [rows[c].to_numpy(float) / limit for c, limit in RULE_LIMITS.items() if c in rows]
    return np.nan_to_num(np.nanmax(np.vstack(ratios), axis=0), nan=0.0)


def at_threshold(y: np.ndarray, score: np.ndarray, threshold: float, months: float) -> dict:
    alert = score >= threshold
    positives = max(int(y.sum()), 1)
    return {
        "threshold": round(float(threshold), 4),
        "recall": round(float((alert & (y == 1)).sum() / positives), 4),
        "precision": round(float((alert & (y == 1)).sum() / max(int(alert.sum()), 1)), 4),
        # Location-days alerted without a recorded flood, per month of test days.
        "false_alerts_per_month": round(float((alert & (y == 0)).sum() / months), 2),
    }


def score_metrics(
    y: np.ndarray, score: np.ndarray, days: pd.Series, thresholds: dict[str, float]
) -> dict:
    months = max(days.nunique() / DAYS_PER_MONTH, 1e-9)
    both = 0 < y.sum() < len(y)
    metrics: dict = {
        "roc_auc": round(float(roc_auc_score(y, score)), 4) if both else None,
        "pr_auc": round(float(average_precision_score(y, score)), 4) if both else None,
        "test_rows": int(len(y)),
        "positive_rows": int(y.sum()),
        "positive_days": int(days[y == 1].nunique()),
        "test_months": round(months, 2),
    }
    for name, threshold in thresholds.items():
        metrics[name] = at_threshold(y, score, threshold, months)
    return metrics


def choose_thresholds(y: np.ndarray, p: np.ndarray, alert_recall: float = 0.8) -> dict:
    """Alert: the highest probability that still catches `alert_recall` of the held-out floods.
    Critical: the probability with the best F1 on the held-out days (never below Alert)."""
    candidates = np.unique(p)[::-1]
    recalls = np.array([((p >= t) & (y == 1)).sum() / max(y.sum(), 1) for t in candidates])
    alert = float(candidates[np.argmax(recalls >= alert_recall)]) if len(candidates) else 0.5
    f1 = [_f1(y, p >= t) for t in candidates]
    critical = float(candidates[int(np.argmax(f1))]) if len(candidates) else 0.5
    return {"alert": alert, "critical": max(critical, alert)}


def _f1(y: np.ndarray, predicted: np.ndarray) -> float:
    hit = float((predicted & (y == 1)).sum())
    return 2 * hit / max(float(predicted.sum() + y.sum()), 1.0)


def describe(folds: Sequence[Fold]) -> str:
    return "; ".join(f"train {'+'.join(map(str, f.train_years))} -> test {f.test_year}"
                     for f in folds)  # fmt: skip
