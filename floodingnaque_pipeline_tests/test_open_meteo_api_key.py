"""OPEN_METEO_API_KEY and keys written into OPEN_METEO_*_URL: sent to the server, shown nowhere.

Nowhere means: Python log lines (urllib3 included), Dagster's event log, run config, the job
snapshot, the resources' config as the UI shows it, raw_weather_pulls, asset metadata and the
text of the failure when the server refuses the key (the stand-in echoes the key it was given).
"""

import logging

import dagster as dg
import pytest
from dagster._core.remote_representation.external_data import RepositorySnap
from dagster._serdes import serialize_value

from floodingnaque_pipeline.defs.weather.raw import open_meteo_raw
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.open_meteo import OpenMeteoResource, open_meteo_from_env
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.weather_runs import pulls_snapshot, seed

PARTITION = "2024-03-01"
API_KEY = "om-key-5f1c9d2e7a"
URL_TOKEN = "url-token-8b3e6c0f4d"
SECRETS = (API_KEY, URL_TOKEN)


@pytest.fixture
def keyed_env(monkeypatch: pytest.MonkeyPatch, fake_open_meteo: FakeOpenMeteo) -> FakeOpenMeteo:
    """The key as OPEN_METEO_API_KEY, and a second secret inside the archive URL."""
    fake_open_meteo.required_apikey = API_KEY
    monkeypatch.setenv("OPEN_METEO_API_KEY", API_KEY)
    monkeypatch.setenv("OPEN_METEO_ARCHIVE_URL", f"{fake_open_meteo.archive_url}?token={URL_TOKEN}")
    monkeypatch.setenv("OPEN_METEO_FORECAST_URL", fake_open_meteo.forecast_url)
    return fake_open_meteo


def _materialize(db_url: str, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    resources = {
        "database": DatabaseResource(database_url=db_url),
        "open_meteo": open_meteo_from_env(),
    }
    return dg.materialize(
        [open_meteo_raw],
        partition_key=PARTITION,
        resources=resources,
        instance=instance,
        raise_on_error=False,
    )


def _run_texts(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> list[str]:
    """Everything Dagster kept about the run, as text."""
    run = instance.get_run_by_id(result.run_id)
    assert run is not None
    snapshot = instance.get_job_snapshot(run.job_snapshot_id)
    events = [serialize_value(e) for e in instance.all_logs(result.run_id)]
    return [serialize_value(run.run_config), serialize_value(snapshot), *events]


def _assert_no_secret(texts: list[str]) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, text[max(0, text.find(secret) - 200) :][:400]


def test_key_reaches_the_server_and_is_shown_nowhere(
    sqlite_url: str, keyed_env: FakeOpenMeteo, caplog: pytest.LogCaptureFixture
) -> None:
    seed(sqlite_url, keyed_env)
    keyed_env.reset_requests()
    caplog.set_level(logging.DEBUG)
    with dg.instance_for_test() as instance:
        result = _materialize(sqlite_url, instance)
        assert result.success
        texts = _run_texts(instance, result)
    (path, params), *_ = keyed_env.requests
    assert path == "/v1/archive" and params["apikey"] == API_KEY and params["token"] == URL_TOKEN
    (materialization,) = result.asset_materializations_for_node("open_meteo_raw")
    pulls = pulls_snapshot(sqlite_url)
    assert pulls and all("apikey" not in str(row) for row in pulls)  # the key is not stored
    assert any("token=***" in str(row) for row in pulls)  # the URL's own secret masked
    assert "apikey=***" in caplog.text  # the debug log shows the request, key masked
    _assert_no_secret([*texts, serialize_value(materialization.metadata), caplog.text])
    _assert_no_secret([str(row) for row in pulls])


def test_a_refused_key_fails_without_showing_it(
    sqlite_url: str, keyed_env: FakeOpenMeteo, caplog: pytest.LogCaptureFixture
) -> None:
    seed(sqlite_url, keyed_env)
    keyed_env.required_apikey = "the-right-key"  # the server refuses ours and echoes it back
    caplog.set_level(logging.DEBUG)
    with dg.instance_for_test() as instance:
        result = _materialize(sqlite_url, instance)
        assert not result.success
        texts = _run_texts(instance, result)
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = serialize_value(failure.event_specific_data.error)
    assert "HTTP 401" in message and "is invalid or missing" in message
    assert "***" in message  # the echoed key, masked
    _assert_no_secret([message, *texts, caplog.text])


def _resources_as_shown(open_meteo: OpenMeteoResource) -> str:
    """The resources' config the way the UI gets it (the code location's repository snapshot)."""
    defs = dg.Definitions(
        assets=[open_meteo_raw],
        resources={
            "open_meteo": open_meteo,
            "database": DatabaseResource(database_url="sqlite://"),
        },
    )
    snap = RepositorySnap.from_def(defs.get_repository_def())
    return serialize_value(snap)


def test_the_ui_shows_variable_names_not_keys(keyed_env: FakeOpenMeteo) -> None:
    shown = _resources_as_shown(open_meteo_from_env())
    _assert_no_secret([shown])
    assert "OPEN_METEO_API_KEY" in shown and "OPEN_METEO_ARCHIVE_URL" in shown
    assert keyed_env.forecast_url in shown  # a URL without a secret stays readable
    # The check sees a key wherever config holds it in plain text.
    leaky = OpenMeteoResource(api_key=API_KEY, archive_url=f"http://x/v1/archive?token={URL_TOKEN}")
    assert all(secret in _resources_as_shown(leaky) for secret in SECRETS)
