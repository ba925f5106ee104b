"""Forecast pulls of issue 18 against the loopback stand-in, on a scratch PostgreSQL database.

    python -m bench.forecast_pulls

Timed, each as a whole in-process asset run (HTTP + raw row + normalised rows): one month of
archived forecasts for the 16 default locations (7 lead days, 83,328 rows), six months in one
single-run backfill, and one hourly ensemble pull (72 h x 40 members). Seeded, no network.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg

from bench.common import scratch_database, stopwatch
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.defs.weather.archived_forecasts import archived_forecast_raw
from floodingnaque_pipeline.defs.weather.ensemble import open_meteo_ensemble
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.weather_runs import as_of_config, resources, seed

RANGE = {
    "dagster/asset_partition_range_start": "2024-01-01",
    "dagster/asset_partition_range_end": "2024-06-01",
}


def main() -> None:
    results: dict[str, float] = {}
    with (
        scratch_database("bench_forecast_pulls") as url,
        FakeOpenMeteo(today=date(2025, 8, 1)) as fake,
    ):
        database = AppDatabase(url)
        database.migrate()
        database.dispose()
        res = resources(
            url, fake, ensemble_url=fake.ensemble_url, previous_runs_url=fake.previous_runs_url
        )
        seed(url, fake)
        with stopwatch("archive, one month, 16 locations", results):
            assert dg.materialize(
                [archived_forecast_raw], resources=res, partition_key="2024-07-01"
            ).success
        with stopwatch("archive, 2024-01..2024-06 in one run", results):
            assert dg.materialize([archived_forecast_raw], resources=res, tags=RANGE).success
        config = as_of_config(datetime(2025, 8, 1, 3, tzinfo=UTC), [open_meteo_ensemble])
        with stopwatch("ensemble pull, 16 locations x 72 h x 40 members", results):
            assert dg.materialize([open_meteo_ensemble], resources=res, run_config=config).success
    per_month = results["archive, 2024-01..2024-06 in one run"] / 6
    print(f"archive: {per_month:.1f} s per month in a range run (one month alone: "
          f"{results['archive, one month, 16 locations']:.1f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
