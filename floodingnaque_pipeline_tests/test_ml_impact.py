"""The impact model on ml/ directly, on synthetic data whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from floodingnaque_pipeline.ml.impact import impact_rows
from floodingnaque_pipeline.ml.impact_eval import BARANGAY_FACTOR, fast_ap, fast_auc, verdict
from floodingnaque_pipeline.ml.impact_train import labelled_impact, noise_skill, train_impact
from floodingnaque_pipeline.ml.propensity import CITY, fit_prior, propensities
from floodingnaque_pipeline_tests.ml_impact_synthetic import impact_features, known_propensities


@pytest.fixture(scope="module")
def where_matters():
    frame = impact_features([2021, 2022], seed=3)
    return frame, train_impact(frame)


def test_window_of_day_d_is_the_gauge_row_dated_d() -> None:
    days = pd.date_range("2022-10-28", periods=4, freq="D")
    # feature day D holds gauge row D-1; Paeng's 178 mm sits in row 2022-10-29 -> feature 10-30
    features = pd.DataFrame({"location_id": 1, "day": days, "rain_1d_mm": [0.0, 5.0, 178.0, 2.0],
                             "label": [0.0, 1.0, 1.0, 0.0]})  # fmt: skip
    rows = impact_rows(features).set_index("day")
    assert rows.loc["2022-10-29", "window_mm"] == 178.0  # row dated D = the window of D
    assert rows.loc["2022-10-29", "prior_mm"] == 5.0  # row D-1 (holds 00:00-08:00 of D)
    assert np.isnan(rows.loc["2022-10-31", "window_mm"])  # row D not printed yet: no window


def test_a_barangay_with_a_known_high_propensity_gets_it_back() -> None:
    frame = impact_features([2021, 2022], seed=3)
    table = propensities(labelled_impact(frame))
    truth = known_propensities(16, 1.2, 3)
    learnt = np.array([table[str(i)] for i in range(1, 17)])
    assert int(np.argmax(learnt)) == int(np.argmax(truth))
    assert np.corrcoef(learnt, truth)[0, 1] > 0.8


def test_shrinkage_pulls_a_one_of_one_barangay_toward_the_city_rate() -> None:
    rng = np.random.default_rng(0)
    days = 365
    rows = [(loc, int(rng.random() < 0.02)) for loc in range(1, 16) for _ in range(days)]
    rows.append((16, 1))  # one labelled day, and it flooded
    table = propensities(pd.DataFrame(rows, columns=["location_id", "label"]))
    assert table["16"] < 0.2  # raw rate 1.0
    assert abs(table["16"] - table[CITY]) < abs(1.0 - table[CITY]) / 5
    prior = fit_prior(np.array([0, 0, 0]), np.array([100, 100, 100]))
    assert prior.mean < 1e-5  # no floods: every barangay at a near-zero city rate


def test_the_model_beats_raw_rain_at_barangay_day_where_barangays_differ(where_matters) -> None:
    _, outcome = where_matters
    barangay = outcome.metrics["barangay_day"]
    assert outcome.current, outcome.not_current_reason
    assert barangay["model"]["ap"] >= BARANGAY_FACTOR * barangay["row_d"]["ap"]
    assert "propensity" in outcome.served.choice["feature_set"]
    low, high = barangay["model"]["ap_ci"]
    assert low <= barangay["model"]["ap"] <= high
    assert outcome.reverse["direction"] == "train 2022 -> test 2021"


def test_where_barangays_do_not_differ_raw_rain_keeps_the_model_out() -> None:
    outcome = train_impact(impact_features([2021, 2022], seed=3, spread=0.0))
    assert not outcome.current
    assert "barangay-day AP" in outcome.not_current_reason


def test_verdict_reads_the_paired_interval_and_the_barangay_factor() -> None:
    def metrics(city_ci: list, barangay_model: float) -> dict:
        level = {"model": {"ap": 0.4}, "row_d": {"ap": 0.5}, "best_baseline": "row_d"}
        return {"city_day": level | {"model_minus_best_ap_ci": city_ci},
                "barangay_day": level | {"model": {"ap": barangay_model}}}  # fmt: skip

    assert verdict(metrics([-0.2, 0.05], 0.6)) is None
    assert "beyond the noise" in verdict(metrics([-0.2, -0.01], 0.6))
    assert "1.2 x NAIA row D" in verdict(metrics([-0.2, 0.05], 0.59))


def test_fast_metrics_match_scikit_learn_with_ties() -> None:
    rng = np.random.default_rng(1)
    y = (rng.random(500) < 0.1).astype(int)
    score = np.round(rng.random(500) + y * 0.3, 1)  # many ties
    assert fast_ap(y, score) == pytest.approx(average_precision_score(y, score))
    assert fast_auc(y, score) == pytest.approx(roc_auc_score(y, score))


def test_forecast_noise_lowers_skill(where_matters) -> None:
    frame, outcome = where_matters
    rows = labelled_impact(frame)
    test = rows[rows["day"].dt.year == 2022]
    clean = noise_skill(outcome.served, test, 0.0, seed=0)["barangay_day"]["model"]
    noisy = noise_skill(outcome.served, test, 1.0, seed=0)["barangay_day"]["model"]
    assert noisy < clean
    assert noise_skill(outcome.served, test, 1.0, seed=0)["barangay_day"]["model"] == noisy
