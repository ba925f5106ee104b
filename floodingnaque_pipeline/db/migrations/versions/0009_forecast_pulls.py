"""weather_ensemble and forecast_archive: ensemble members and archived forecasts (issue 18)

weather_ensemble keeps the latest ensemble run's hourly rain per member; forecast_archive keeps
what the forecast said 1..7 days before each hour (Open-Meteo Previous Runs API), for backtests.
Both are keyed on their natural key; not partitioned (small next to weather_data).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Self-contained on purpose: migrations must not change when app types are refactored.
TIMESTAMPTZ = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _table(name: str, key: str, checks: dict[str, str]) -> None:
    op.create_table(
        name,
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("valid_at", TIMESTAMPTZ, nullable=False),
        sa.Column(key, sa.Integer(), nullable=False),
        sa.Column("precipitation_mm", sa.Float(), nullable=True),
        sa.Column("issued_at", TIMESTAMPTZ, nullable=False),
        sa.Column("raw_pull_id", BIG_ID, nullable=True),
        *(sa.CheckConstraint(sql, name=op.f(f"ck_{name}_{ck}")) for ck, sql in checks.items()),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f(f"fk_{name}_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("location_id", "valid_at", key, name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    _table(
        "weather_ensemble",
        "member",
        {
            "precipitation_non_negative": "precipitation_mm >= 0",
            "member_non_negative": "member >= 0",
        },
    )
    op.create_index("ix_weather_ensemble_valid_at", "weather_ensemble", ["valid_at"])
    _table(
        "forecast_archive",
        "lead_day",
        {
            "precipitation_non_negative": "precipitation_mm >= 0",
            "lead_day_range": "lead_day BETWEEN 1 AND 7",
        },
    )
    op.create_index(
        "ix_forecast_archive_valid_at_brin",
        "forecast_archive",
        ["valid_at"],
        postgresql_using="brin",
    )


def downgrade() -> None:
    op.drop_index("ix_forecast_archive_valid_at_brin", table_name="forecast_archive")
    op.drop_table("forecast_archive")
    op.drop_index("ix_weather_ensemble_valid_at", table_name="weather_ensemble")
    op.drop_table("weather_ensemble")
