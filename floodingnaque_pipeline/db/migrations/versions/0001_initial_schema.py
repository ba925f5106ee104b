"""Initial schema: every table of DESIGN.md

Revision ID: 0001
Revises:
Create Date: 2026-11-25 17:09:13.410795
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Self-contained on purpose: migrations must not change when app types are refactored.
TIMESTAMPTZ = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "flood_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("barangay", sa.String(length=64), nullable=False),
        sa.Column(
            "barangay_inferred", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("location_text", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("depth_class", sa.String(length=16), nullable=True),
        sa.Column("depth_in", sa.Integer(), nullable=True),
        sa.Column("weather_disturbance", sa.Text(), nullable=True),
        sa.Column("source_file", sa.String(length=512), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column(
            "ingested_at", TIMESTAMPTZ, server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False
        ),
        sa.CheckConstraint("depth_in > 0", name=op.f("ck_flood_events_depth_positive")),
        sa.CheckConstraint(
            "latitude BETWEEN -90 AND 90", name=op.f("ck_flood_events_latitude_range")
        ),
        sa.CheckConstraint(
            "longitude BETWEEN -180 AND 180", name=op.f("ck_flood_events_longitude_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flood_events")),
        sa.UniqueConstraint(
            "source_file", "source_row", name=op.f("uq_flood_events_source_file_source_row")
        ),
    )
    op.create_index("ix_flood_events_event_date", "flood_events", ["event_date"], unique=False)
    op.create_table(
        "ingest_rejections",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("file", sa.String(length=512), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("raw_row", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", TIMESTAMPTZ, server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_rejections")),
    )
    op.create_index(
        "ix_ingest_rejections_source_file", "ingest_rejections", ["source", "file"], unique=False
    )
    op.create_table(
        "locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name=op.f("ck_locations_latitude_range")),
        sa.CheckConstraint(
            "longitude BETWEEN -180 AND 180", name=op.f("ck_locations_longitude_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint("slug", name=op.f("uq_locations_slug")),
    )
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", TIMESTAMPTZ, server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False
        ),
        sa.Column("algorithm", sa.String(length=256), nullable=False),
        sa.Column("params", JSON_DOC, nullable=False),
        sa.Column("features", JSON_DOC, nullable=False),
        sa.Column("train_start", sa.Date(), nullable=True),
        sa.Column("train_end", sa.Date(), nullable=True),
        sa.Column("test_start", sa.Date(), nullable=True),
        sa.Column("test_end", sa.Date(), nullable=True),
        sa.Column("evaluation_scheme", sa.String(length=32), nullable=True),
        sa.Column("metrics", JSON_DOC, nullable=False),
        sa.Column("baseline_metrics", JSON_DOC, nullable=False),
        sa.Column("thresholds", JSON_DOC, nullable=True),
        sa.Column("artifact", sa.LargeBinary(), nullable=False),
        sa.Column("artifact_sha256", sa.String(length=64), nullable=False),
        sa.Column("is_current", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("not_current_reason", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_model_versions_version")),
    )
    op.create_index(
        "uq_model_versions_one_current",
        "model_versions",
        ["is_current"],
        unique=True,
        postgresql_where=sa.text("is_current"),
        sqlite_where=sa.text("is_current"),
    )
    op.create_table(
        "raw_weather_pulls",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("pull_key", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("endpoint", sa.String(length=512), nullable=False),
        sa.Column("request_params", JSON_DOC, nullable=False),
        sa.Column("location_ids", JSON_DOC, nullable=False),
        sa.Column("window_start", TIMESTAMPTZ, nullable=False),
        sa.Column("window_end", TIMESTAMPTZ, nullable=False),
        sa.Column("fetched_at", TIMESTAMPTZ, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("payload", JSON_DOC, nullable=True),
        sa.Column("payload_sha256", sa.String(length=64), nullable=True),
        sa.Column("payload_bytes", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_weather_pulls")),
        sa.UniqueConstraint("pull_key", name=op.f("uq_raw_weather_pulls_pull_key")),
    )
    op.create_index(
        "ix_raw_weather_pulls_source_window",
        "raw_weather_pulls",
        ["source", "window_start", "window_end"],
        unique=False,
    )
    op.create_table(
        "station_observations",
        sa.Column("station", sa.String(length=32), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("rainfall_mm", sa.Float(), nullable=True),
        sa.Column("rainfall_trace", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("tmax_c", sa.Float(), nullable=True),
        sa.Column("tmin_c", sa.Float(), nullable=True),
        sa.Column("relative_humidity_pct", sa.Float(), nullable=True),
        sa.Column("wind_speed_ms", sa.Float(), nullable=True),
        sa.Column("wind_direction_deg", sa.Float(), nullable=True),
        sa.Column("source_file", sa.String(length=512), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column(
            "ingested_at", TIMESTAMPTZ, server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False
        ),
        sa.CheckConstraint(
            "rainfall_mm >= 0", name=op.f("ck_station_observations_rainfall_non_negative")
        ),
        sa.CheckConstraint(
            "relative_humidity_pct BETWEEN 0 AND 100",
            name=op.f("ck_station_observations_humidity_range"),
        ),
        sa.CheckConstraint(
            "tmax_c BETWEEN -40 AND 60", name=op.f("ck_station_observations_tmax_range")
        ),
        sa.CheckConstraint(
            "tmin_c BETWEEN -40 AND 60", name=op.f("ck_station_observations_tmin_range")
        ),
        sa.CheckConstraint(
            "wind_direction_deg BETWEEN 0 AND 360",
            name=op.f("ck_station_observations_wind_direction_range"),
        ),
        sa.CheckConstraint(
            "wind_speed_ms >= 0", name=op.f("ck_station_observations_wind_speed_non_negative")
        ),
        sa.PrimaryKeyConstraint("station", "observed_on", name=op.f("pk_station_observations")),
    )
    op.create_index(
        "ix_station_observations_source_file", "station_observations", ["source_file"], unique=False
    )
    op.create_table(
        "flood_predictions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("valid_for", sa.Date(), nullable=False),
        sa.Column("horizon_days", sa.SmallInteger(), nullable=False),
        sa.Column("issued_at", TIMESTAMPTZ, nullable=False),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("risk_level", sa.SmallInteger(), nullable=False),
        sa.Column("reasons", JSON_DOC, nullable=False),
        sa.Column("model_version_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", TIMESTAMPTZ, server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False
        ),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "horizon_days >= 0", name=op.f("ck_flood_predictions_horizon_non_negative")
        ),
        sa.CheckConstraint(
            "probability BETWEEN 0 AND 1", name=op.f("ck_flood_predictions_probability_range")
        ),
        sa.CheckConstraint(
            "risk_level IN (0, 1, 2)", name=op.f("ck_flood_predictions_risk_level_values")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_flood_predictions_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["model_version_id"],
            ["model_versions.id"],
            name=op.f("fk_flood_predictions_model_version_id_model_versions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flood_predictions")),
        sa.UniqueConstraint(
            "location_id",
            "valid_for",
            "issued_at",
            name=op.f("uq_flood_predictions_location_id_valid_for_issued_at"),
        ),
    )
    op.create_table(
        "weather_data",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("observed_at", TIMESTAMPTZ, nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("temperature_c", sa.Float(), nullable=True),
        sa.Column("relative_humidity_pct", sa.Float(), nullable=True),
        sa.Column("precipitation_mm", sa.Float(), nullable=True),
        sa.Column("pressure_hpa", sa.Float(), nullable=True),
        sa.Column("wind_speed_kmh", sa.Float(), nullable=True),
        sa.Column("raw_pull_id", BIG_ID, nullable=True),
        sa.Column(
            "ingested_at", TIMESTAMPTZ, server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False
        ),
        sa.CheckConstraint(
            "precipitation_mm >= 0", name=op.f("ck_weather_data_precipitation_non_negative")
        ),
        sa.CheckConstraint(
            "pressure_hpa BETWEEN 800 AND 1100", name=op.f("ck_weather_data_pressure_range")
        ),
        sa.CheckConstraint(
            "relative_humidity_pct BETWEEN 0 AND 100", name=op.f("ck_weather_data_humidity_range")
        ),
        sa.CheckConstraint(
            "temperature_c BETWEEN -40 AND 60", name=op.f("ck_weather_data_temperature_range")
        ),
        sa.CheckConstraint("wind_speed_kmh >= 0", name=op.f("ck_weather_data_wind_non_negative")),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_weather_data_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "location_id", "observed_at", "source", name=op.f("pk_weather_data")
        ),
    )
    op.create_index(
        "ix_weather_data_observed_at_brin",
        "weather_data",
        ["observed_at"],
        unique=False,
        postgresql_using="brin",
    )
    op.create_table(
        "weather_forecast",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("valid_at", TIMESTAMPTZ, nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("issued_at", TIMESTAMPTZ, nullable=False),
        sa.Column("temperature_c", sa.Float(), nullable=True),
        sa.Column("relative_humidity_pct", sa.Float(), nullable=True),
        sa.Column("precipitation_mm", sa.Float(), nullable=True),
        sa.Column("pressure_hpa", sa.Float(), nullable=True),
        sa.Column("wind_speed_kmh", sa.Float(), nullable=True),
        sa.Column("raw_pull_id", BIG_ID, nullable=True),
        sa.CheckConstraint(
            "precipitation_mm >= 0", name=op.f("ck_weather_forecast_precipitation_non_negative")
        ),
        sa.CheckConstraint(
            "pressure_hpa BETWEEN 800 AND 1100", name=op.f("ck_weather_forecast_pressure_range")
        ),
        sa.CheckConstraint(
            "relative_humidity_pct BETWEEN 0 AND 100",
            name=op.f("ck_weather_forecast_humidity_range"),
        ),
        sa.CheckConstraint(
            "temperature_c BETWEEN -40 AND 60", name=op.f("ck_weather_forecast_temperature_range")
        ),
        sa.CheckConstraint(
            "wind_speed_kmh >= 0", name=op.f("ck_weather_forecast_wind_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_weather_forecast_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "location_id", "valid_at", "source", name=op.f("pk_weather_forecast")
        ),
    )


def downgrade() -> None:
    op.drop_table("weather_forecast")
    op.drop_index(
        "ix_weather_data_observed_at_brin", table_name="weather_data", postgresql_using="brin"
    )
    op.drop_table("weather_data")
    op.drop_table("flood_predictions")
    op.drop_index("ix_station_observations_source_file", table_name="station_observations")
    op.drop_table("station_observations")
    op.drop_index("ix_raw_weather_pulls_source_window", table_name="raw_weather_pulls")
    op.drop_table("raw_weather_pulls")
    op.drop_index(
        "uq_model_versions_one_current",
        table_name="model_versions",
        postgresql_where=sa.text("is_current"),
        sqlite_where=sa.text("is_current"),
    )
    op.drop_table("model_versions")
    op.drop_table("locations")
    op.drop_index("ix_ingest_rejections_source_file", table_name="ingest_rejections")
    op.drop_table("ingest_rejections")
    op.drop_index("ix_flood_events_event_date", table_name="flood_events")
    op.drop_table("flood_events")
