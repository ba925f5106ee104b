"""Alembic history vs the models, on both backends."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from floodingnaque_pipeline.db.migrate import current_revision, downgrade_to_base, head_revision
from floodingnaque_pipeline.db.models import Base
from floodingnaque_pipeline.db.session import AppDatabase


def _schema_diff(database: AppDatabase) -> list:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_upgrade_downgrade_upgrade_matches_models(db_url: str) -> None:
    database = AppDatabase(db_url)
    try:
        assert current_revision(database.engine) is None
        database.migrate()
        assert current_revision(database.engine) == head_revision()
        tables = set(inspect(database.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert _schema_diff(database) == []

        downgrade_to_base(database.engine)
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}

        database.migrate()
        database.migrate()  # idempotent
        assert current_revision(database.engine) == head_revision()
        assert _schema_diff(database) == []
    finally:
        database.dispose()


def test_weather_data_time_range_index_exists(app_db: AppDatabase) -> None:
    inspector = inspect(app_db.engine)
    primary_key = inspector.get_pk_constraint("weather_data")["constrained_columns"]
    # The natural key leads with (location_id, observed_at): one location's time range is a
    # single index range scan.
    assert primary_key[:2] == ["location_id", "observed_at"]
    assert set(primary_key) == {"location_id", "source", "observed_at"}
    indexed = {tuple(ix["column_names"]) for ix in inspector.get_indexes("weather_data")}
    assert ("observed_at",) in indexed
