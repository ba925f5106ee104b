"""The impact model's protocol: out of time, baselines on the same days, a refit to serve.

1. Outer split (evaluate.plan_folds): two labelled years -> train on the earlier, test the
   later; more -> rolling origin. Each fold runs fit_impact on its training years only
   (propensities, feature subset, C, calibration and thresholds all inside them).
2. With exactly two years the reverse direction (train later -> test earlier) is also scored
   and reported (`reverse`); the verdict is taken on the forward, out-of-time direction.
3. The served model is a refit on every labelled year by the same procedure; it becomes
   current only if the procedure passed the currency rule (impact_eval.verdict).
4. `noise_skill`: how the test-year AP falls when the window rain carries multiplicative
   log-normal error (a forecast's error), for the model and the raw-rain baselines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from floodingnaque_pipeline.domain.time import MANILA_TZ_NAME
from floodingnaque_pipeline.ml import evaluate as ev
from floodingnaque_pipeline.ml.impact import ImpactModel, fit_impact, impact_rows
from floodingnaque_pipeline.ml.impact_eval import baseline_scores, compare_impact, verdict
from floodingnaque_pipeline.ml.inner import ALERT_RECALL, C_GRID, TooFewFloods
from floodingnaque_pipeline.ml.served import MODEL_KIND
from floodingnaque_pipeline.ml.train import shuffle_by_day

ALGORITHM = (
    "impact model: LogisticRegression(class_weight=balanced) on log1p(window rain), "
    "log1p(prior rain), logit(empirical-Bayes barangay propensity); subset, C, Platt "
    "calibration and thresholds chosen by day-blocked inner CV on the training years"
)
SERVING = "refit_all_years"
PARAMS = {"model_kind": MODEL_KIND, "C_grid": list(C_GRID), "alert_recall": ALERT_RECALL,
          "window": f"08:00 D -> 08:00 D+1 {MANILA_TZ_NAME} (PAGASA row D); prior = the 24 h "
                    "before it (row D-1, holds 00:00-08:00 of D)", "serving": SERVING}  # fmt: skip
NO_YEARS = "not enough labelled years for an out-of-time evaluation"


@dataclass
class ImpactOutcome:
    served: ImpactModel | None
    scheme: str
    folds: str
    metrics: dict = field(default_factory=dict)
    reverse: dict = field(default_factory=dict)  # two years only: later -> earlier
    test: pd.DataFrame | None = None
    windows: dict[str, object] = field(default_factory=dict)
    not_current_reason: str | None = None

    @property
    def current(self) -> bool:
        return self.served is not None and self.not_current_reason is None


def labelled_impact(features: pd.DataFrame) -> pd.DataFrame:
    rows = impact_rows(features)
    rows = rows[rows["label"].notna() & rows["window_mm"].notna()].copy()
    rows["label"] = rows["label"].astype(int)
    return rows


def score(fitted: ImpactModel, test_rows: pd.DataFrame) -> pd.DataFrame:
    scored = test_rows.assign(model=fitted.predict(test_rows), alert=fitted.thresholds["alert"])
    return scored.assign(**baseline_scores(test_rows))


def _fit(rows: pd.DataFrame, rng: np.random.Generator | None) -> ImpactModel:
    return fit_impact(rows if rng is None else shuffle_by_day(rows, rng))


def train_impact(features: pd.DataFrame, *, shuffle_labels: bool = False) -> ImpactOutcome:
    """features: flood_features rows (label NaN = unlabelled)."""
    labelled = labelled_impact(features)
    rng = np.random.default_rng(7) if shuffle_labels else None
    scheme, folds = ev.plan_folds(labelled)
    outcome = ImpactOutcome(None, scheme, ev.describe(folds))
    years = labelled["day"].dt.year
    tests, skipped = [], []
    for fold in folds:
        try:
            fitted = _fit(labelled[years.isin(fold.train_years)], rng)
        except TooFewFloods as error:
            skipped.append(f"{fold.test_year}: {error}")
            continue
        tests.append(
            score(fitted, labelled[years == fold.test_year]).assign(test_year=fold.test_year)
        )
    try:
        outcome.served = _fit(labelled, rng) if len(labelled) else None
    except TooFewFloods as error:
        outcome.not_current_reason = f"nothing to learn from: {error}"
        return outcome
    outcome.windows = {"train_start": labelled["day"].min(), "train_end": labelled["day"].max()}
    if scheme == ev.NONE or not tests:
        outcome.not_current_reason = NO_YEARS + "".join(f"; skipped {s}" for s in skipped)
        return outcome
    outcome.test = pd.concat(tests, ignore_index=True)
    outcome.windows |= {
        "test_start": outcome.test["day"].min(),
        "test_end": outcome.test["day"].max(),
    }
    outcome.metrics = compare_impact(outcome.test) | {"skipped_origins": skipped}
    outcome.not_current_reason = verdict(outcome.metrics)
    if scheme == ev.HOLDOUT:
        outcome.reverse = _reverse(labelled, folds[0], rng)
    return outcome


def _reverse(labelled: pd.DataFrame, fold: ev.Fold, rng) -> dict:
    years = labelled["day"].dt.year
    try:
        fitted = _fit(labelled[years == fold.test_year], rng)
    except TooFewFloods as error:
        return {"skipped": str(error)}
    test = score(fitted, labelled[years.isin(fold.train_years)])
    metrics = compare_impact(test)
    return metrics | {"direction": f"train {fold.test_year} -> test "
                                   f"{'+'.join(map(str, fold.train_years))}",
                      "verdict": verdict(metrics) or "passes"}  # fmt: skip


def noise_skill(fitted: ImpactModel, test_rows: pd.DataFrame, sigma: float, seed: int = 0) -> dict:
    """AP when every barangay-day's window rain is multiplied by exp(N(0, sigma^2)) (one draw
    per city-day: a forecast misses the whole city's rain together). Seeded."""
    rng = np.random.default_rng(seed)
    days = test_rows["day"].to_numpy()
    unique, index = np.unique(days, return_inverse=True)
    factor = np.exp(rng.normal(0.0, sigma, len(unique)))[index]
    noisy = test_rows.assign(window_mm=test_rows["window_mm"].to_numpy(float) * factor)
    metrics = compare_impact(score(fitted, noisy), seed)
    return {level: {s: metrics[level][s]["ap"] for s in ("model", "rule", "row_d", "rows_d1_d")}
            for level in ("city_day", "barangay_day")}  # fmt: skip
