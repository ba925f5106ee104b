"""flood_events.range_day: a record printed with a date range ("1 and 2") labels every day

One CDRRMO record now gives one row per day of its printed range, numbered 0, 1 ... by
`range_day` (0 for a one-day record, i.e. every row stored so far). The key of a stored event
becomes (source_file, source_row, range_day).

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "flood_events"
OLD = "uq_flood_events_source_file_source_row"
NEW = "uq_flood_events_source_file_source_row_range_day"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(
            sa.Column("range_day", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch.drop_constraint(OLD, type_="unique")
        batch.create_unique_constraint(NEW, ["source_file", "source_row", "range_day"])


def downgrade() -> None:
    # The later days of a range have no place under the old key: keep each record's first day.
    op.execute(f"DELETE FROM {TABLE} WHERE range_day > 0")
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint(NEW, type_="unique")
        batch.create_unique_constraint(OLD, ["source_file", "source_row"])
        batch.drop_column("range_day")
