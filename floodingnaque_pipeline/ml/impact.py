"""The impact model: P(flood at barangay L on Manila day D | rain of D's window, rain before it, L).

The window of day D is PAGASA's climatological day dated D: 08:00 D -> 08:00 D+1 (Manila),
i.e. the gauge row dated D, or the hourly rows whose hour END falls in (08:00 D, 08:00 D+1].
The label is the Manila calendar day D, so the window holds D's daytime and evening (when the
city's floods happen) plus the early hours of D+1. The hours 00:00 -> 08:00 of D sit in
gauge row D-1 and are counted in the PRIOR rain: prior = the 24 h before the window (row D-1,
08:00 D-1 -> 08:00 D). Gauge and hourly sums use the same boundaries, so a model trained on
gauge rows serves on observed + forecast hours unchanged.

In flood_features (windows closing at 08:00 of the feature day, ml/issue.py) that is:
window(L, D) = rain_1d_mm(L, D+1) and prior(L, D) = rain_1d_mm(L, D).

Few parameters (17 flood days train it): a logistic regression on log1p(window),
log1p(prior) and logit(propensity) (ml/propensity.py), with the feature subset and C chosen
by the day-blocked inner folds of ml/inner.py on the training years only; Platt scaling on the
winner's out-of-fold scores is folded into the coefficients; Alert / Critical thresholds come
from the same out-of-fold probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from floodingnaque_pipeline.ml import evaluate as ev
from floodingnaque_pipeline.ml.inner import ALERT_RECALL, C_GRID, day_blocks, pipeline
from floodingnaque_pipeline.ml.propensity import lookup, propensities

WINDOW, PRIOR, PROPENSITY = "log_window_rain", "log_prior_rain", "logit_propensity"
CANDIDATES = {
    "window": [WINDOW],
    "window+propensity": [WINDOW, PROPENSITY],
    "window+prior": [WINDOW, PRIOR],
    "window+prior+propensity": [WINDOW, PRIOR, PROPENSITY],
}
IMPACT_COLUMNS = ["location_id", "day", "window_mm", "prior_mm", "label"]

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline


def impact_rows(features: pd.DataFrame) -> pd.DataFrame:
    """flood_features rows -> one row per (location, day) with window and prior rain (NaN
    where no source covers it) and the day's label (NaN unlabelled)."""
    rain = features.set_index(["location_id", "day"])["rain_1d_mm"]
    key = pd.MultiIndex.from_arrays(
        [features["location_id"], features["day"] + pd.Timedelta(days=1)]
    )
    out = features[["location_id", "day", "label"]].copy()
    out["window_mm"] = rain.reindex(key).to_numpy(float)
    out["prior_mm"] = features["rain_1d_mm"].to_numpy(float)
    return out[IMPACT_COLUMNS].reset_index(drop=True)


def design(rows: pd.DataFrame, features: list[str], table: dict[str, float] | None) -> np.ndarray:
    columns = {
        WINDOW: lambda: np.log1p(rows["window_mm"].to_numpy(float)),
        PRIOR: lambda: np.log1p(rows["prior_mm"].fillna(0.0).to_numpy(float)),
        PROPENSITY: lambda: _logit(lookup(rows["location_id"], table or {})),
    }
    return np.column_stack([columns[f]() for f in features])


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


@dataclass
class ImpactModel:
    model: Pipeline  # predict_proba(design(...)) is the calibrated P(flood)
    features: list[str]
    choice: dict
    propensity: dict[str, float]  # location id -> propensity, '*' -> city rate (always stored)
    thresholds: dict[str, float]
    inner: dict = field(default_factory=dict)

    def predict(self, rows: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(design(rows, self.features, self.propensity))[:, 1]

    # the protocol (ml/train.py) reads these names from a fitted model
    @property
    def rates(self) -> dict[str, float]:
        return self.propensity


ALL = [WINDOW, PRIOR, PROPENSITY]


def _block_designs(rows: pd.DataFrame, blocks: np.ndarray) -> list[tuple]:
    """Per inner block: (held mask, kept X, held X) with every column, propensities fitted on
    the kept blocks only. Computed once, shared by every candidate."""
    out = []
    for block in range(blocks.max() + 1):
        held, kept = blocks == block, blocks != block
        table = propensities(rows[kept])
        out.append((held, kept, design(rows[kept], ALL, table), design(rows[held], ALL, table)))
    return out


def _oof(y: np.ndarray, designs: list[tuple], features: list[str], c: float) -> np.ndarray:
    scores = np.zeros(len(y))
    columns = [ALL.index(f) for f in features]
    for held, kept, x_kept, x_held in designs:
        model = pipeline(c).fit(x_kept[:, columns], y[kept])
        scores[held] = model.decision_function(x_held[:, columns])
    return scores


def fit_impact(rows: pd.DataFrame, candidates: dict[str, list[str]] | None = None) -> ImpactModel:
    """rows: labelled impact rows (label 0/1, window_mm present) of the training years only."""
    rows = rows.sort_values(["day", "location_id"]).reset_index(drop=True)
    y = rows["label"].to_numpy(int)
    blocks = day_blocks(rows["day"], y)
    tried, best = [], None
    designs = _block_designs(rows, blocks)
    for name, features in (candidates or CANDIDATES).items():
        for c in C_GRID:
            oof = _oof(y, designs, features, c)
            city = ev.city_days(rows.assign(score=oof), ["score"])
            city_ap = ev.ranking(city["label"].to_numpy(int), city["score"].to_numpy())["ap"]
            location_ap = ev.ranking(y, oof)["ap"]
            tried.append({"features": name, "C": c, "city_day_ap": city_ap,
                          "location_day_ap": location_ap})  # fmt: skip
            key = ((city_ap or 0.0) + (location_ap or 0.0), -len(features), -c)
            if best is None or key > best[0]:
                best = (key, name, features, c, oof)
    _, name, features, c, oof = best
    # lazy import: the code location loads without it (issue 21 item 6)
    from sklearn.linear_model import LogisticRegression

    platt = LogisticRegression(C=1e6).fit(oof[:, None], y)
    a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    p_oof = 1.0 / (1.0 + np.exp(-(a * oof + b)))
    table = propensities(rows)
    model = pipeline(c).fit(design(rows, features, table), y)
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
    return ImpactModel(model, list(features), choice, table, thresholds, inner)
