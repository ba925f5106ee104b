"""Ensemble and archived-forecast pulls through Dagster, real DBs, the real loopback stand-in."""

from datetime import UTC, date, datetime, timedelta

import dagster as dg
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from floodingnaque_pipeline.db.forecast_inputs import archived_forecast_frame, ensemble_rain_frame
from floodingnaque_pipeline.db.models import (
    ForecastArchive,
    Location,
    RawWeatherPull,
    WeatherEnsemble,
)
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.defs.ml.risk import flood_risk
from floodingnaque_pipeline.defs.weather.archived_forecasts import archived_forecast_raw
from floodingnaque_pipeline.defs.weather.ensemble import open_meteo_ensemble
from floodingnaque_pipeline_tests.fakes import weather_model
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.weather_runs import (
    WEATHER_ASSETS,
    as_of_config,
    resources,
    seed,
)

TODAY = date(2025, 8, 1)
AS_OF = datetime(2025, 8, 1, 3, 20, tzinfo=UTC)
MEMBERS = 40  # icon_seamless: control + 39 members (fakes/forecast_runs.py)


@pytest.fixture
def fake() -> FakeOpenMeteo:
    with FakeOpenMeteo(today=TODAY) as server:
        yield server


def _resources(db_url: str, fake: FakeOpenMeteo, **settings: object) -> dict:
    urls = {"ensemble_url": fake.ensemble_url, "previous_runs_url": fake.previous_runs_url}
    return resources(db_url, fake, **(urls | settings))


def _ensemble(db_url: str, fake: FakeOpenMeteo, **settings: object) -> dict:
    result = dg.materialize(
        [open_meteo_ensemble],
        resources=_resources(db_url, fake, **settings),
        run_config=as_of_config(AS_OF, [open_meteo_ensemble]),
    )
    assert result.success
    meta = result.asset_materializations_for_node("open_meteo_ensemble")[0].metadata
    return {k: v.value for k, v in meta.items()}


def _read(db_url: str, reader, start: datetime, end: datetime):
    database = AppDatabase(db_url)
    try:
        with database.session() as session:
            return reader(session, start, end)
    finally:
        database.dispose()


def _table(db_url: str, model: type, source: str) -> tuple[list[tuple], list[tuple]]:
    """(normalised rows, raw pulls of that source without the payload)."""
    database = AppDatabase(db_url)
    try:
        with database.session() as session:
            t = model.__table__
            rows = [tuple(r) for r in session.execute(t.select().order_by(*t.primary_key))]
            p = RawWeatherPull.__table__
            cols = [c for c in p.c if c.name != "payload"]
            pulls = session.execute(
                select(*cols).where(p.c.source == source).order_by(p.c.id)
            ).all()
            return rows, [tuple(r) for r in pulls]
    finally:
        database.dispose()


def test_ensemble_pull_stores_the_response_and_every_member(
    db_url: str, fake: FakeOpenMeteo
) -> None:
    seed(db_url, fake)
    meta = _ensemble(db_url, fake)
    assert meta["ensemble_status"] == "ok"
    assert meta["members"] == MEMBERS
    rows, pulls = _table(db_url, WeatherEnsemble, "open_meteo_ensemble")
    assert len(rows) == 16 * 3 * 24 * MEMBERS
    assert len(pulls) == 1
    pull = dict(zip([c.name for c in RawWeatherPull.__table__.c if c.name != "payload"],
                    pulls[0], strict=True))  # fmt: skip
    assert pull["payload_sha256"] and pull["run_id"]
    assert pull["request_params"]["models"] == "icon_seamless"
    assert {r[-1] for r in rows} == {pull["id"]}

    frame = _read(db_url, ensemble_rain_frame, AS_OF, AS_OF + timedelta(hours=24))
    assert list(frame.columns) == ["location_id", "member", "valid_at", "precipitation_mm",
                                   "issued_at"]  # fmt: skip
    assert frame["member"].dtype == np.int64 and set(frame["member"]) == set(range(MEMBERS))
    assert str(frame["valid_at"].dt.tz) == "UTC"
    assert frame["valid_at"].min() >= AS_OF and frame["valid_at"].max() <= AS_OF + timedelta(1)
    assert set(frame["issued_at"]) == {datetime(2025, 8, 1, 3, tzinfo=UTC)}
    # Member 0 is the control run: the stand-in's deterministic forecast, hour for hour.
    first = frame[frame["location_id"] == frame["location_id"].min()]
    control = first[first["member"] == 0]
    assert len(control) == 24
    deterministic = _observed(db_url, control["valid_at"])
    assert np.allclose(control["precipitation_mm"].to_numpy(), deterministic)
    assert first.groupby("member")["precipitation_mm"].sum().nunique() > 1  # members differ

    again = _ensemble(db_url, fake)  # same hour re-pulled: same rows, same single raw row
    assert again["rows"] == meta["rows"]
    assert _table(db_url, WeatherEnsemble, "open_meteo_ensemble") == (rows, pulls)


@pytest.mark.parametrize(
    ("fault", "options", "said"),
    [
        ("500", {}, "HTTP 500"),
        ("slow", {"seconds": 3}, "timed out"),
        ("wrong_unit", {}, "unit"),
    ],
)
def test_a_failed_ensemble_pull_is_recorded_and_the_hourly_path_goes_on(
    db_url: str, fake: FakeOpenMeteo, fault: str, options: dict, said: str
) -> None:
    seed(db_url, fake)
    _ensemble(db_url, fake)  # an earlier run is stored
    fake.inject(fault, times=10, path="/v1/ensemble", **options)
    assets = [*WEATHER_ASSETS, open_meteo_ensemble, flood_risk]  # the hourly job's path
    result = dg.materialize(
        assets,
        partition_key="2025-08-01",
        resources=_resources(db_url, fake, read_timeout_s=0.5, total_timeout_s=1.0),
        run_config=as_of_config(AS_OF, assets),
    )
    assert result.success  # the weather, the forecast and the risk went on
    meta = result.asset_materializations_for_node("open_meteo_ensemble")[0].metadata
    status = meta["ensemble_status"].value
    assert status.startswith("failed: ") and said in status
    assert meta["cleared_rows"].value == 16 * 3 * 24 * MEMBERS
    assert result.asset_materializations_for_node("weather_forecast")
    risk = result.asset_materializations_for_node("flood_risk")[0].metadata
    assert "no ensemble" in risk["ensemble"].value  # the deterministic fallback, said
    frame = _read(db_url, ensemble_rain_frame, AS_OF, AS_OF + timedelta(hours=24))
    assert frame.empty and list(frame.columns)[:2] == ["location_id", "member"]


def _archive(db_url: str, fake: FakeOpenMeteo, partition: str, **kw) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [archived_forecast_raw],
        partition_key=partition,
        resources=_resources(db_url, fake),
        **kw,
    )


def test_archived_forecasts_for_a_month_then_rerun_is_identical(
    db_url: str, fake: FakeOpenMeteo
) -> None:
    seed(db_url, fake)
    assert _archive(db_url, fake, "2024-07-01").success
    rows, pulls = _table(db_url, ForecastArchive, "open_meteo_previous_runs")
    assert len(rows) == 16 * 31 * 24 * 7
    assert len(pulls) == 1 and pulls[0][-1]  # run id
    assert _archive(db_url, fake, "2024-07-01").success
    assert _table(db_url, ForecastArchive, "open_meteo_previous_runs") == (rows, pulls)

    start = datetime(2024, 7, 1, tzinfo=UTC)
    frame = _read(db_url, archived_forecast_frame, start, start + timedelta(days=10))
    assert list(frame.columns) == ["location_id", "valid_at", "precipitation_mm", "lead_day",
                                   "issued_at"]  # fmt: skip
    assert set(frame["lead_day"]) == set(range(1, 8))
    hour_start = frame["valid_at"] - timedelta(hours=1)
    expected = hour_start.dt.floor("D") - pd.to_timedelta(frame["lead_day"], unit="D")
    assert (frame["issued_at"] == expected).all()
    # The archive's error grows with lead: compare with the stand-in's observed rain.
    one = frame[frame["location_id"] == frame["location_id"].min()]
    observed = _observed(db_url, one["valid_at"])
    error = (one["precipitation_mm"].to_numpy() - observed) ** 2
    by_lead = [error[one["lead_day"].to_numpy() == d].mean() for d in (1, 7)]
    assert by_lead[0] < by_lead[1]


def test_a_malformed_archive_response_fails_the_month_and_writes_nothing(
    db_url: str, fake: FakeOpenMeteo
) -> None:
    seed(db_url, fake)
    fake.inject("ragged", path="/previous-runs/v1/forecast")
    result = _archive(db_url, fake, "2024-07-01", raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.message
    assert "Previous Runs response rejected" in failure
    assert "OPEN_METEO_PREVIOUS_RUNS_URL" in failure
    assert _table(db_url, ForecastArchive, "open_meteo_previous_runs") == ([], [])


def test_hours_before_the_archive_began_are_left_out(db_url: str, fake: FakeOpenMeteo) -> None:
    seed(db_url, fake)
    assert _archive(db_url, fake, "2024-01-01").success
    database = AppDatabase(db_url)
    try:
        with database.session() as session:
            first = session.scalar(select(func.min(ForecastArchive.valid_at)))
    finally:
        database.dispose()
    assert first == datetime(2024, 1, 1, tzinfo=UTC)  # Manila month starts 2023-12-31 16:00Z


def _observed(db_url: str, valid_at: pd.Series) -> np.ndarray:
    """The stand-in's own rain at the first location for those hours (its truth)."""
    database = AppDatabase(db_url)
    try:
        with database.session() as session:
            loc = session.scalars(select(Location).order_by(Location.id)).first()
            lat, lon = loc.latitude, loc.longitude
    finally:
        database.dispose()
    hours = valid_at.dt.tz_localize(None).to_numpy().astype("datetime64[h]")
    return weather_model.generate(lat, lon, hours)["precipitation"]


def test_an_ensemble_url_that_is_not_the_ensemble_api_is_named(
    db_url: str, fake: FakeOpenMeteo
) -> None:
    seed(db_url, fake)
    meta = _ensemble(db_url, fake, ensemble_url=fake.forecast_url)  # the deterministic API
    assert "no ensemble members" in meta["ensemble_status"]
    assert "is the URL the ensemble API?" in meta["ensemble_status"]
    assert _table(db_url, WeatherEnsemble, "open_meteo_ensemble") == ([], [])
