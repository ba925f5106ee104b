"""Services the tests start (`dg dev`, webserver, daemon) get default SIGINT/SIGTERM, whatever
pytest inherited: started in the background (`bash .ci/run &`, nohup) SIGINT is ignored, the
ignored disposition survives exec, and `dg dev` then ignored the test's stop signal; it was
SIGKILLed and left its `.tmp_dagster_home_*` folder behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from floodingnaque_pipeline_tests.conftest import REPO_ROOT
from floodingnaque_pipeline_tests.fakes.topology import _start, free_port, wait_until

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


def _ignored_signals(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(ln for ln in status.splitlines() if ln.startswith("SigIgn:")).split()[1], 16)


def test_readme_dev_command_restores_the_stop_signals(tmp_path: Path) -> None:
    """`python -m floodingnaque_pipeline.instance_init dev` started as `&`/nohup start it (SIGINT
    and SIGHUP ignored): once it is `dg dev`, neither SIGINT nor SIGTERM is ignored any more."""
    (tmp_path / "dagster.yaml").write_bytes((REPO_ROOT / "dagster.yaml").read_bytes())

    def as_background_shell() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    args = [sys.executable, "-m", "floodingnaque_pipeline.instance_init", "dev"]
    popen = subprocess.Popen(
        [*args, "--port", str(free_port())],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=as_background_shell,
        start_new_session=True,
    )
    try:
        # dg is a script: after the exec its command line is "<python> <venv>/bin/dg dev ...".
        wait_until(
            lambda: b"/dg\0dev\0" in Path(f"/proc/{popen.pid}/cmdline").read_bytes(),
            timeout=120,
            what="the exec into dg dev",
            every=0.05,
        )
        ignored = _ignored_signals(popen.pid)
        assert not ignored & (1 << (signal.SIGINT - 1)), "SIGINT still ignored"
        assert not ignored & (1 << (signal.SIGTERM - 1)), "SIGTERM still ignored"
    finally:
        os.killpg(popen.pid, signal.SIGKILL)
        popen.wait(timeout=30)
