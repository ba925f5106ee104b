"""flood_events: the date's evidence and the record number printed in the export

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER a table in place for every change; Postgres just adds.
    with op.batch_alter_table("flood_events") as batch:
        batch.add_column(sa.Column("date_evidence", sa.Text(), nullable=True))
        batch.add_column(sa.Column("source_record", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("flood_events") as batch:
        batch.drop_column("source_record")
        batch.drop_column("date_evidence")
