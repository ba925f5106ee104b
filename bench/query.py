"""P6: one location, one month out of a 10-year x 16-location weather_data table:
the indexed query vs the same query with index scans disabled.

    python -m bench.query
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

from sqlalchemy import text

from bench.common import migrated_with_locations, scratch_database
from bench.upsert import COLUMNS, make_rows
from floodingnaque_pipeline.db.models import WeatherData
from floodingnaque_pipeline.db.upsert import upsert_rows

QUERY = text(
    "SELECT observed_at, precipitation_mm, temperature_c FROM weather_data "
    "WHERE location_id = :location AND observed_at > :start AND observed_at <= :end"
)
NO_INDEX = ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan")
REPEATS = 15


def _median_ms(connection, params: dict) -> tuple[float, int, str]:
    plan = "\n".join(r[0] for r in connection.execute(text("EXPLAIN " + QUERY.text), params))
    timings, found = [], 0
    for _ in range(REPEATS):
        started = time.perf_counter()
        found = len(connection.execute(QUERY, params).all())
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), found, plan.splitlines()[0]


def main() -> None:
    with scratch_database("fq_bench_query") as url:
        database, ids = migrated_with_locations(url)
        rows = make_rows(ids, 16 * 87_672)  # 10 years of hours per location
        with database.session() as session:
            upsert_rows(session.connection(), WeatherData.__table__, COLUMNS, rows)
        del rows
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(text("VACUUM ANALYZE weather_data"))
            total = connection.execute(text("SELECT count(*) FROM weather_data")).scalar_one()
            params = {
                "location": ids[7],
                "start": datetime(2019, 6, 30, 16, tzinfo=UTC),  # July 2019, Manila
                "end": datetime(2019, 7, 31, 16, tzinfo=UTC),
            }
            indexed_ms, found, indexed_plan = _median_ms(connection, params)
            for setting in NO_INDEX:
                connection.execute(text(f"SET {setting} = off"))
            # Partition pruning alone already narrows a seq scan to one year; the table-wide
            # scan (pruning off) is the baseline comparable with the unpartitioned table.
            part_ms, _, part_plan = _median_ms(connection, params)
            connection.execute(text("SET enable_partition_pruning = off"))
            seq_ms, found_seq, seq_plan = _median_ms(connection, params)
        database.dispose()
    assert found == found_seq == 744, (found, found_seq)
    print(f"{total:,} rows; one location, one month = {found} rows; median of {REPEATS}")
    print(f"  indexed:  {indexed_ms:8.2f} ms  ({indexed_plan.strip()})")
    print(f"  seq scan, one partition: {part_ms:8.2f} ms  ({part_plan.strip()})")
    print(f"  seq scan, whole table: {seq_ms:8.2f} ms  ({seq_plan.strip()})")
    print(
        f"RESULT query_seqscan_vs_index={seq_ms / indexed_ms:.1f} "
        f"query_partition_seqscan_vs_index={part_ms / indexed_ms:.1f} indexed_ms={indexed_ms:.2f}"
    )


if __name__ == "__main__":
    main()
