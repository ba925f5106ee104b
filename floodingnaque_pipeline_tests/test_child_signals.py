"""Services the tests start (`dg dev`, webserver, daemon) get default SIGINT/SIGTERM, whatever
pytest inherited: started in the background (`bash .ci/run &`, nohup) SIGINT is ignored, the
ignored disposition survives exec, and `dg dev` then ignored the test's stop signal; it was
SIGKILLed and left its `.tmp_dagster_home_*` folder behind."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from floodingnaque_pipeline_tests.fakes.topology import _start, wait_until

REPORT = """
import signal, sys
names = {signal.SIG_DFL: "default", signal.SIG_IGN: "ignored"}
def say(number):
    handler = signal.getsignal(number)
    return names.get(handler, "python" if handler is signal.default_int_handler else "other")
print(say(signal.SIGINT), say(signal.SIGTERM), flush=True)
"""


@pytest.fixture
def pytest_started_in_background() -> Iterator[None]:
    """What `&` and nohup leave: SIGINT and SIGHUP ignored (and SIGTERM, by some launchers)."""
    saved = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    for number in saved:
        signal.signal(number, signal.SIG_IGN)
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


@pytest.mark.usefixtures("pytest_started_in_background")
def test_started_services_can_be_interrupted_and_terminated(tmp_path: Path) -> None:
    service = _start("report", [sys.executable, "-c", REPORT], {}, tmp_path, tmp_path)
    service.popen.wait(timeout=60)
    line = wait_until(lambda: service.tail(1).strip(), timeout=10, what="report", every=0.05)
    # "python": SIGINT not ignored at start, so Python installed its KeyboardInterrupt handler.
    assert line == "python default", line
