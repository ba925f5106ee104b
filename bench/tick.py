"""P3: schedule tick -> weather rows committed, under the real daemon topology (goal <= 10 s).

    python -m bench.tick

Starts the deployment as local processes (code server, webserver, daemon on the local
Postgres, Open-Meteo stand-in on loopback), seeds `locations`, then requests the
`hourly_ingestion` job for the current month five times, one after another, exactly as a
schedule tick does (a run request that the queued run coordinator launches). Each sample is
the time from the request to the weather_data materialization, which is recorded after its
transaction committed.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from floodingnaque_pipeline.defs.weather.partitions import weather_monthly
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.fakes.scratch_db import query
from floodingnaque_pipeline_tests.fakes.topology import running_topology

TICKS = 5


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench_tick_") as tmp, FakeOpenMeteo() as fake:
        started = time.perf_counter()
        with running_topology(Path(tmp), fake=fake) as topo:
            api = topo.api
            print(f"topology up in {time.perf_counter() - started:.1f} s", flush=True)
            seed = api.launch_assets(["locations"])
            assert api.wait_for_run(seed, alive=topo) == "SUCCESS", topo.logs()
            samples, run_seconds = [], []
            for number in range(1, TICKS + 1):
                now = datetime.now(UTC)
                partition = weather_monthly.get_partition_key_for_timestamp(now.timestamp())
                requested = time.time()
                run_id = api.launch_assets([], job="hourly_ingestion", partition=partition)
                status = api.wait_for_run(run_id, timeout=600, alive=topo)
                assert status == "SUCCESS", f"tick {number}: run {run_id} {status}\n{topo.logs()}"
                committed = dict(api.materializations(run_id))["weather_data"]
                run = api.run(run_id)
                samples.append(committed - requested)
                run_seconds.append(run["endTime"] - requested)
                rows = query(
                    topo.app_db_url,
                    "SELECT count(*), max(observed_at) FROM weather_data "
                    "WHERE observed_at <= now()",
                )[0]
                print(
                    f"  tick {number}: request -> weather_data committed {samples[-1]:.2f} s, "
                    f"-> run finished {run_seconds[-1]:.2f} s; weather_data {rows[0]:,} rows, "
                    f"newest hour {rows[1]:%Y-%m-%d %H:%M}Z",
                    flush=True,
                )
    median = statistics.median(samples)
    print(f"median request -> rows committed: {median:.2f} s (goal <= 10 s)")
    print(f"median request -> run finished: {statistics.median(run_seconds):.2f} s")
    print(f"RESULT tick_to_rows_s={median:.2f}")


if __name__ == "__main__":
    main()
