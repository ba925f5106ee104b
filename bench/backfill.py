"""P2 + P5: a 10-year x 16-location backfill through Dagster vs the fetch+parse+COPY floor,
and peak RSS of 10 years vs 1 year.

    python -m bench.backfill [--years 10]

The parent starts the loopback Open-Meteo stand-in and a scratch Postgres app database; each
measured variant runs in a fresh child process (so peak RSS is its own), one after the other.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime

from sqlalchemy import text

from bench.common import scratch_database
from floodingnaque_pipeline.db.locations import sync_locations
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.locations import load_default_locations

LAST_YEAR = 2024


def child_dagster(url: str, forecast: str, archive: str, years: int) -> dict:
    import dagster as dg

    from floodingnaque_pipeline.defs.weather.normalized import weather_data
    from floodingnaque_pipeline.defs.weather.raw import open_meteo_raw
    from floodingnaque_pipeline.resources.database import DatabaseResource
    from floodingnaque_pipeline.resources.open_meteo import OpenMeteoResource

    os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", "1000")
    started = time.perf_counter()
    result = dg.materialize(
        [open_meteo_raw, weather_data],
        resources={
            "database": DatabaseResource(database_url=url),
            "open_meteo": OpenMeteoResource(
                forecast_url=forecast, archive_url=archive, calls_per_minute=1e9
            ),
        },
        tags={
            "dagster/asset_partition_range_start": f"{LAST_YEAR - years + 1}-01-01",
            "dagster/asset_partition_range_end": f"{LAST_YEAR}-12-01",
        },
    )
    seconds = time.perf_counter() - started
    meta = result.asset_materializations_for_node("open_meteo_raw")[0].metadata
    return {"seconds": seconds, "api_calls": meta["api_calls"].value, "pulls": meta["pulls"].value}


def child_floor(url: str, forecast: str, archive: str, years: int) -> dict:
    """The least work that gets the same rows in: fetch, parse, COPY. No raw copy, no upsert."""
    from zoneinfo import ZoneInfo

    from floodingnaque_pipeline.db.copy_format import write_copy_text
    from floodingnaque_pipeline.db.models import WeatherData
    from floodingnaque_pipeline.db.weather import coordinates
    from floodingnaque_pipeline.sources.http_client import ApiClient
    from floodingnaque_pipeline.sources.open_meteo import build_request_params, parse_columns
    from floodingnaque_pipeline.sources.open_meteo_plan import plan_pulls

    manila = ZoneInfo("Asia/Manila")
    start = datetime(LAST_YEAR - years + 1, 1, 1, tzinfo=manila)
    end = datetime(LAST_YEAR + 1, 1, 1, tzinfo=manila)
    database = AppDatabase(url)
    columns = ["location_id", "source", "observed_at", "temperature_c", "relative_humidity_pct",
               "precipitation_mm", "pressure_hpa", "wind_speed_kmh"]  # fmt: skip
    started = time.perf_counter()
    with database.session() as session:
        coords = coordinates(session)
    plan = plan_pulls(start, end, datetime.now(UTC), coords)
    client = ApiClient()
    for pull in plan:
        payload, _ = client.get_json(
            archive, build_request_params(pull.coords, pull.start, pull.end)
        )
        rows = [
            (row[0], pull.source, *row[1:])
            for series in parse_columns(payload, pull.coords)
            for row in series.rows()
            if start < row[1] <= end
        ]
        with database.engine.begin() as connection:
            cursor = connection.connection.driver_connection.cursor()
            buffer = write_copy_text(WeatherData.__table__, columns, rows)
            cursor.copy_expert(f"COPY weather_floor ({', '.join(columns)}) FROM STDIN", buffer)
    return {"seconds": time.perf_counter() - started, "pulls": len(plan)}


def run_child(kind: str, url: str, fake, years: int) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "bench.backfill", "--child", kind, "--url", url,
         "--forecast", fake.forecast_url, "--archive", fake.archive_url, "--years", str(years)],
        capture_output=True, text=True,
    )  # fmt: skip
    if output.returncode != 0:
        raise SystemExit(f"{kind} child failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--forecast")
    parser.add_argument("--archive")
    args = parser.parse_args()
    if args.child:
        work = child_dagster if args.child == "dagster" else child_floor
        measured = work(args.url, args.forecast, args.archive, args.years)
        measured["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(measured))
        return

    from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo

    with scratch_database("fq_bench_backfill") as url, FakeOpenMeteo() as fake:
        database = AppDatabase(url)
        database.migrate()
        with database.session() as session:
            sync_locations(session, load_default_locations())
            session.execute(
                text("CREATE TABLE weather_floor (LIKE weather_data INCLUDING DEFAULTS)")
            )
        print(f"{args.years} years x 16 locations, Postgres app DB, stand-in on loopback")
        floor = run_child("floor", url, fake, args.years)
        print(f"  floor (fetch + parse + COPY, plain script): {floor['seconds']:.1f} s")
        full = run_child("dagster", url, fake, args.years)
        with database.session() as session:
            rows = session.execute(text("SELECT count(*) FROM weather_data")).scalar_one()
            floor_rows = session.execute(text("SELECT count(*) FROM weather_floor")).scalar_one()
            session.execute(text("TRUNCATE weather_data, weather_forecast, raw_weather_pulls"))
        print(
            f"  Dagster single-run backfill: {full['seconds']:.1f} s, {rows:,} rows "
            f"(floor wrote {floor_rows:,}), {full['pulls']} pulls, {full['api_calls']} API calls, "
            f"peak RSS {full['max_rss_mb']:.0f} MB"
        )
        one = run_child("dagster", url, fake, 1)
        print(f"  Dagster 1-year backfill: {one['seconds']:.1f} s, RSS {one['max_rss_mb']:.0f} MB")
        database.dispose()
    print(
        f"RESULT backfill_vs_floor={full['seconds'] / floor['seconds']:.2f} rows={rows} "
        f"api_calls={full['api_calls']:.0f} "
        f"rss_10y_vs_1y={full['max_rss_mb'] / one['max_rss_mb']:.2f}"
    )


if __name__ == "__main__":
    main()
