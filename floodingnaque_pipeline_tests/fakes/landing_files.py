"""Big landing files for memory tests and benches (made up, in the real layouts), and a way
to ingest one in a process of its own.

Used by test_landing_memory.py and bench/landing_memory.py (benches may import the stand-ins,
never the tests).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from floodingnaque_pipeline.sources.cdrrmo import COLUMNS

BARANGAYS = [("DIONISIO", 14.4751, 121.0011), ("BACLARAN", 14.5297, 120.9960),
             ("SAN DIONISIO", 14.4835, 121.0138), ("TAMBO", 14.5176, 120.9926)]  # fmt: skip


def flood_file(size: int) -> tuple[bytes, int]:
    """A cleaned CDRRMO file of `size` bytes whose rows are all distinct and acceptable."""
    lines = [",".join(COLUMNS)]
    total, n = len(lines[0]) + 1, 0
    first = date(2022, 1, 1)
    while total < size:
        n += 1
        day = first + timedelta(days=n % 1000)
        name, lat, lon = BARANGAYS[n % len(BARANGAYS)]
        line = (
            f"{n},{day},{day.month},{day.day},{day.year},{name},Street {n},"
            f"{lat + (n % 997) * 1e-6:.7f},{lon + (n % 991) * 1e-6:.7f},knee,Rain,"
            f"remark {n},08:00,10:00"
        )
        lines.append(line)
        total += len(line) + 1
    return ("\n".join(lines) + "\n").encode(), n


def station_file(size: int) -> tuple[bytes, int]:
    """A PAGASA file of `size` bytes: 1,000 good days, then the same days over and over (each
    repeat is refused as a duplicate date, so this also streams ~1 M refusals)."""
    lines = ["YEAR,MONTH,DAY,RAINFALL,TMAX,TMIN,RH,WIND_SPEED,WIND_DIRECTION"]
    total, n = len(lines[0]) + 1, 0
    first = date(2021, 1, 1)
    while total < size:
        day = first + timedelta(days=n % 1000)
        line = f"{day.year},{day.month},{day.day},{n % 50}.5,31.2,24.1,80,2,{n % 360}"
        lines.append(line)
        total += len(line) + 1
        n += 1
    return ("\n".join(lines) + "\n").encode(), n


def ingest_in_own_process(url: str, landing: Path, relative: str) -> dict[str, object]:
    """`python -m floodingnaque_pipeline.label_ingest` in a process of its own, so the peak
    RSS it reports is that ingest's; its JSON report."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "floodingnaque_pipeline.label_ingest",
            relative,
            "--landing-dir",
            str(landing),
        ],  # fmt: skip
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"label_ingest failed ({done.returncode}): {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
