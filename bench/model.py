"""Model bench: features, training and out-of-time evaluation on 10 years x 16 locations.

    python -m bench.model [--years 10]

Stand-in hourly weather, one gauge and flood labels come from bench/model_data.py (seeded,
no network, no database). Timed: the served-vs-gauge rain map and build_features
(features_s), the whole impact-model protocol of ml.impact_train.train_impact - inner CV per
outer fold, baselines with week-bootstrap intervals, refit (fit_eval_s) - and one risk pass
for today and tomorrow at every location (predict_ms_per_location). Goal: train_s =
features_s + fit_eval_s under 30 s.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import pandas as pd

from bench.model_data import NAIA, flood_days, gauge_rows, hourly_weather
from floodingnaque_pipeline.locations import load_default_locations
from floodingnaque_pipeline.ml.artifact import dump
from floodingnaque_pipeline.ml.evaluate import test_years
from floodingnaque_pipeline.ml.features import build_features
from floodingnaque_pipeline.ml.impact_eval import SCORERS
from floodingnaque_pipeline.ml.impact_train import train_impact
from floodingnaque_pipeline.ml.labels import attach_labels
from floodingnaque_pipeline.ml.predict import decide_days
from floodingnaque_pipeline.ml.rain_match import fit_on_years_before
from floodingnaque_pipeline.ml.served import ServedModel
from floodingnaque_pipeline.ml.stations import Site

END = date(2025, 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    start = END.replace(year=END.year - args.years)
    locations = pd.DataFrame(
        [(i, s.latitude, s.longitude) for i, s in enumerate(load_default_locations(), 1)],
        columns=["id", "latitude", "longitude"],
    )
    sites = [Site(str(r.id), r.latitude, r.longitude) for r in locations.itertuples()]
    stations = [Site("naia", *NAIA)]
    hourly = hourly_weather(locations, start, END)
    gauge = gauge_rows(hourly)
    positives = flood_days(hourly)
    flooded = len({day for _, day in positives})
    print(f"  inputs: {len(hourly):,} location-hours, {len(gauge):,} gauge days, "
          f"{flooded:,} flood days ({args.years} years x 16 locations)")  # fmt: skip

    began = time.perf_counter()
    years = list(range(start.year, END.year))  # every year is labelled here
    rain_map, _ = fit_on_years_before(hourly, gauge, sites, stations, min(test_years(years)))
    rows = build_features(hourly, gauge, sites, stations, rain_map)
    rows["label"] = attach_labels(rows, positives, years)
    features_s = time.perf_counter() - began
    print(f"  features: {len(rows):,} rows in {features_s:.2f} s")

    began = time.perf_counter()
    outcome = train_impact(rows)
    fit_eval_s = time.perf_counter() - began
    city = outcome.metrics["city_day"]
    print(f"  protocol ({outcome.scheme}: {outcome.folds}) in {fit_eval_s:.2f} s")
    print("  city-day AP: " + ", ".join(f"{k} {city[k]['ap']}" for k in SCORERS))
    barangay = outcome.metrics["barangay_day"]
    print("  barangay-day AP: " + ", ".join(f"{k} {barangay[k]['ap']}" for k in SCORERS))
    print(f"  current: {outcome.current} ({outcome.not_current_reason or 'passes the rule'})")

    served = outcome.served
    dump(served.model)  # the artifact must serialise
    model = ServedModel(0, "bench", served.model, served.features, served.thresholds,
                        served.propensity, rain_map)  # fmt: skip
    today = date(END.year - 1, 7, 15)
    midnight = pd.Timestamp(today, tz="UTC")
    recent = hourly["observed_at"].between(midnight - pd.Timedelta(days=10),
                                           midnight + pd.Timedelta(days=2))  # fmt: skip
    window = hourly[recent]
    now = midnight + pd.Timedelta(hours=2)  # 10:00 Manila: two hours of today's window seen
    observed, forecast = window[window["observed_at"] <= now], window[window["observed_at"] > now]
    began = time.perf_counter()
    decisions = decide_days(observed, forecast, gauge.iloc[:0], sites, stations,
                            [today, date.fromordinal(today.toordinal() + 1)], model)  # fmt: skip
    predict_ms = (time.perf_counter() - began) * 1000 / len(sites)
    assert len(decisions) == 2 * len(sites)
    train_s = features_s + fit_eval_s
    print(f"RESULT train_s={train_s:.2f} features_s={features_s:.2f} fit_eval_s={fit_eval_s:.2f} "
          f"predict_ms_per_location={predict_ms:.1f} rows={len(rows)} "
          f"city_day_ap_model={city['model']['ap']} city_day_ap_rule={city['rule']['ap']} "
          f"city_day_ap_row_d={city['row_d']['ap']} "
          f"barangay_day_ap_model={barangay['model']['ap']} current={outcome.current}")  # fmt: skip


if __name__ == "__main__":
    main()
