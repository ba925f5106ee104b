"""Training: rare-positive pipeline, out-of-time evaluation against the PAGASA rule, refit.

Pipeline: median imputation -> standardisation -> logistic regression with balanced class
weights (floods are ~1 % of location-days), wrapped in sigmoid (Platt) calibration over 3
stratified folds so probabilities mean something for the thresholds. Linear on purpose: with
one or two labelled years a flexible model memorises storms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from floodingnaque_pipeline.ml import evaluate as ev
from floodingnaque_pipeline.ml.features import FEATURE_COLUMNS

MIN_TRAIN_POSITIVES = 3  # calibration needs a positive in each of its 3 folds
MAX_MISSING_SHARE = 0.5  # a feature mostly missing in training (e.g. hourly peaks on gauge
# days) is left out rather than imputed into a constant
ALGORITHM = "CalibratedClassifierCV(sigmoid, cv=3) of LogisticRegression(class_weight=balanced)"
PARAMS = {"C": 0.5, "calibration": "sigmoid", "cv": 3, "alert_recall": 0.8, "api_decay": 0.85}
NO_YEARS = "not enough labelled years for an out-of-time evaluation"


@dataclass
class Outcome:
    model: CalibratedClassifierCV | None
    features: list[str]
    scheme: str
    folds: str
    metrics: dict = field(default_factory=dict)
    baseline_metrics: dict = field(default_factory=dict)
    thresholds: dict | None = None
    test: pd.DataFrame | None = None  # pooled test days: day, label, p, baseline
    importances: dict[str, float] = field(default_factory=dict)
    windows: dict[str, object] = field(default_factory=dict)
    not_current_reason: str | None = None


def build_pipeline(seed: int = 0) -> CalibratedClassifierCV:
    inner = Pipeline([
        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
        ("scale", StandardScaler()),
        ("logit", LogisticRegression(class_weight="balanced", C=PARAMS["C"], max_iter=2000)),
    ])  # fmt: skip
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    return CalibratedClassifierCV(inner, method="sigmoid", cv=folds)


def _fit(rows: pd.DataFrame, features: list[str], shuffle: np.random.Generator | None):
    y = rows["label"].to_numpy(int)
    if shuffle is not None:  # the negative control: same rows, labels scrambled
        y = shuffle.permutation(y)
    return build_pipeline().fit(rows[features].to_numpy(float), y)


def train(features_frame: pd.DataFrame, *, shuffle_labels: bool = False) -> Outcome:
    """features_frame: flood_features rows (label NaN = unlabelled; those are never used)."""
    labelled = features_frame[features_frame["label"].notna()].copy()
    labelled["label"] = labelled["label"].astype(int)
    shuffle = np.random.default_rng(7) if shuffle_labels else None
    missing = labelled[FEATURE_COLUMNS].isna().mean()
    features = [c for c in FEATURE_COLUMNS if missing[c] <= MAX_MISSING_SHARE]
    scheme, folds = ev.plan_folds(labelled)
    outcome = Outcome(None, features, scheme, ev.describe(folds))
    if int(labelled["label"].sum()) < MIN_TRAIN_POSITIVES:
        outcome.not_current_reason = "fewer than 3 labelled flood days: nothing to learn from"
        return outcome
    outcome.model = _fit(labelled, features, shuffle)
    outcome.importances = importances(outcome.model, features)
    outcome.windows = {"train_start": labelled["day"].min(), "train_end": labelled["day"].max()}
    if scheme == ev.NONE:
        outcome.not_current_reason = NO_YEARS
        return outcome
    tests = []
    for fold in folds:
        years = labelled["day"].dt.year
        fit_rows, test_rows = (
            labelled[years.isin(fold.train_years)],
            labelled[years == fold.test_year],
        )
        if int(fit_rows["label"].sum()) < MIN_TRAIN_POSITIVES:
            continue  # an origin with no floods before it cannot be trained
        model = _fit(fit_rows, features, shuffle)
        p = model.predict_proba(test_rows[features].to_numpy(float))[:, 1]
        tests.append(test_rows.assign(p=p, baseline=ev.baseline_score(test_rows)))
    if not tests:
        outcome.not_current_reason = NO_YEARS + " (no training year before a test year has floods)"
        return outcome
    test = pd.concat(tests, ignore_index=True)
    return _score(outcome, test)


def _score(outcome: Outcome, test: pd.DataFrame) -> Outcome:
    y, p, base = test["label"].to_numpy(int), test["p"].to_numpy(), test["baseline"].to_numpy()
    outcome.thresholds = ev.choose_thresholds(y, p, PARAMS["alert_recall"])
    outcome.metrics = ev.score_metrics(y, p, test["day"], outcome.thresholds)
    outcome.baseline_metrics = ev.score_metrics(y, base, test["day"], {"rule": 1.0})
    outcome.test = test[["location_id", "day", "label", "p", "baseline"]]
    outcome.windows |= {"test_start": test["day"].min(), "test_end": test["day"].max()}
    model_pr, base_pr = outcome.metrics["pr_auc"], outcome.baseline_metrics["pr_auc"]
    if model_pr is None or base_pr is None:
        outcome.not_current_reason = "test days hold no flood (or only floods): PR-AUC undefined"
    elif model_pr <= base_pr:
        outcome.not_current_reason = (
            f"does not beat the PAGASA-rule baseline on PR-AUC ({model_pr:.3f} <= {base_pr:.3f})"
        )
    return outcome


def importances(model: CalibratedClassifierCV, features: list[str]) -> dict[str, float]:
    """Mean |standardised coefficient| over the calibration folds' logistic regressions."""
    coefs = [c.estimator.named_steps["logit"].coef_[0] for c in model.calibrated_classifiers_]
    mean = np.abs(np.mean(coefs, axis=0))
    return dict(sorted(zip(features, np.round(mean, 4).tolist(), strict=True),
                       key=lambda kv: -kv[1]))  # fmt: skip
