"""rebuild_weather_data on Dagster's Celery executor: two real workers on the local RabbitMQ.

Needs the `celery` extra (dagster-celery) and the broker on 127.0.0.1:5672; a missing broker
is a failure, not a skip.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import text

from floodingnaque_pipeline.db.models import WeatherData
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.defs.maintenance.rebuild import (
    rebuild_weather_data,
    rebuild_weather_data_celery,
)
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline_tests.conftest import REPO_ROOT
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.weather_runs import run_partition, seed

pytestmark = pytest.mark.slow

BROKER = "pyamqp://guest@127.0.0.1:5672//"
MONTHS = {"first_month": "2024-04", "last_month": "2024-09"}  # six steps, two with data


def _weather(url: str) -> list[tuple]:
    database = AppDatabase(url)
    try:
        t = WeatherData.__table__
        columns = [c for c in t.c if c.name != "ingested_at"]
        with database.engine.connect() as connection:
            return [tuple(r) for r in connection.execute(t.select().with_only_columns(*columns))]
    finally:
        database.dispose()


def _forget_weather(url: str) -> None:
    database = AppDatabase(url)
    try:
        with database.session() as session:
            session.execute(text("DELETE FROM weather_data"))
    finally:
        database.dispose()


@pytest.fixture
def celery_workers(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """Two workers as separate processes on a queue of their own; yields (queue, names)."""
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=5).close()
    except OSError as error:
        pytest.fail(f"RabbitMQ is not answering on 127.0.0.1:5672: {error}")
    queue = f"fq_test_{uuid.uuid4().hex[:8]}"
    names = [f"{queue}_w{n}@localhost" for n in (1, 2)]
    celery = Path(sys.executable).with_name("celery")
    processes = [
        subprocess.Popen(
            [
                str(celery),
                "-A",
                "dagster_celery.app",
                "worker",
                "-Q",
                queue,
                "-n",
                name,
                "-P",
                "solo",
                "--prefetch-multiplier",
                "1",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=REPO_ROOT,
            env=dict(os.environ),
            stdout=(tmp_path / f"w{n}.log").open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        for n, name in enumerate(names)
    ]
    try:
        _wait_until_ready(names)
        yield queue, names
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def _wait_until_ready(names: list[str], timeout_s: float = 60) -> None:
    from celery import Celery

    app = Celery("fq_test_ping", broker=BROKER)  # a bare client: it only sends pings
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:  # poll: each ping waits up to a second for replies
        replies = app.control.ping(destination=names, timeout=1.0) or []
        if {name for reply in replies for name in reply} == set(names):
            return
    pytest.fail(f"celery workers {names} did not answer within {timeout_s} s")


def test_steps_fan_out_over_both_workers_with_in_process_rows(
    pg_url: str, fake_open_meteo: FakeOpenMeteo, celery_workers, tmp_path: Path
) -> None:
    queue, names = celery_workers
    seed(pg_url, fake_open_meteo)
    run_partition(pg_url, fake_open_meteo, "2024-07-01")
    run_partition(pg_url, fake_open_meteo, "2024-09-01")
    ops = {"months_to_rebuild": {"config": MONTHS}}

    _forget_weather(pg_url)
    in_process = rebuild_weather_data.execute_in_process(
        run_config={"ops": ops}, resources={"database": DatabaseResource(database_url=pg_url)}
    )
    assert in_process.success
    reference = sorted(_weather(pg_url))
    assert reference

    _forget_weather(pg_url)
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        run_config = {
            "execution": {
                "config": {
                    "broker": BROKER,
                    "backend": "rpc://",
                    "config_source": {"task_default_queue": queue},
                }
            },
            "resources": {"database": {"config": {"database_url": pg_url}}},
            "ops": ops,
        }
        with dg.execute_job(
            dg.reconstructable(rebuild_weather_data_celery), instance, run_config=run_config
        ) as result:
            assert result.success
            run_id = result.run_id
        workers: dict[str, set[str]] = {}
        for record in instance.all_logs(run_id):
            entry = record.dagster_event
            metadata = getattr(getattr(entry, "event_specific_data", None), "metadata", None)
            if metadata and "Celery worker" in metadata:
                workers.setdefault(metadata["Celery worker"].value, set()).add(entry.step_key)
    assert set(workers) == set(names), workers  # every step ran on a worker, both took some
    assert sum(len(steps) for steps in workers.values()) == 2 + 6  # plan + totals + 6 months
    assert sorted(_weather(pg_url)) == reference
