"""Each barangay's flood propensity, partially pooled toward the city (empirical Bayes).

Model: barangay i floods on a labelled day with probability p_i, p_i ~ Beta(a, b) shared by
the city. (a, b) maximise the beta-binomial marginal likelihood of every barangay's (flood
days k_i, labelled days n_i) in the TRAINING rows only; a barangay's propensity is its
posterior mean (k_i + a) / (n_i + a + b). A barangay with few records stays near the city rate
a / (a + b); one with many floods moves away from it as far as the data can carry it. When the
barangays do not differ beyond chance, a + b grows without bound and every propensity is the
city rate (capped at MAX_STRENGTH pseudo-days).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_STRENGTH = 1e6  # pseudo-days of the prior: "no heterogeneity at all"
MIN_STRENGTH = 2.0  # never weaker than two pseudo-days (a lone 1-of-1 record is not a law)
CITY = "*"


@dataclass(frozen=True)
class Prior:
    a: float
    b: float

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b)


def fit_prior(floods: np.ndarray, days: np.ndarray) -> Prior:
    """Maximum marginal likelihood over (mean, strength) with the strength bounded."""
    # lazy import: the code location loads without it (issue 21 item 6)
    from scipy.optimize import minimize
    from scipy.stats import betabinom

    floods, days = np.asarray(floods, float), np.asarray(days, float)
    mean = float(np.clip(floods.sum() / max(days.sum(), 1.0), 1e-6, 1 - 1e-6))
    if floods.sum() == 0 or len(floods) < 2:
        return Prior(mean * MAX_STRENGTH, (1 - mean) * MAX_STRENGTH)

    def negative(x: np.ndarray) -> float:
        m, s = 1 / (1 + np.exp(-x[0])), np.exp(x[1])
        return -float(betabinom.logpmf(floods, days, m * s, (1 - m) * s).sum())

    start = np.array([np.log(mean / (1 - mean)), np.log(100.0)])
    bounds = [(-15.0, 15.0), (np.log(MIN_STRENGTH), np.log(MAX_STRENGTH))]
    found = minimize(negative, start, method="L-BFGS-B", bounds=bounds)
    m, s = 1 / (1 + np.exp(-found.x[0])), float(np.exp(found.x[1]))
    return Prior(m * s, (1 - m) * s)


def propensities(rows: pd.DataFrame) -> dict[str, float]:
    """rows: location_id, label (0/1) of the training days. location id (str) -> propensity;
    CITY ('*') -> the prior mean, used for a barangay the training years never saw."""
    grouped = rows.groupby("location_id")["label"].agg(["sum", "count"])
    prior = fit_prior(grouped["sum"].to_numpy(), grouped["count"].to_numpy())
    posterior = (grouped["sum"] + prior.a) / (grouped["count"] + prior.a + prior.b)
    out = {str(k): round(float(v), 8) for k, v in posterior.items()}
    return out | {CITY: round(prior.mean, 8)}


def lookup(location_ids: pd.Series, table: dict[str, float]) -> np.ndarray:
    by_id = {int(k): v for k, v in table.items() if k != CITY}  # JSON keys are strings
    return location_ids.map(by_id).fillna(table.get(CITY, 0.0)).to_numpy(float)
