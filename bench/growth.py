"""Growth curve: cost per row as weather_data grows to 1, 5 and 10 years.

    python -m bench.growth [--locations 16] [--years 10] [--scheme yearly|monthly]

Loads one year at a time (one upsert per year, each into an empty range: the fast path), and
after each year measures: that year's load in rows/s, a re-upsert of one month that is
already there (the merge path), and the "one location, one month" range query (median).
The goal is flat: the 10-year figures within 1.2x of the 1-year ones. `--scheme monthly`
repartitions weather_data by month first, to compare with the default yearly partitions.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bench.common import migrated_with_locations, scratch_database
from floodingnaque_pipeline.db import partitions
from floodingnaque_pipeline.db.models import WeatherData
from floodingnaque_pipeline.db.upsert import upsert_rows
from floodingnaque_pipeline.db.weather import OBSERVATION_COLUMNS

FIRST_YEAR = 2015
QUERY = text(
    "SELECT observed_at, precipitation_mm, temperature_c FROM weather_data "
    "WHERE location_id = :location AND observed_at > :start AND observed_at <= :end"
)
REPEATS = 31  # median of many: the machine is shared
REPORT_AT = (1, 5, 10)


def year_rows(location_ids: list[int], year: int) -> list[tuple]:
    start = datetime(year, 1, 1, 1, tzinfo=UTC)
    hours = int((datetime(year + 1, 1, 1, 1, tzinfo=UTC) - start).total_seconds() // 3600)
    stamps = [start + timedelta(hours=h) for h in range(hours)]
    return [
        (loc, "open_meteo_era5", stamp, 26.0 + (h % 24) * 0.3, 65.0 + (h * 7 % 35),
         (h * 13 % 50) / 10 if h % 9 == 0 else 0.0, 1005.0 + (h % 11) * 0.5, 5.0 + (h * 3 % 20))
        for loc in location_ids
        for h, stamp in enumerate(stamps)
    ]  # fmt: skip


def add_locations(database, count: int) -> list[int]:
    with database.session() as session:
        have = session.execute(text("SELECT count(*) FROM locations")).scalar_one()
        for n in range(have, count):
            session.execute(
                text(
                    "INSERT INTO locations (slug, name, latitude, longitude) "
                    "VALUES (:s, :s, :lat, 121.0)"
                ),
                {"s": f"bench-{n}", "lat": 14.0 + n / 1000},
            )
        return list(session.execute(text("SELECT id FROM locations ORDER BY id")).scalars())


def query_ms(database, location: int, year: int) -> float:
    params = {
        "location": location,
        "start": datetime(year, 6, 30, 16, tzinfo=UTC),  # July, Manila
        "end": datetime(year, 7, 31, 16, tzinfo=UTC),
    }
    with database.engine.connect() as connection:
        # The state autovacuum leaves in production: statistics, hint bits and visibility
        # map of the rows just loaded (a bare ANALYZE left setting hint bits to the queries).
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("VACUUM (ANALYZE) weather_data"))
        timings = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            found = len(connection.execute(QUERY, params).all())
            timings.append((time.perf_counter() - started) * 1000)
    assert found == 744, found
    return statistics.median(timings)


def timed_upsert(database, rows: list[tuple]) -> tuple[float, object]:
    started = time.perf_counter()
    with database.session() as session:
        counts = upsert_rows(session.connection(), WeatherData.__table__, OBSERVATION_COLUMNS, rows)
    return time.perf_counter() - started, counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--locations", type=int, default=16)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--scheme", choices=["yearly", "monthly"], default="yearly")
    args = parser.parse_args()
    if args.scheme == "monthly":  # same table, cut by month instead of by year
        partitions.SCHEMES["weather_data"] = partitions.PartitionScheme(
            "weather_data", "observed_at", 1
        )
    results: dict[int, tuple[float, float, float]] = {}
    with scratch_database("fq_bench_growth") as url:
        database, _ = migrated_with_locations(url)
        ids = add_locations(database, args.locations)[: args.locations]
        print(f"{len(ids)} locations, {args.years} years, {args.scheme} partitions")
        for number, year in enumerate(range(FIRST_YEAR, FIRST_YEAR + args.years), start=1):
            rows = year_rows(ids, year)
            seconds, counts = timed_upsert(database, rows)
            assert counts.inserted == len(rows), counts
            load_rate = len(rows) / seconds
            month = [r for r in rows if r[2].month == 7]
            seconds, counts = timed_upsert(database, month)
            assert counts.unchanged == len(month), counts
            merge_rate = len(month) / seconds
            ms = query_ms(database, ids[len(ids) // 2], year)
            results[number] = (load_rate, merge_rate, ms)
            print(
                f"  year {number:>2} ({year}): load {load_rate:>9,.0f} rows/s, month re-upsert "
                f"{merge_rate:>9,.0f} rows/s, one location-month query {ms:6.2f} ms",
                flush=True,
            )
        database.dispose()
    sizes = [n for n in REPORT_AT if n in results]
    first, last = results[sizes[0]], results[sizes[-1]]
    fields = " ".join(
        f"load_rows_s_{n}y={results[n][0]:.0f} merge_rows_s_{n}y={results[n][1]:.0f} "
        f"query_ms_{n}y={results[n][2]:.2f}"
        for n in sizes
    )
    print(
        f"RESULT scheme={args.scheme} locations={len(ids)} {fields} "
        f"load_{sizes[-1]}y_vs_1y={first[0] / last[0]:.2f} "
        f"query_{sizes[-1]}y_vs_1y={last[2] / first[2]:.2f}"
    )


if __name__ == "__main__":
    main()
