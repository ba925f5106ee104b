"""model_versions: which model is served, and that model's own numbers

serving_mode says whether the stored artifact is the evaluated model or a refit on all
labelled years; served_metrics holds the served artifact's own (training-year, out-of-fold)
numbers, kept apart from the out-of-time `metrics` of the procedure.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("model_versions") as batch:
        batch.add_column(sa.Column("serving_mode", sa.String(32), nullable=True))
        batch.add_column(sa.Column("served_metrics", JSON_DOC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_versions") as batch:
        batch.drop_column("served_metrics")
        batch.drop_column("serving_mode")
