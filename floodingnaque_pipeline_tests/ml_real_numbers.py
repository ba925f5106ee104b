"""The out-of-time numbers on the real shared data, printed (not asserted).

    python -m floodingnaque_pipeline_tests.ml_real_numbers [/path/to/shared/data]

PAGASA gauges from pagasa/*_daily.csv; labels from one CDRRMO file per year (cleaned 2022,
raw export 2023 by default). A raw export and its cleaned copy describe the same floods:
labels are a set of (location, day), so a second file of the same year cannot double a
label; the script also prints the flood days each file gives so an overlap is visible.
Same functions as the flood_features / flood_model assets, without the database.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from floodingnaque_pipeline.locations import load_default_locations
from floodingnaque_pipeline.ml import evaluate as ev
from floodingnaque_pipeline.ml.features import build_features
from floodingnaque_pipeline.ml.labels import RecordFile, attach_labels, covered_years, flood_days
from floodingnaque_pipeline.ml.report import table
from floodingnaque_pipeline.ml.stations import Site
from floodingnaque_pipeline.ml.train import train
from floodingnaque_pipeline.sources.cdrrmo import parse_cdrrmo_csv
from floodingnaque_pipeline.sources.pagasa import load_stations, parse_pagasa_csv

LABEL_FILES = ("flood_records_2022.csv", "raw_2023.csv")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def observations(data: Path) -> pd.DataFrame:
    rows = []
    for path in sorted((data / "pagasa").glob("*_daily.csv")):
        parsed = parse_pagasa_csv(path.read_bytes(), path.name)
        rows += [(o.station, o.observed_on, o.rainfall_mm, o.tmax_c, o.tmin_c,
                  o.relative_humidity_pct) for o in parsed.records]  # fmt: skip
    columns = ["station", "observed_on", "rainfall_mm", "tmax_c", "tmin_c", "relative_humidity_pct"]
    return pd.DataFrame(rows, columns=columns)


def events(data: Path, names: tuple[str, ...]) -> tuple[pd.DataFrame, list[RecordFile]]:
    frames, files = [], []
    for name in names:
        parsed = parse_cdrrmo_csv((data / "flood_records" / name).read_bytes(), name)
        records = [(e.event_date, e.barangay, e.latitude, e.longitude) for e in parsed.records]
        frame = pd.DataFrame(records, columns=["event_date", "barangay", "latitude", "longitude"])
        years = tuple(sorted({d.year for d in frame["event_date"]}))
        files.append(RecordFile(name, len(records), len(parsed.rejections), years))
        days = sorted({d.isoformat() for d in frame["event_date"]})
        print(f"  {name}: {len(records)} records, {len(parsed.rejections)} refused, "
              f"{len(days)} flood days: {', '.join(days)}")  # fmt: skip
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).astype(
        {"latitude": float, "longitude": float}
    ), files


def hindsight(rows: pd.DataFrame, test_days: pd.Series) -> str:
    """Context only, NOT a fair competitor: the same day's own rain (the PAGASA row dated D,
    known at 08:00 on D+1), i.e. what the old leaky features saw."""
    later = rows.assign(day=rows["day"] - pd.Timedelta(days=1))
    later = later[later["day"].isin(set(test_days))]
    merged = later.merge(rows[["location_id", "day", "label"]], on=["location_id", "day"],
                         suffixes=("_next", ""))  # fmt: skip
    city = merged.groupby("day")[["label", "rain_1d_mm", "rain_2d_mm"]].max()
    parts = []
    for column, name in (("rain_1d_mm", "row D"), ("rain_2d_mm", "rows D-1 + D")):
        ap = ev.ranking(city["label"].to_numpy(int), city[column].fillna(0).to_numpy())["ap"]
        parts.append(f"{name} {ap}")
    return "hindsight city-day AP (not available at issue time): " + ", ".join(parts)


def main(data: Path = DEFAULT_DATA, names: tuple[str, ...] = LABEL_FILES) -> None:
    locations = pd.DataFrame(
        [(i, s.name, s.latitude, s.longitude) for i, s in enumerate(load_default_locations(), 1)],
        columns=["id", "name", "latitude", "longitude"],
    )
    sites = [Site(str(r.id), r.latitude, r.longitude) for r in locations.itertuples()]
    stations = [Site(s.slug, s.latitude, s.longitude) for s in load_stations()]
    hourly = pd.DataFrame(columns=["location_id", "observed_at", "source", "precipitation_mm",
                                   "temperature_c", "relative_humidity_pct"])  # fmt: skip
    hourly["observed_at"] = pd.to_datetime(hourly["observed_at"], utc=True)
    rows = build_features(hourly, observations(data), sites, stations)
    frame, files = events(data, names)
    rows["label"] = attach_labels(rows, flood_days(frame, locations), covered_years(files))
    labelled = rows[rows["label"].notna()]
    print(f"  labelled location-days {len(labelled)}, flood location-days "
          f"{int(labelled['label'].sum())}, covered years {covered_years(files)}")  # fmt: skip
    outcome = train(rows)
    print(f"  scheme {outcome.scheme}: {outcome.folds}")
    if outcome.metrics:
        print(table(outcome.metrics))
        at_rule = outcome.metrics["at_rule_recall"]
        counts = [f"{k} {v['false_alerts']}" for k, v in at_rule.items() if k != "recall"]
        print(f"  false-alert days at the rule's recall ({at_rule['recall']}): "
              + ", ".join(counts))  # fmt: skip
        print("  " + hindsight(rows, outcome.test["day"]))
    served = outcome.served
    if served is not None:
        print(f"  served model: {served.choice}, features {served.features}")
        print(f"  thresholds {served.thresholds}; inner city-day {served.inner['city_day']}")
    print(f"  becomes current: {outcome.current} ({outcome.not_current_reason or 'beats both'})")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA)
