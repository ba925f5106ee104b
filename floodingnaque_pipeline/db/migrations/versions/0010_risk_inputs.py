"""flood_predictions: what each risk row was decided from

observed_share: the share of the day's rain window (08:00 D -> 08:00 D+1 Manila) observed when
the row was issued; forecast_issued_at: the issue time of the forecast that filled the rest;
inputs: rain so far, forecast rain, prior rain, propensity, the PAGASA rule reached, the
probability and the model version; probability_p10 / _p90: the spread over ensemble members.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TABLE = "flood_predictions"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("observed_share", sa.Float(), nullable=True))
        batch.add_column(sa.Column("forecast_issued_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("inputs", JSON_DOC, nullable=True))
        batch.add_column(sa.Column("probability_p10", sa.Float(), nullable=True))
        batch.add_column(sa.Column("probability_p90", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        for column in ("probability_p90", "probability_p10", "inputs", "forecast_issued_at",
                       "observed_share"):  # fmt: skip
            batch.drop_column(column)
