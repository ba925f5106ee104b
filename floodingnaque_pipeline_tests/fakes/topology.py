"""The deployment of docker-compose.yml as local processes, against the real Postgres.

    with running_topology(tmp_path, fake=fake) as topo:
        run_id = topo.api.launch_assets(["locations"])
        assert topo.api.wait_for_run(run_id) == "SUCCESS"

Starts what compose starts (`dagster code-server start`, `dagster-webserver -w workspace.yaml`,
`dagster-daemon run`) with a temporary DAGSTER_HOME holding deploy/dagster.yaml as is, a
fresh Postgres database for Dagster's storage and another for the app (DATABASE_URL). Each
process gets its own session (process group), so stopping it also ends its run workers.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from floodingnaque_pipeline.instance_init import restore_default_signals
from floodingnaque_pipeline_tests.fakes.dagster_api import DagsterApi
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.fakes.scratch_db import (
    PG_URL_TEMPLATE,
    create_pg_database,
    drop_pg_database,
)

BIN = Path(sys.executable).parent  # the venv running the tests: .venv/bin
REPO_ROOT = Path(__file__).resolve().parents[2]
LOCATION = "floodingnaque_pipeline"
SCHEDULE = "hourly_ingestion_schedule"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Service:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited with code {self.popen.returncode}:\n{self.tail()}"
            )

    def tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM to the whole process group, SIGKILL what is left after `grace` seconds."""
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.popen.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            # The leader is gone; children of the group (run workers) may linger.
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            return


@dataclass
class Topology:
    home: Path
    env: dict[str, str]
    app_db_url: str
    dagster_db_url: str
    fake: FakeOpenMeteo
    grpc_port: int
    webserver_url: str
    api: DagsterApi
    services: dict[str, Service] = field(default_factory=dict)

    def check_alive(self) -> None:
        for service in self.services.values():
            service.check_alive()

    def wait(self, predicate: Callable[[], T], *, timeout: float, what: str, every=1.0) -> T:
        """Poll `predicate` until it returns something truthy; fail fast if a process died."""
        return wait_until(predicate, timeout=timeout, what=what, every=every, alive=self)

    def logs(self, lines: int = 60) -> str:
        return "\n".join(
            f"----- {name} ({s.log_path}) -----\n{s.tail(lines)}"
            for name, s in self.services.items()
        )

    def run_workers(self) -> list[int]:
        """Pids of the run worker processes: children of the code server spawned per run."""
        return run_worker_pids(self.services["code"].popen.pid)


def wait_until(
    predicate: Callable[[], T],
    *,
    timeout: float,
    what: str,
    every: float = 1.0,
    alive: Topology | None = None,
) -> T:
    deadline = time.monotonic() + timeout
    while True:
        if alive is not None:
            alive.check_alive()
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


# --- processes ---------------------------------------------------------------------------------


def _proc_table() -> dict[int, tuple[int, str]]:
    """pid -> (ppid, cmdline) from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        table[int(entry.name)] = (ppid, cmdline)
    return table


def descendants(pid: int, table: dict[int, tuple[int, str]] | None = None) -> list[int]:
    table = table if table is not None else _proc_table()
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, (pp, _) in table.items() if pp == parent]
        found += children
        frontier += children
    return found


def run_worker_pids(code_server_pid: int) -> list[int]:
    """The gRPC server starts each run in a `multiprocessing` spawn child (the run worker);
    the run worker's own step processes are its children and are not counted here."""
    table = _proc_table()
    workers = []
    for pid in descendants(code_server_pid, table):
        ppid, cmdline = table[pid]
        parent_cmdline = table.get(ppid, (0, ""))[1]
        if "spawn_main" in cmdline and "spawn_main" not in parent_cmdline:
            workers.append(pid)
    return workers


def kill_tree(pid: int) -> list[int]:
    """SIGKILL a process and everything below it, like a crashed machine would."""
    victims = [pid, *descendants(pid)]
    for victim in victims:
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return victims


def _start(name: str, args: list[str], env: dict[str, str], logs: Path, cwd: Path) -> Service:
    log_path = logs / f"{name}.log"
    log = log_path.open("wb")
    popen = subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stop() reaches the run workers too
        # Default SIGINT/SIGTERM even when pytest was started in the background (`&`, nohup):
        # an ignored signal is inherited across exec, and stop()'s SIGTERM would do nothing.
        preexec_fn=restore_default_signals,
    )
    log.close()
    return Service(name, popen, log_path)


def _grpc_serving(port: int) -> bool:
    result = subprocess.run(
        [str(BIN / "dagster"), "api", "grpc-health-check", "-p", str(port), "-h", "127.0.0.1"],
        capture_output=True,
        timeout=60,
    )
    return result.returncode == 0


# --- the topology -----------------------------------------------------------------------------


@contextmanager
def running_topology(
    workdir: Path,
    *,
    fake: FakeOpenMeteo,
    cron: str = "* * * * *",
    stop_schedule: bool = True,
    start_timeout: float = 240.0,
) -> Iterator[Topology]:
    """Code server, webserver and daemon as subprocesses; everything is torn down on exit.

    With `stop_schedule`, the hourly schedule (RUNNING by default in code) is stopped over
    GraphQL before the daemon starts, so no tick runs until a test starts it itself.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    home, logs, landing = workdir / "dagster_home", workdir / "logs", workdir / "landing"
    for folder in (home, logs, landing):
        folder.mkdir(exist_ok=True)
    with ExitStack() as stack:
        dagster_db = create_pg_database()
        stack.callback(drop_pg_database, dagster_db)
        app_db = create_pg_database()
        stack.callback(drop_pg_database, app_db)

        # The repo's own instance config, unchanged: the test proves that file works.
        shutil.copy(REPO_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
        grpc_port, web_port = free_port(), free_port()
        workspace = home / "workspace.yaml"
        workspace.write_text(
            "load_from:\n  - grpc_server:\n      host: 127.0.0.1\n"
            f"      port: {grpc_port}\n      location_name: {LOCATION}\n"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "PYTEST_"))}
        env |= {
            "DAGSTER_HOME": str(home),
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": "5432",
            "DAGSTER_PG_USER": "postgres",
            "DAGSTER_PG_PASSWORD": "",
            "DAGSTER_PG_DB": dagster_db,
            "DAGSTER_EVENT_BATCH_SIZE": "1000",
            "DATABASE_URL": PG_URL_TEMPLATE.format(name=app_db),
            "OPEN_METEO_FORECAST_URL": fake.forecast_url,
            "OPEN_METEO_ARCHIVE_URL": fake.archive_url,
            # Without these the hourly job's ensemble pull went to the internet and waited out
            # its retries (32 s of every tick here, where there is no network).
            "OPEN_METEO_ENSEMBLE_URL": fake.ensemble_url,
            "OPEN_METEO_PREVIOUS_RUNS_URL": fake.previous_runs_url,
            "OPENWEATHERMAP_API_KEY": "",
            "FLOODINGNAQUE_ALERT_WEBHOOK_URL": "",
            "FLOODINGNAQUE_LANDING_DIR": str(landing),
            # Ticks every 10 s instead of 30: the same settle/retry logic in a third of the time.
            "FLOODINGNAQUE_LANDING_INTERVAL_S": "10",
            "FLOODINGNAQUE_INGEST_CRON": cron,
            "PYTHONUNBUFFERED": "1",
        }
        url = f"http://127.0.0.1:{web_port}"
        topo = Topology(
            home=home,
            env=env,
            app_db_url=env["DATABASE_URL"],
            dagster_db_url=PG_URL_TEMPLATE.format(name=dagster_db),
            fake=fake,
            grpc_port=grpc_port,
            webserver_url=url,
            api=DagsterApi(f"{url}/graphql", LOCATION),
        )

        def start(name: str, args: list[str]) -> None:
            service = _start(name, args, env, logs, workdir)
            stack.callback(service.stop)  # registered at once: cleaned up whatever happens
            topo.services[name] = service

        try:
            start(
                "code",
                [
                    str(BIN / "dagster"),
                    *("code-server", "start", "-h", "127.0.0.1", "-p", str(grpc_port)),
                    *("-m", "floodingnaque_pipeline.definitions", "-a", "defs"),
                    *("--location-name", LOCATION),
                ],
            )
            topo.wait(lambda: _grpc_serving(grpc_port), timeout=start_timeout, what="code server")
            start(
                "webserver",
                [
                    str(BIN / "dagster-webserver"),
                    *("-h", "127.0.0.1", "-p", str(web_port), "-w", str(workspace)),
                ],
            )
            topo.wait(topo.api.version, timeout=start_timeout, what="webserver GraphQL")
            topo.wait(topo.api.location_loaded, timeout=start_timeout, what="code location")
            if stop_schedule:
                topo.api.stop_schedule(SCHEDULE)
            start("daemon", [str(BIN / "dagster-daemon"), "run", "-w", str(workspace)])
            topo.wait(topo.api.daemons_healthy, timeout=start_timeout, what="daemon heartbeats")
        except BaseException:
            print(topo.logs(), file=sys.stderr)
            raise
        yield topo
