"""Memory and time of storing one landing file as it grows (issue 14: flat memory).

    python -m bench.landing_memory [--sizes-mb 5 25 50]

Each size is a cleaned CDRRMO file of distinct, acceptable rows (the heaviest path: every row
is parsed, checked for repeats and written), stored by `python -m
floodingnaque_pipeline.label_ingest` in its own process, so each peak RSS is that ingest's.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.common import scratch_database
from floodingnaque_pipeline_tests.fakes.landing_files import flood_file, ingest_in_own_process


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[5, 25, 50])
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        landing = Path(folder)
        (landing / "flood_records").mkdir()
        for size in args.sizes_mb:
            content, rows = flood_file(size * 1024 * 1024)
            relative = f"flood_records/big_{size}mb.csv"
            (landing / relative).write_bytes(content)
            with scratch_database(f"fq_bench_landing_{size}") as url:
                report = ingest_in_own_process(url, landing, relative)
            results[size] = report
            print(f"  {size:>3} MB: {rows:,} rows, {report['seconds']:.1f} s, "
                  f"peak RSS {report['peak_rss_mb']:.0f} MB")  # fmt: skip
    small, big = min(results), max(results)
    per_mb = {s: r["seconds"] / s for s, r in results.items()}
    rss = {s: r["peak_rss_mb"] for s, r in results.items()}
    print(
        f"RESULT rss_{big}mb_mb={rss[big]:.0f} "
        f"rss_{big}mb_vs_{small}mb={rss[big] / rss[small]:.2f} "
        f"s_per_mb_{big}_vs_{small}={per_mb[big] / per_mb[small]:.2f}"
    )


if __name__ == "__main__":
    main()
