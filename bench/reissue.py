"""P8: forecast rows stored -> risk rows written, 16 and 1,000 locations (goal <= 5 s / <= 60 s).

    python -m bench.reissue [--locations 16 1000]

A scratch PostgreSQL database gets N active locations (the 16 default ones, then copies
around them), 10 days of observed hours, a current impact model, and then one hourly
forecast issue (48 h per location) written the way the weather assets write it. Timed: from
the forecast rows committed to flood_risk's rows committed (the asset run in-process, as the
hourly job runs it after weather_forecast). Seeded, no network.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

import dagster as dg
import numpy as np
import pandas as pd
from sqlalchemy import text

from bench.common import scratch_database
from floodingnaque_pipeline.db.locations import sync_locations
from floodingnaque_pipeline.db.model_registry import new_version, promote, store_version
from floodingnaque_pipeline.db.models import WeatherData, WeatherForecast
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import upsert_rows
from floodingnaque_pipeline.db.weather import FORECAST_COLUMNS, WEATHER_COLUMNS
from floodingnaque_pipeline.defs.ml.risk import flood_risk
from floodingnaque_pipeline.locations import MonitoredLocation, load_default_locations
from floodingnaque_pipeline.ml import artifact
from floodingnaque_pipeline.ml.impact import fit_impact
from floodingnaque_pipeline.ml.impact_train import PARAMS
from floodingnaque_pipeline.resources.alerts import AlertWebhookResource
from floodingnaque_pipeline.resources.database import DatabaseResource

NOW = datetime(2024, 7, 15, 2, tzinfo=UTC)  # 10:00 Manila


def _locations(count: int) -> list[MonitoredLocation]:
    base = load_default_locations()
    out = list(base[:count])
    for i in range(len(out), count):
        b = base[i % len(base)]
        out.append(MonitoredLocation(f"{b.slug}-{i}", f"{b.name} {i}", b.latitude + 1e-4 * i,
                                     b.longitude))  # fmt: skip
    return out


def _model(database: AppDatabase, ids: list[int]) -> None:
    rng = np.random.default_rng(0)
    days = pd.date_range("2022-01-01", periods=730, freq="D")
    window = rng.gamma(0.5, 20.0, len(days))
    pairs = [(loc, d, w, 0.0) for loc in ids[:16] for d, w in zip(days, window, strict=True)]
    rows = pd.DataFrame(pairs, columns=["location_id", "day", "window_mm", "prior_mm"])
    z = 3.0 * np.log1p(rows["window_mm"]) - 14.0
    rows["label"] = (rng.random(len(rows)) < 1 / (1 + np.exp(-z))).astype(int)
    model = fit_impact(rows)
    data, sha = artifact.dump(model.model)
    with database.session() as session:
        row = store_version(session, version=new_version(sha), algorithm="bench",
                            params=PARAMS | {"propensity": model.propensity},
                            features=model.features, evaluation_scheme="bench", metrics={},
                            baseline_metrics={}, thresholds=model.thresholds, artifact=data,
                            artifact_sha256=sha)  # fmt: skip
        promote(session, row.id)


def _hours(ids: list[int], first: datetime, count: int, seed: int) -> list[tuple]:
    rng = np.random.default_rng(seed)
    ends = [first + timedelta(hours=h) for h in range(count)]
    return [(loc, end, float(rng.gamma(0.3, 4.0))) for loc in ids for end in ends]


def one(count: int) -> float:
    with scratch_database("bench_reissue") as url:
        database = AppDatabase(url)
        database.migrate()
        with database.session() as session:
            sync_locations(session, _locations(count))
            ids = list(session.execute(text("SELECT id FROM locations ORDER BY id")).scalars())
        _model(database, ids)
        observed = [(loc, "open_meteo_era5", end, 28.0, 80.0, mm, 1010.0, 5.0, None)
                    for loc, end, mm in _hours(ids, NOW - timedelta(days=10) + timedelta(hours=1),
                                               240, 1)]  # fmt: skip
        forecast = [(loc, "open_meteo_forecast", end, NOW, 28.0, 80.0, mm, 1010.0, 5.0, None)
                    for loc, end, mm in _hours(ids, NOW + timedelta(hours=1), 48, 2)]  # fmt: skip
        with database.session() as session:
            upsert_rows(session.connection(), WeatherData.__table__, WEATHER_COLUMNS, observed)
        began = time.perf_counter()
        with database.session() as session:  # the forecast issue, committed
            upsert_rows(session.connection(), WeatherForecast.__table__, FORECAST_COLUMNS, forecast)
        stored = time.perf_counter()
        result = dg.materialize(
            [flood_risk],
            resources={"database": DatabaseResource(database_url=url),
                       "alert_webhook": AlertWebhookResource(url=None)},
            run_config={"ops": {"flood_risk": {"config": {"as_of": NOW.isoformat()}}}},
        )  # fmt: skip
        written = time.perf_counter()
        assert result.success
        with database.session() as session:
            rows = session.execute(text("SELECT count(*) FROM flood_predictions")).scalar_one()
        assert rows == 2 * count, rows
        database.dispose()
    print(f"  {count} locations: forecast stored in {stored - began:.2f} s, risk rows written "
          f"{written - stored:.2f} s later", flush=True)  # fmt: skip
    return written - stored


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--locations", type=int, nargs="+", default=[16, 1000])
    args = parser.parse_args()
    results = {n: one(n) for n in args.locations}
    print("RESULT " + " ".join(f"reissue_s_{n}={s:.2f}" for n, s in results.items()))


if __name__ == "__main__":
    main()
