"""The protocol: outer out-of-time split, the inner procedure per fold, one refit to serve.

1. Outer split (evaluate.plan_folds): two labelled years -> the latest is held out; more ->
   rolling origin. Each fold runs the whole inner procedure (inner.fit_procedure) on its
   training years only, then scores its test year once.
2. The test days are scored by the fold model and by the two baselines (PAGASA rule, 2-day
   rain), per location-day and per city-day, all on the same days (report.compare).
3. The served model is a refit on every labelled year by the same inner procedure (features,
   C, calibration and thresholds re-chosen); its own out-of-fold numbers are kept apart
   (`served`) from the out-of-time numbers of the procedure (`metrics`).
4. It may become current only if the procedure beat both baselines (report.verdict).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from floodingnaque_pipeline.domain.time import MANILA_TZ_NAME
from floodingnaque_pipeline.ml import evaluate as ev
from floodingnaque_pipeline.ml.inner import (
    ALERT_RECALL,
    C_GRID,
    Fitted,
    TooFewFloods,
    fit_procedure,
)
from floodingnaque_pipeline.ml.report import compare, verdict

ALGORITHM = (
    "LogisticRegression(class_weight=balanced) with Platt scaling folded in; features, C, "
    "calibration and thresholds chosen by day-blocked inner CV on the training years"
)
SERVING = "refit_all_years"  # the served artifact is refit on every labelled year
PARAMS = {"C_grid": list(C_GRID), "alert_recall": ALERT_RECALL, "api_decay": 0.85,
          "issue_time": f"08:00 {MANILA_TZ_NAME} on the day", "serving": SERVING}  # fmt: skip
NO_YEARS = "not enough labelled years for an out-of-time evaluation"


@dataclass
class Outcome:
    served: Fitted | None
    scheme: str
    folds: str
    metrics: dict = field(default_factory=dict)  # out-of-time, per scorer (model, rule, rain_2d)
    test: pd.DataFrame | None = None  # pooled test location-days: day, label, model, rule, rain_2d
    windows: dict[str, object] = field(default_factory=dict)
    not_current_reason: str | None = None

    @property
    def current(self) -> bool:
        return self.served is not None and self.not_current_reason is None


def shuffle_by_day(rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Negative control: every day gets another day's labels (all locations together), so the
    city structure survives and only the link between weather and floods is broken."""
    days = np.sort(rows["day"].unique())
    donor = dict(zip(days, rng.permutation(days), strict=True))
    labels = rows.set_index(["day", "location_id"])["label"]
    keys = zip(rows["day"].map(donor), rows["location_id"], strict=True)
    moved = [labels.get(k, 0) for k in keys]
    return rows.assign(label=np.asarray(moved, float))


def labelled_rows(frame: pd.DataFrame) -> pd.DataFrame:
    rows = frame[frame["label"].notna()].copy()
    rows["label"] = rows["label"].astype(int)
    return rows


def score_fold(
    fitted: Fitted, fit_rows: pd.DataFrame, test_rows: pd.DataFrame, test_year: int
) -> pd.DataFrame:
    """The test year's location-days scored once by the fold model and both baselines."""
    scored = test_rows.assign(model=fitted.predict(test_rows), test_year=test_year,
                              alert=fitted.thresholds["alert"])  # fmt: skip
    y_fit = fit_rows["label"].to_numpy(int)
    for name, scorer in (("rule", ev.rule_score), ("rain_2d", ev.rain_2d_score)):
        scored[name] = scorer(test_rows)
        scored[f"{name}_p"] = ev.baseline_probability(scorer(fit_rows), y_fit, scored[name])
    return scored


def train(features_frame: pd.DataFrame, *, shuffle_labels: bool = False) -> Outcome:
    """features_frame: flood_features rows (label NaN = unlabelled; those are never used)."""
    labelled = labelled_rows(features_frame)
    rng = np.random.default_rng(7) if shuffle_labels else None
    scheme, folds = ev.plan_folds(labelled)
    outcome = Outcome(None, scheme, ev.describe(folds))
    years = labelled["day"].dt.year
    tests, skipped = [], []
    for fold in folds:
        fit_rows = labelled[years.isin(fold.train_years)]
        try:
            fitted = fit_procedure(fit_rows if rng is None else shuffle_by_day(fit_rows, rng))
        except TooFewFloods as error:
            skipped.append(f"{fold.test_year}: {error}")
            continue  # an origin with too few floods before it cannot be trained
        test_rows = labelled[years == fold.test_year]
        tests.append(score_fold(fitted, fit_rows, test_rows, fold.test_year))
    try:
        served_rows = labelled if rng is None else shuffle_by_day(labelled, rng)
        outcome.served = fit_procedure(served_rows) if len(labelled) else None
    except TooFewFloods as error:
        outcome.not_current_reason = f"nothing to learn from: {error}"
        return outcome
    outcome.windows = {"train_start": labelled["day"].min(), "train_end": labelled["day"].max()}
    if scheme == ev.NONE or not tests:
        outcome.not_current_reason = NO_YEARS + "".join(f"; skipped {s}" for s in skipped)
        return outcome
    test = pd.concat(tests, ignore_index=True)
    keep = ["location_id", "day", "test_year", "label", *ev.SCORERS, "alert", "rule_p", "rain_2d_p"]
    outcome.test = test[keep]
    outcome.windows |= {"test_start": test["day"].min(), "test_end": test["day"].max()}
    outcome.metrics = compare(outcome.test) | {"skipped_origins": skipped}
    outcome.not_current_reason = verdict(outcome.metrics)
    return outcome
