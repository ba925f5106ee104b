"""Both instance configs load into a real DagsterInstance and keep what they promise.

./dagster.yaml is loaded the way `dagster dev` loads it with no DAGSTER_HOME (a temporary home,
the config from the working directory); deploy/dagster.yaml the way the image loads it, against a
throwaway Postgres database through the DAGSTER_PG_* variables.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef

from floodingnaque_pipeline_tests.conftest import REPO_ROOT, create_pg_database, drop_pg_database
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.weather_runs import run_partition, seed

HTTP_LOGGER = "floodingnaque_pipeline.sources.http_client"


@dg.asset
def probe() -> int:
    return 1


@contextmanager
def _instance(temporary_home: Path, config_dir: Path) -> Iterator[dg.DagsterInstance]:
    """What `dagster dev` does without DAGSTER_HOME: InstanceRef.from_dir(tmp, config_dir=cwd)."""
    temporary_home.mkdir(exist_ok=True)
    ref = InstanceRef.from_dir(str(temporary_home), config_dir=str(config_dir))
    with dg.DagsterInstance.from_ref(ref) as instance:
        yield instance


@pytest.fixture
def in_fresh_clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory `dagster dev` would run in, holding the repo's dagster.yaml."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dagster.yaml").write_bytes((REPO_ROOT / "dagster.yaml").read_bytes())
    return tmp_path


def test_local_instance_keeps_runs_across_restarts(in_fresh_clone: Path) -> None:
    with _instance(in_fresh_clone / ".tmp_dagster_home_a", in_fresh_clone) as instance:
        assert dg.materialize([probe], instance=instance).success
        run_id = instance.get_runs()[0].run_id
    # The next start gets a new temporary home; the storage does not live there.
    with _instance(in_fresh_clone / ".tmp_dagster_home_b", in_fresh_clone) as instance:
        assert [r.run_id for r in instance.get_runs()] == [run_id]
        assert instance.get_latest_materialization_event(dg.AssetKey("probe")) is not None
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        assert not instance.telemetry_enabled
    # Relative paths resolve against the working directory (the repo root in real use).
    storage = in_fresh_clone / ".dagster_local"
    assert (storage / "history" / "runs.db").is_file()
    assert (storage / "schedules" / "schedules.db").is_file()
    assert any((storage / "logs").rglob("*.complete")), "step logs are kept beside the runs"
    assert not any((in_fresh_clone / ".tmp_dagster_home_b").iterdir())


def test_local_instance_puts_http_retries_in_the_run_log(
    in_fresh_clone: Path, sqlite_url: str, fake_open_meteo: FakeOpenMeteo
) -> None:
    seed(sqlite_url, fake_open_meteo)
    fake_open_meteo.inject("500", times=1)
    with _instance(in_fresh_clone / ".tmp_dagster_home", in_fresh_clone) as instance:
        result = run_partition(sqlite_url, fake_open_meteo, "2024-03-01", instance=instance)
        assert result.success
        records = [r for r in instance.all_logs(result.run_id) if r.user_message]
    retries = [r for r in records if "attempt 1 of 3 failed: HTTP 500" in r.user_message]
    assert retries and retries[0].level == 30  # WARNING
    assert "retrying in " in retries[0].user_message
    requests_logged = [r.user_message for r in records if r.user_message.startswith("GET http")]
    assert any("start_date=2024-02-" in m and "(attempt 2 of 3)" in m for m in requests_logged)


def test_deploy_instance_uses_postgres_and_the_run_queue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = create_pg_database()
    try:
        for name, value in {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": "5432",
            "DAGSTER_PG_USER": "postgres",
            "DAGSTER_PG_PASSWORD": "",
            "DAGSTER_PG_DB": database,
        }.items():
            monkeypatch.setenv(name, value)
        with _instance(tmp_path / "home", REPO_ROOT / "deploy") as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
            queue = instance.get_concurrency_config().run_queue_config
            assert queue is not None and queue.max_concurrent_runs == 4
            assert instance.run_retries_enabled and instance.run_retries_max_retries == 1
            assert HTTP_LOGGER in instance.managed_python_loggers
            assert dg.materialize([probe], instance=instance).success
        with _instance(tmp_path / "home", REPO_ROOT / "deploy") as instance:
            assert len(instance.get_runs()) == 1  # stored in Postgres, not in the home folder
        assert not list((tmp_path / "home").glob("**/*.db"))
    finally:
        drop_pg_database(database)
