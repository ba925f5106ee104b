"""Run the loopback Open-Meteo stand-in on its own, for trying the pipeline without internet.

    .venv/bin/python -m floodingnaque_pipeline_tests.fakes            # port 8765
    .venv/bin/python -m floodingnaque_pipeline_tests.fakes --port 0   # any free port

Prints the port and the two variables to export in the shell that starts Dagster, then serves
until Ctrl-C. The weather is synthetic but deterministic (the same hour always has the same
values), with wet-season storms and rare torrential hours, so backfills, checks and flood_risk
have something to work on.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo

DEFAULT_PORT = 8765


def exports(fake: FakeOpenMeteo) -> list[str]:
    """The shell lines that point the pipeline at this stand-in."""
    return [
        f"export OPEN_METEO_FORECAST_URL={fake.forecast_url}",
        f"export OPEN_METEO_ARCHIVE_URL={fake.archive_url}",
        f"export OPEN_METEO_ENSEMBLE_URL={fake.ensemble_url}",
        f"export OPEN_METEO_PREVIOUS_RUNS_URL={fake.previous_runs_url}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m floodingnaque_pipeline_tests.fakes",
        description="Loopback stand-in for the Open-Meteo forecast and archive APIs.",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"0 = any free port (default {DEFAULT_PORT})"
    )
    args = parser.parse_args(argv)
    stop = threading.Event()
    # SIGTERM (a process manager, a test) stops it as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        fake = FakeOpenMeteo(port=args.port).start()
    except OSError as error:
        print(f"cannot listen on 127.0.0.1:{args.port}: {error}; try --port 0", file=sys.stderr)
        return 1
    with fake:
        lines = [f"Open-Meteo stand-in listening on 127.0.0.1 port {fake.port}"]
        lines += ["In the shell that runs Dagster:", *(f"  {line}" for line in exports(fake))]
        print("\n".join(lines + ["Ctrl-C stops it."]), flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
