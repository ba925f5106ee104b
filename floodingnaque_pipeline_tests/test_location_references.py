"""weather_data.location_id without a foreign key: checked per batch, guarded on delete."""

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import exc, inspect, select, text

from floodingnaque_pipeline.db.migrate import alembic_config
from floodingnaque_pipeline.db.models import WeatherData
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import UnknownReferenceError, upsert_rows
from floodingnaque_pipeline_tests.weather_rows import WEATHER_COLUMNS, seed_locations, weather_rows

TABLE = WeatherData.__table__
EARLIER = datetime(2024, 6, 1, 1, tzinfo=UTC)


def _snapshot(database: AppDatabase) -> list[tuple]:
    with database.session() as session:
        query = select(TABLE).order_by(TABLE.c.location_id, TABLE.c.observed_at)
        return [tuple(r) for r in session.execute(query)]


@pytest.mark.parametrize("range_holds_rows", [False, True], ids=["first-load", "merge"])
def test_unknown_location_ids_are_named_and_nothing_is_written(
    app_db: AppDatabase, range_holds_rows: bool
) -> None:
    ids = seed_locations(app_db)
    with app_db.session() as session:
        if range_holds_rows:  # the batch's month then takes the merge, not the COPY
            rows = weather_rows(ids[:1], hours=800, start=EARLIER)
            upsert_rows(session.connection(), TABLE, WEATHER_COLUMNS, rows)
    before = _snapshot(app_db)
    ghost_a, ghost_b = max(ids) + 1, max(ids) + 40
    batch = weather_rows([ids[0], ghost_b, ids[1], ghost_a], hours=24)

    with pytest.raises(UnknownReferenceError) as raised, app_db.session() as session:
        upsert_rows(session.connection(), TABLE, WEATHER_COLUMNS, batch)

    message = str(raised.value)
    assert f"location_id {ghost_a}, {ghost_b} does not exist in locations" in message
    assert f"{len(batch)} rows refused, nothing written" in message
    assert _snapshot(app_db) == before


def test_deleting_a_location_that_weather_rows_name_is_refused(app_db: AppDatabase) -> None:
    ids = seed_locations(app_db)
    used, unused = ids[0], ids[1]
    with app_db.session() as session:
        upsert_rows(session.connection(), TABLE, WEATHER_COLUMNS, weather_rows([used], hours=5))
    before = _snapshot(app_db)

    for statement in (
        f"DELETE FROM locations WHERE id = {used}",
        f"UPDATE locations SET id = {max(ids) + 100} WHERE id = {used}",
    ):
        with pytest.raises(exc.DBAPIError, match="deactivate it"), app_db.session() as session:
            session.execute(text(statement))

    with app_db.session() as session:  # what operators do instead, and unreferenced rows
        session.execute(text(f"UPDATE locations SET active = false WHERE id = {used}"))
        session.execute(text(f"DELETE FROM locations WHERE id = {unused}"))
    with app_db.session() as session:
        remaining = set(session.execute(text("SELECT id FROM locations")).scalars())
    assert used in remaining and unused not in remaining
    assert _snapshot(app_db) == before


def test_downgrade_restores_the_foreign_key(app_db: AppDatabase) -> None:
    assert inspect(app_db.engine).get_foreign_keys("weather_data") == []
    with app_db.engine.connect() as connection:
        command.downgrade(alembic_config(connection), "0005")
        connection.commit()
    keys = inspect(app_db.engine).get_foreign_keys("weather_data")
    assert [(k["referred_table"], k["constrained_columns"]) for k in keys] == [
        ("locations", ["location_id"])
    ]
    ids = seed_locations(app_db)
    with app_db.session() as session:  # back to the cascade the foreign key had
        upsert_rows(session.connection(), TABLE, WEATHER_COLUMNS, weather_rows([ids[0]], 3))
    with app_db.session() as session:
        session.execute(text(f"DELETE FROM locations WHERE id = {ids[0]}"))
    assert _snapshot(app_db) == []
