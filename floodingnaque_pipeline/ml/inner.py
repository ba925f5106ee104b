"""Everything the model chooses, chosen inside the training years only.

Inner split: the training days, in time order, cut into INNER_FOLDS contiguous blocks holding
about the same number of flood days. A block is whole days (all locations of a day sit on the
same side), and contiguity keeps a storm's consecutive days together. Every candidate (feature
set, with or without the locations' flood rates, x regularisation C) gets out-of-fold scores;
the best sum of out-of-fold city-day AP and location-day AP wins (ties: fewer features). Platt
scaling is fitted on the winner's out-of-fold scores and folded into the logistic regression's
coefficients, so the artifact is one plain scikit-learn Pipeline. The Alert / Critical
thresholds come from the same out-of-fold probabilities. Labels of any other year are never
seen here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from floodingnaque_pipeline.ml import evaluate as ev
from floodingnaque_pipeline.ml.features import FEATURE_COLUMNS
from floodingnaque_pipeline.ml.location_rate import LOCATION_RATE, add_location_rate, flood_rates

INNER_FOLDS = 3
C_GRID = (0.05, 1.0)
MAX_MISSING_SHARE = 0.5  # mostly-missing in the training years (e.g. hourly peaks on gauge days)
ALERT_RECALL = 0.8
_RAIN = ["rain_1d_mm", "rain_2d_mm", "rain_3d_mm", "max_1h_mm", "max_3h_mm"]
FEATURE_SETS = {
    "rain": _RAIN,
    "rain+antecedent+season": [*_RAIN, "rain_7d_mm", "api_mm", "doy_sin", "doy_cos"],
    "all": FEATURE_COLUMNS,
}

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline


class TooFewFloods(ValueError):
    """The training years hold fewer flood days than inner folds."""


@dataclass
class Fitted:
    model: Pipeline  # predict_proba on `features` gives the calibrated P(flood)
    features: list[str]
    choice: dict  # feature set, C, Platt a/b
    rates: dict[str, float] | None  # location id -> training-year flood rate, if used
    thresholds: dict[str, float]
    inner: dict = field(default_factory=dict)  # out-of-fold metrics of this very model's recipe

    def predict(self, rows: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(matrix(rows, self.features, self.rates))[:, 1]


def pipeline(c: float) -> Pipeline:
    # lazy import: the code location loads without it (issue 21 item 6)
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline([
        ("impute", SimpleImputer(strategy="mean", keep_empty_features=True)),
        ("scale", StandardScaler()),
        ("logit", LogisticRegression(class_weight="balanced", C=c, solver="newton-cholesky")),
    ])  # fmt: skip


def matrix(rows: pd.DataFrame, features: list[str], rates: dict[str, float] | None) -> np.ndarray:
    if LOCATION_RATE in features:
        rows = add_location_rate(rows, rates or {})
    return rows[features].to_numpy(float)


def day_blocks(days: pd.Series, labels: np.ndarray, folds: int = INNER_FOLDS) -> np.ndarray:
    """Block number per row: contiguous runs of days with about equal flood days each."""
    order = np.sort(days.unique())
    flooded = set(days[labels == 1].unique())
    cumulative = np.cumsum([d in flooded for d in order])
    if cumulative[-1] < folds:
        raise TooFewFloods(f"{cumulative[-1]} flood days in the training years (< {folds})")
    # A block ends right after its share of flood days: block k holds flood days
    # (k*n/folds, (k+1)*n/folds], plus the dry days up to the next block's first flood day.
    block_of_day = np.minimum((cumulative - 1) * folds // cumulative[-1], folds - 1)
    block_of_day = np.maximum(block_of_day, 0)
    lookup = dict(zip(order, block_of_day, strict=True))
    return days.map(lookup).to_numpy(int)


def _oof_scores(rows, y, blocks, features, c) -> np.ndarray:
    scores = np.zeros(len(rows))
    for block in range(blocks.max() + 1):
        held, kept = blocks == block, blocks != block
        rates = flood_rates(rows[kept]) if LOCATION_RATE in features else None
        model = pipeline(c).fit(matrix(rows[kept], features, rates), y[kept])
        scores[held] = model.decision_function(matrix(rows[held], features, rates))
    return scores


def _candidates(rows: pd.DataFrame) -> list[tuple[str, list[str]]]:
    missing = rows[FEATURE_COLUMNS].isna().mean()
    usable = {c for c in FEATURE_COLUMNS if missing[c] <= MAX_MISSING_SHARE}
    out = []
    for name, columns in FEATURE_SETS.items():
        kept = [c for c in columns if c in usable]
        if kept and all(kept != other for _, other in out):
            out += [(name, kept), (f"{name}+{LOCATION_RATE}", [*kept, LOCATION_RATE])]
    return out


def fit_procedure(rows: pd.DataFrame) -> Fitted:
    """rows: labelled training rows (label 0/1) of the training years only."""
    rows = rows.sort_values(["day", "location_id"]).reset_index(drop=True)
    y = rows["label"].to_numpy(int)
    blocks = day_blocks(rows["day"], y)
    tried: list[dict] = []
    best: tuple | None = None

    def consider(name: str, features: list[str], c: float) -> None:
        nonlocal best
        oof = _oof_scores(rows, y, blocks, features, c)
        city = ev.city_days(rows.assign(score=oof), ["score"])
        city_ap = ev.ranking(city["label"].to_numpy(int), city["score"].to_numpy())["ap"]
        location_ap = ev.ranking(y, oof)["ap"]
        tried.append({"features": name, "C": c, "city_day_ap": city_ap,
                      "location_day_ap": location_ap})  # fmt: skip
        key = ((city_ap or 0.0) + (location_ap or 0.0), -len(features))
        if best is None or key > best[0]:
            best = (key, name, features, c, oof)

    # Two stages keep the search small: C on the widest set, then the sets at that C.
    candidates = _candidates(rows)
    widest = max(candidates, key=lambda kv: len(kv[1]))
    for c in C_GRID:
        consider(*widest, c)
    chosen_c = best[3]
    for name, features in candidates:
        if (name, features) != widest:
            consider(name, features, chosen_c)
    _, name, features, c, oof = best
    from sklearn.linear_model import LogisticRegression

    platt = LogisticRegression(C=1e6).fit(oof[:, None], y)
    a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    p_oof = 1.0 / (1.0 + np.exp(-(a * oof + b)))
    rates = flood_rates(rows) if LOCATION_RATE in features else None
    model = pipeline(c).fit(matrix(rows, features, rates), y)
    logit = model.named_steps["logit"]
    logit.coef_, logit.intercept_ = logit.coef_ * a, logit.intercept_ * a + b  # Platt folded in
    city = ev.city_days(rows.assign(p=p_oof), ["p"])
    inner = {
        "split": f"{blocks.max() + 1} contiguous day blocks of the training years",
        "location_day": ev.ranking(y, p_oof),
        "city_day": ev.ranking(city["label"].to_numpy(int), city["p"].to_numpy()),
        "candidates": tried,
    }
    choice = {"feature_set": name, "C": c, "platt_a": round(a, 6), "platt_b": round(b, 6)}
    thresholds = ev.choose_thresholds(y, p_oof, ALERT_RECALL)
    return Fitted(model, features, choice, rates, thresholds, inner)
