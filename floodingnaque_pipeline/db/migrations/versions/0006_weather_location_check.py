"""weather_data.location_id: a set-based check per batch instead of a per-row foreign key

The foreign key fired one RI trigger per written row: on a first load it cost more than the
COPY itself (300 k rows: 1.4-1.7 s with the primary key alone, 3.9-5.2 s with the key too).
Writers now check the batch's distinct location ids once (db/references.py). The other half
of the foreign key, "a referenced location cannot go away", becomes a trigger on locations:
deleting (or renumbering) a location that weather_data rows still name is refused. Locations
are never deleted by the pipeline (they are deactivated), so the trigger costs nothing in
practice, while the per-row check it replaces was paid on every weather row.
weather_forecast keeps its foreign key: a few thousand rows per run, where the trigger is noise.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK_NAME = "fk_weather_data_location_id_locations"
GUARD = "locations_keep_referenced"
MESSAGE = "location still has weather_data rows; deactivate it (active = false) instead"

PG_GUARD = f"""
CREATE FUNCTION {GUARD}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM weather_data WHERE location_id = OLD.id) THEN
        RAISE EXCEPTION 'location % (%): {MESSAGE}', OLD.id, OLD.slug
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER {GUARD} BEFORE DELETE OR UPDATE OF id ON locations
    FOR EACH ROW EXECUTE FUNCTION {GUARD}();
"""

# SQLite: one trigger per event. Created after the batch rebuild of weather_data below, since
# SQLite checks trigger bodies when a table they name is renamed.
SQLITE_GUARDS = [
    f"""CREATE TRIGGER {GUARD}_delete BEFORE DELETE ON locations
    WHEN EXISTS (SELECT 1 FROM weather_data WHERE location_id = OLD.id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER {GUARD}_update BEFORE UPDATE OF id ON locations
    WHEN NEW.id IS NOT OLD.id
        AND EXISTS (SELECT 1 FROM weather_data WHERE location_id = OLD.id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # weather_data is partitioned (0005): the constraint lives on the parent and
        # dropping it there drops it from every partition.
        op.execute(f"ALTER TABLE weather_data DROP CONSTRAINT {FK_NAME}")
        op.execute(PG_GUARD)
        return
    with op.batch_alter_table("weather_data") as batch:
        batch.drop_constraint(FK_NAME, type_="foreignkey")
    for statement in SQLITE_GUARDS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {GUARD} ON locations")
        op.execute(f"DROP FUNCTION {GUARD}()")
        op.execute(
            f"ALTER TABLE weather_data ADD CONSTRAINT {FK_NAME} "
            "FOREIGN KEY (location_id) REFERENCES locations (id) ON DELETE CASCADE"
        )
        return
    op.execute(f"DROP TRIGGER {GUARD}_delete")
    op.execute(f"DROP TRIGGER {GUARD}_update")
    with op.batch_alter_table("weather_data") as batch:
        batch.create_foreign_key(FK_NAME, "locations", ["location_id"], ["id"], ondelete="CASCADE")
