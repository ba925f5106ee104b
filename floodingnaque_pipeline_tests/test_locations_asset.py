"""The `locations` asset through Dagster with the real resource, on both backends."""

import importlib
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import select

from floodingnaque_pipeline import definitions
from floodingnaque_pipeline.db.models import Location
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.defs.locations import locations
from floodingnaque_pipeline.locations import (
    LocationFileError,
    load_default_locations,
    parse_locations_csv,
)
from floodingnaque_pipeline.resources.database import DatabaseResource


def _metadata(result: dg.ExecuteInProcessResult) -> dict:
    (materialization,) = result.asset_materializations_for_node("locations")
    return {k: v.value for k, v in materialization.metadata.items()}


def test_materializes_and_second_run_changes_nothing(db_url: str) -> None:
    resource = DatabaseResource(database_url=db_url)
    first = dg.materialize([locations], resources={"database": resource})
    assert first.success
    assert _metadata(first)["inserted"] == 16
    database = AppDatabase(db_url)
    try:
        with database.session() as session:
            stored = session.scalars(select(Location).order_by(Location.id)).all()
            snapshot = [(x.id, x.slug, x.name, x.latitude, x.longitude, x.active) for x in stored]
        expected = [(m.slug, m.name, m.latitude, m.longitude) for m in load_default_locations()]
        assert [row[1:5] for row in snapshot] == expected
        assert "Santo Niño" in [row[2] for row in snapshot]

        second = dg.materialize([locations], resources={"database": resource})
        meta = _metadata(second)
        assert (meta["inserted"], meta["updated"], meta["unchanged"]) == (0, 0, 16)
        with database.session() as session:
            again = session.scalars(select(Location).order_by(Location.id)).all()
            assert [(x.id, x.slug, x.name, x.latitude, x.longitude, x.active) for x in again] == (
                snapshot
            )
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("far,Far Away,95.0,121.0", "line 3 ('far'): latitude 95.0 is outside -90..90"),
        ("tambo,Tambo Again,14.5,120.99", "line 3 ('tambo'): duplicate slug"),
        ("west,West,14.5,-200", "longitude -200.0 is outside"),
    ],
)
def test_bad_row_fails_the_run_naming_the_row(
    tmp_path: Path, sqlite_url: str, bad_line: str, message: str
) -> None:
    path = tmp_path / "locations.csv"
    path.write_text(f"slug,name,latitude,longitude\ntambo,Tambo,14.52,120.99\n{bad_line}\n")
    result = dg.materialize(
        [locations],
        resources={"database": DatabaseResource(database_url=sqlite_url)},
        run_config={"ops": {"locations": {"config": {"locations_file": str(path)}}}},
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert message in str(failure.event_specific_data.error)
    with pytest.raises(LocationFileError, match="line 3"):
        parse_locations_csv(path.read_text())


def test_definitions_load_with_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    fresh = importlib.reload(definitions).defs
    dg.Definitions.validate_loadable(fresh)
    assert dg.AssetKey("locations") in {a.key for a in fresh.resolve_all_asset_specs()}
