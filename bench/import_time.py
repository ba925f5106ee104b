"""Issue 21 item 6: how long a run worker spends importing the code location (goal <= 3 s).

    python -m bench.import_time

Every run worker and the code server import `floodingnaque_pipeline.definitions` before any
step runs. Median of SAMPLES fresh interpreters, beside `import dagster` alone (the floor no
change of ours can lower) in the same run, and which heavy ML libraries the import pulls in
(none: they load inside the steps that train, score or plot).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

SAMPLES = 5
HEAVY = ("sklearn", "scipy", "matplotlib", "skops")
LOADED = "import sys; print(','.join(m for m in {heavy!r} if m in sys.modules))"


def seconds(statement: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-W", "ignore", "-c", statement], check=True,
                   capture_output=True)  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    code_location, floor = [], []
    for _ in range(SAMPLES):  # interleaved, so machine noise hits both alike
        code_location.append(seconds("import floodingnaque_pipeline.definitions"))
        floor.append(seconds("import dagster"))
    check = "import floodingnaque_pipeline.definitions; " + LOADED.format(heavy=HEAVY)
    heavy = subprocess.run([sys.executable, "-W", "ignore", "-c", check], check=True,
                           capture_output=True, text=True).stdout.strip()  # fmt: skip
    location_s, floor_s = statistics.median(code_location), statistics.median(floor)
    print(f"RESULT import_s={location_s:.2f} dagster_alone_s={floor_s:.2f} "
          f"vs_dagster={location_s / floor_s:.2f} heavy_loaded={heavy or 'none'}")  # fmt: skip


if __name__ == "__main__":
    main()
