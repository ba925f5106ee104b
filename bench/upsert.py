"""P1: our bulk upsert vs plain COPY, and vs the original backend's ORM row-at-a-time way.

    python -m bench.upsert [--rows 1000000]

All timings come from one run on the local PostgreSQL. Every variant starts from the same
Python tuples and includes serialising them. The upsert streams its COPY text (formatting
overlaps the server's work), so besides the earlier floor (format everything, then COPY)
the streamed floor is printed too: ratios against it compare database work alone.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bench.common import migrated_with_locations, scratch_database, stopwatch
from floodingnaque_pipeline.db.copy_format import CopyStream, write_copy_text
from floodingnaque_pipeline.db.models import WeatherData
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import upsert_rows
from floodingnaque_pipeline.db.weather import OBSERVATION_COLUMNS

COLUMNS = OBSERVATION_COLUMNS
ORM_SAMPLE = 5_000


def make_rows(location_ids: list[int], total: int) -> list[tuple]:
    hours = total // len(location_ids)
    start = datetime(2015, 1, 1, 1, tzinfo=UTC)
    stamps = [start + timedelta(hours=h) for h in range(hours)]
    return [
        (
            loc,
            "open_meteo_era5",
            stamp,
            26.0 + (h % 24) * 0.3,
            65.0 + (h * 7 % 35),
            (h * 13 % 50) / 10 if h % 9 == 0 else 0.0,
            1005.0 + (h % 11) * 0.5,
            5.0 + (h * 3 % 20),
        )
        for loc in location_ids
        for h, stamp in enumerate(stamps)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    table = WeatherData.__table__
    with scratch_database("fq_bench_upsert") as url:
        database, ids = migrated_with_locations(url)
        with database.session() as session:
            session.execute(
                text("CREATE TABLE weather_floor (LIKE weather_data INCLUDING DEFAULTS)")
            )
        rows = make_rows(ids, args.rows)
        n = len(rows)
        print(f"{n:,} weather_data rows ({len(ids)} locations x {n // len(ids):,} hours)")
        t: dict[str, float] = {}

        # Two floors: all rows formatted, then one COPY (the floor of earlier runs), and the
        # same COPY fed chunk by chunk (CopyStream, as the upsert now does), where formatting
        # overlaps the server's work. Ratios against the second compare database work only.
        floors = {"floor": write_copy_text, "streamed floor": CopyStream}
        for label, writer in floors.items():
            with stopwatch(f"plain COPY into an unconstrained table ({label})", t):
                with database.engine.begin() as connection:
                    cursor = connection.connection.driver_connection.cursor()
                    cursor.copy_expert(
                        f"COPY weather_floor ({', '.join(COLUMNS)}) FROM STDIN",
                        writer(table, COLUMNS, rows),
                    )
            with database.engine.begin() as connection:
                connection.execute(text("TRUNCATE weather_floor"))
            _checkpoint(database)

        with stopwatch("upsert into the empty table", t):
            with database.session() as session:
                first = upsert_rows(session.connection(), table, COLUMNS, rows)
        assert first.inserted == n, first
        _checkpoint(database)

        with stopwatch("re-upsert of the same rows (all unchanged)", t):
            with database.session() as session:
                again = upsert_rows(session.connection(), table, COLUMNS, rows)
        assert again.unchanged == n, again
        _checkpoint(database)

        # Mixed: half the batch already there (unchanged), half new keys in the same range.
        mixed = [*rows[::2], *((r[0], "open_meteo_forecast", *r[2:]) for r in rows[1::2])]
        with stopwatch("mixed batch (half present, half new)", t):
            with database.session() as session:
                both = upsert_rows(session.connection(), table, COLUMNS, mixed)
        assert both.inserted == len(rows[1::2]) and both.unchanged == len(rows[::2]), both
        _checkpoint(database)

        orm_rows = [(r[0], "orm_per_row", *r[2:]) for r in rows[:ORM_SAMPLE]]
        with stopwatch(f"ORM object + commit per row ({ORM_SAMPLE:,} rows)", t):
            for row in orm_rows:
                with database.session() as session:
                    session.add(WeatherData(**dict(zip(COLUMNS, row, strict=True))))
        database.dispose()

    rates = {
        "copy": n / t["plain COPY into an unconstrained table (floor)"],
        "streamed": n / t["plain COPY into an unconstrained table (streamed floor)"],
        "upsert": n / t["upsert into the empty table"],
        "reupsert": n / t["re-upsert of the same rows (all unchanged)"],
        "mixed": len(mixed) / t["mixed batch (half present, half new)"],
        "per_row": ORM_SAMPLE / t[f"ORM object + commit per row ({ORM_SAMPLE:,} rows)"],
    }
    for name, rate in rates.items():
        print(f"  {name:>9}: {rate:,.0f} rows/s")
    print(
        f"RESULT upsert_vs_copy={rates['upsert'] / rates['copy']:.2f} "
        f"reupsert_vs_copy={rates['reupsert'] / rates['copy']:.2f} "
        f"mixed_vs_copy={rates['mixed'] / rates['copy']:.2f} "
        f"per_row_vs_copy={rates['per_row'] / rates['copy']:.4f} rows={n}"
    )
    streamed = rates["streamed"]
    print(
        f"RESULT_STREAMED upsert_vs_streamed_copy={rates['upsert'] / streamed:.2f} "
        f"reupsert_vs_streamed_copy={rates['reupsert'] / streamed:.2f} "
        f"mixed_vs_streamed_copy={rates['mixed'] / streamed:.2f} rows={n}"
    )


def _checkpoint(database: AppDatabase) -> None:
    # Each phase starts without the previous one's dirty pages to flush.
    with database.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("CHECKPOINT"))


if __name__ == "__main__":
    main()
