"""raw_weather_pulls.http_status: dropped, it was always 200

Only successful responses are stored (a failed request raises before anything is written), so
the column never held anything but 200. `status` stays: the data contract lists it.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "raw_weather_pulls"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Partitioned (0005): dropping the column on the parent drops it from every partition.
        op.drop_column(TABLE, "http_status")
        return
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("http_status")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.add_column(TABLE, sa.Column("http_status", sa.Integer(), nullable=True))
    else:
        with op.batch_alter_table(TABLE) as batch:
            batch.add_column(sa.Column("http_status", sa.Integer(), nullable=True))
    # What every stored pull had before the upgrade.
    op.execute(f"UPDATE {TABLE} SET http_status = 200 WHERE status = 'ok'")
