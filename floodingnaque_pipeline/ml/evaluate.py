"""Out-of-time splits, the two baselines, and metrics per location-day and per city-day.

Outer split (the only place a test year is touched): with two labelled years the latest is
held out and the model trains on the other; with three or more, rolling origin: each of the
latest MAX_ORIGINS years (every year after the first, when fewer) is tested once by a model
trained on all years before it, and the test days are pooled. With a single labelled year
there is no out-of-time evaluation at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

HOLDOUT, ROLLING, NONE = "holdout_latest_year", "rolling_origin", "none"
DAYS_PER_MONTH = 365.25 / 12
# PAGASA rule as a score: it fires when any ratio reaches 1 (Red: 30 mm/h or 65 mm in 3 h;
# daily proxy 30 mm in a day or 65 mm in 2 days). Graded, so it has a PR curve too.
RULE_LIMITS = {"rain_1d_mm": 30.0, "rain_2d_mm": 65.0, "max_1h_mm": 30.0, "max_3h_mm": 65.0}
MAX_ORIGINS = 3  # keeps 10 years of rolling origin within the bench's 30 s
SCORERS = ("model", "rule", "rain_2d")  # the model and its two baselines, same test days


@dataclass(frozen=True)
class Fold:
    train_years: tuple[int, ...]
    test_year: int


def test_years(years: Sequence[int]) -> list[int]:
    """The labelled years the outer split tests (each once)."""
    years = sorted(years)
    if len(years) < 2:
        return []
    return years[max(1, len(years) - MAX_ORIGINS) :]


def plan_folds(labelled: pd.DataFrame) -> tuple[str, list[Fold]]:
    years = sorted(int(y) for y in labelled["day"].dt.year.unique())
    tested = test_years(years)
    if not tested:
        return NONE, []
    folds = [Fold(tuple(y for y in years if y < test), test) for test in tested]
    return (HOLDOUT if len(years) == 2 else ROLLING), folds


def rule_score(rows: pd.DataFrame) -> np.ndarray:
    ratios = [rows[c].to_numpy(float) / limit for c, limit in RULE_LIMITS.items() if c in rows]
    return np.nan_to_num(np.nanmax(np.vstack(ratios), axis=0), nan=0.0)


def rain_2d_score(rows: pd.DataFrame) -> np.ndarray:
    return np.nan_to_num(rows["rain_2d_mm"].to_numpy(float), nan=0.0)


def baseline_probability(
    train_score: np.ndarray, train_y: np.ndarray, test_score: np.ndarray
) -> np.ndarray:
    """A baseline's score as a probability (Platt on log1p, fitted on the training years), so
    the rule and 2-day rain can sit in the reliability diagram beside the model."""
    train_score, test_score = np.asarray(train_score, float), np.asarray(test_score, float)
    if len(np.unique(train_y)) < 2:
        return np.full(len(test_score), float(np.mean(train_y)))
    # lazy import: the code location loads without it (issue 21 item 6)
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression(C=1e6).fit(np.log1p(train_score)[:, None], train_y)
    return fit.predict_proba(np.log1p(test_score)[:, None])[:, 1]


def city_days(scored: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """One row per day: label = a flood anywhere in the city, score = the highest location's."""
    return scored.groupby("day", sort=True)[["label", *columns]].max().reset_index()


def ranking(y: np.ndarray, score: np.ndarray) -> dict:
    # lazy import: the code location loads without it (issue 21 item 6)
    from sklearn.metrics import average_precision_score, roc_auc_score

    both = 0 < y.sum() < len(y)
    return {
        "ap": round(float(average_precision_score(y, score)), 4) if both else None,
        "roc_auc": round(float(roc_auc_score(y, score)), 4) if both else None,
        "rows": int(len(y)),
        "positives": int(y.sum()),
    }


def at_threshold(y: np.ndarray, score: np.ndarray, threshold: float, months: float) -> dict:
    alert = score >= threshold
    hits = int((alert & (y == 1)).sum())
    false = int((alert & (y == 0)).sum())
    return {
        "threshold": round(float(threshold), 4) if np.isfinite(threshold) else None,
        "recall": round(hits / max(int(y.sum()), 1), 4),
        "precision": round(hits / max(int(alert.sum()), 1), 4),
        "false_alerts": false,
        "false_alerts_per_month": round(false / months, 2),
    }


def threshold_for_recall(y: np.ndarray, score: np.ndarray, recall: float) -> float:
    """The highest score threshold whose recall reaches `recall` (a reporting device: it
    compares scorers at the rule's recall; served thresholds are never chosen this way)."""
    positives = np.sort(score[y == 1])[::-1]
    if not len(positives):
        return float("inf")
    needed = max(int(np.ceil(recall * len(positives) - 1e-9)), 1)
    return float(positives[needed - 1])


def choose_thresholds(y: np.ndarray, p: np.ndarray, alert_recall: float = 0.8) -> dict:
    """On training-year out-of-fold probabilities only. Alert: the highest probability that
    still catches `alert_recall` of the floods. Critical: best F1, never below Alert."""
    alert = threshold_for_recall(y, p, alert_recall)
    if not np.isfinite(alert):
        return {"alert": 0.5, "critical": 0.5}
    order = np.argsort(-p, kind="stable")
    hits = np.cumsum(y[order] == 1)
    alerted = np.arange(1, len(p) + 1)
    last_of_tie = np.r_[p[order][1:] != p[order][:-1], True]  # threshold = this p, ties in
    f1 = np.where(last_of_tie, 2 * hits / (alerted + max(int(y.sum()), 1)), -1.0)
    critical = float(p[order][int(np.argmax(f1))])
    return {"alert": round(alert, 6), "critical": round(max(critical, alert), 6)}


def months_of(days: pd.Series) -> float:
    return max(days.nunique() / DAYS_PER_MONTH, 1e-9)


def describe(folds: Sequence[Fold]) -> str:
    return "; ".join(f"train {'+'.join(map(str, f.train_years))} -> test {f.test_year}"
                     for f in folds)  # fmt: skip
