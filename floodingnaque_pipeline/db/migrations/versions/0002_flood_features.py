"""flood_features: the model's daily training table

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Self-contained on purpose: migrations must not change when app types are refactored.
TIMESTAMPTZ = sa.DateTime(timezone=True)
FEATURE_COLUMNS = (
    "rain_1d_mm", "rain_2d_mm", "rain_3d_mm", "rain_7d_mm", "api_mm", "max_1h_mm", "max_3h_mm",
    "humidity_pct", "temperature_c",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "flood_features",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("label", sa.Boolean(), nullable=True),
        *[sa.Column(name, sa.Float(), nullable=True) for name in FEATURE_COLUMNS],
        sa.Column("doy_sin", sa.Float(), nullable=False),
        sa.Column("doy_cos", sa.Float(), nullable=False),
        sa.Column("rain_source", sa.String(length=64), nullable=False),
        sa.Column(
            "built_at", TIMESTAMPTZ, server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False
        ),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_flood_features_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("location_id", "day", name=op.f("pk_flood_features")),
    )


def downgrade() -> None:
    op.drop_table("flood_features")
