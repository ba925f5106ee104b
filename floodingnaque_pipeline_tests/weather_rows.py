"""Building realistic weather_data rows for database tests (not a fake of our code)."""

from datetime import UTC, datetime, timedelta

from floodingnaque_pipeline.db.locations import sync_locations
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.weather import OBSERVATION_COLUMNS
from floodingnaque_pipeline.locations import load_default_locations

WEATHER_COLUMNS = OBSERVATION_COLUMNS


def seed_locations(database: AppDatabase) -> list[int]:
    from sqlalchemy import text

    with database.session() as session:
        sync_locations(session, load_default_locations())
        return list(session.execute(text("SELECT id FROM locations ORDER BY id")).scalars())


def weather_rows(location_ids: list[int], hours: int, start: datetime | None = None) -> list:
    start = start or datetime(2024, 7, 1, 1, tzinfo=UTC)
    rows = []
    for location_id in location_ids:
        for h in range(hours):
            rows.append(
                (
                    location_id,
                    "open_meteo_era5",
                    start + timedelta(hours=h),
                    27.0 + (h % 24) / 4,
                    70.0 + (h % 30),
                    float(h % 7 == 0) * 2.5,
                    1008.0 + (h % 5) / 10,
                    None if h % 11 == 0 else 10.0 + h % 13,
                )
            )
    return rows
