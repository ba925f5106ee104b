"""The impact model's numbers on the shared data, both directions (issue 18's closing note).

    python -m bench.impact_report [/path/to/shared/data]

PAGASA gauges from pagasa/*_daily.csv, labels from flood_records_2022.csv and raw_2023.csv
(the same files as floodingnaque_pipeline_tests/ml_real_numbers.py). For train 2022 -> test
2023 and train 2023 -> test 2022: AP and ROC-AUC with 95 % week-bootstrap intervals, false
alerts at the rule's recall, for the model and the three same-information baselines, at
city-day and barangay-day; the currency verdict; AP under forecast-like noise on the window
rain (multiplicative log-normal, sigma 0.5 and 1.0, mean over NOISE_SEEDS draws); and what
flood_model would make current from both years.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from floodingnaque_pipeline.locations import load_default_locations
from floodingnaque_pipeline.ml.features import build_features
from floodingnaque_pipeline.ml.impact import fit_impact
from floodingnaque_pipeline.ml.impact_eval import compare_impact, verdict
from floodingnaque_pipeline.ml.impact_report import impact_table
from floodingnaque_pipeline.ml.impact_train import labelled_impact, noise_skill, score, train_impact
from floodingnaque_pipeline.ml.labels import RecordFile, attach_labels, covered_years, flood_days
from floodingnaque_pipeline.ml.stations import Site
from floodingnaque_pipeline.sources.cdrrmo import parse_cdrrmo_csv
from floodingnaque_pipeline.sources.pagasa import load_stations, parse_pagasa_csv

LABEL_FILES = ("flood_records_2022.csv", "raw_2023.csv")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SIGMAS = (0.5, 1.0)
NOISE_SEEDS = 5


def feature_rows(data: Path) -> pd.DataFrame:
    locations = pd.DataFrame(
        [(i, s.name, s.latitude, s.longitude) for i, s in enumerate(load_default_locations(), 1)],
        columns=["id", "name", "latitude", "longitude"],
    )
    sites = [Site(str(r.id), r.latitude, r.longitude) for r in locations.itertuples()]
    stations = [Site(s.slug, s.latitude, s.longitude) for s in load_stations()]
    gauge = []
    for path in sorted((data / "pagasa").glob("*_daily.csv")):
        gauge += [(o.station, o.observed_on, o.rainfall_mm, o.tmax_c, o.tmin_c,
                   o.relative_humidity_pct)
                  for o in parse_pagasa_csv(path.read_bytes(), path.name).records]  # fmt: skip
    columns = ["station", "observed_on", "rainfall_mm", "tmax_c", "tmin_c", "relative_humidity_pct"]
    observations = pd.DataFrame(gauge, columns=columns)
    hourly = pd.DataFrame(columns=["location_id", "observed_at", "source", "precipitation_mm",
                                   "temperature_c", "relative_humidity_pct"])  # fmt: skip
    hourly["observed_at"] = pd.to_datetime(hourly["observed_at"], utc=True)
    rows = build_features(hourly, observations, sites, stations)
    events, files = [], []
    for name in LABEL_FILES:
        parsed = parse_cdrrmo_csv((data / "flood_records" / name).read_bytes(), name)
        records = [(e.event_date, e.barangay, e.latitude, e.longitude) for e in parsed.records]
        years = tuple(sorted({r[0].year for r in records}))
        files.append(RecordFile(name, len(records), len(parsed.rejections), years))
        events += records
    frame = pd.DataFrame(events, columns=["event_date", "barangay", "latitude", "longitude"])
    frame = frame.astype({"latitude": float, "longitude": float})
    rows["label"] = attach_labels(rows, flood_days(frame, locations), covered_years(files))
    return rows


def direction(labelled: pd.DataFrame, train_year: int, test_year: int) -> None:
    years = labelled["day"].dt.year
    fitted = fit_impact(labelled[years == train_year])
    test_rows = labelled[years == test_year]
    metrics = compare_impact(score(fitted, test_rows))
    print(impact_table(metrics, f"train {train_year} -> test {test_year}"))
    print(f"\n  fold model: {fitted.choice}; inner city-day AP {fitted.inner['city_day']['ap']}, "
          f"barangay-day AP {fitted.inner['location_day']['ap']}")  # fmt: skip
    print(f"  verdict: {verdict(metrics) or 'passes the currency rule'}")
    for sigma in SIGMAS:
        draws = [noise_skill(fitted, test_rows, sigma, seed) for seed in range(NOISE_SEEDS)]
        for level in ("city_day", "barangay_day"):
            means = {s: round(float(np.mean([d[level][s] for d in draws])), 3)
                     for s in draws[0][level]}  # fmt: skip
            print(f"  sigma={sigma} {level} AP (mean of {NOISE_SEEDS} draws): {means}")
    print()


def main(data: Path = DEFAULT_DATA) -> None:
    rows = feature_rows(data)
    labelled = labelled_impact(rows)
    print(f"labelled barangay-days {len(labelled)}, flood barangay-days "
          f"{int(labelled['label'].sum())}, flood days "
          f"{labelled.loc[labelled['label'] == 1, 'day'].nunique()}\n")  # fmt: skip
    direction(labelled, 2022, 2023)
    direction(labelled, 2023, 2022)
    outcome = train_impact(rows)
    served = outcome.served
    print(f"flood_model on 2022-2023 ({outcome.folds}): current={outcome.current}")
    print(f"  why: {outcome.not_current_reason or 'passes the currency rule'}")
    print(f"  served refit: {served.choice}, features {served.features}, thresholds "
          f"{served.thresholds}")  # fmt: skip
    spread = [v for k, v in served.propensity.items() if k != "*"]
    print(f"  propensities: city {served.propensity['*']:.4f}, barangays "
          f"{min(spread):.4f}..{max(spread):.4f}")  # fmt: skip


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA)
