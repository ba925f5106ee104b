"""Maintenance jobs of the app database: partitions ahead, verified backups, archival.

Jobs of ops, not assets: they keep the database itself healthy rather than produce a table.
"""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
from pydantic import Field

from floodingnaque_pipeline.db.archive import (
    ARCHIVED,
    DEFAULT_ARCHIVE_AFTER_DAYS,
    archive_months,
    default_archive_dir,
)
from floodingnaque_pipeline.db.backup import backup_database
from floodingnaque_pipeline.db.partitions import create_ahead
from floodingnaque_pipeline.resources.database import DatabaseResource

DEFAULT_BACKUP_DIR = "./backups"


class BackupConfig(dg.Config):
    directory: str = Field(default="", description="Empty: FLOODINGNAQUE_BACKUP_DIR or ./backups.")
    keep: int = Field(
        default=7, description="Verified backups kept (backups.json); older ones are deleted."
    )


class ArchiveConfig(dg.Config):
    directory: str = Field(default="", description="Empty: FLOODINGNAQUE_ARCHIVE_DIR or ./archive.")
    after_days: int = Field(
        default=0,
        description=(
            "Archive raw pulls whose month ended this many days ago. 0: "
            f"FLOODINGNAQUE_ARCHIVE_AFTER_DAYS or {DEFAULT_ARCHIVE_AFTER_DAYS}."
        ),
    )


@dg.op(description="Create the partitions of the current and the next periods (Postgres).")
def create_partitions_ahead(context: dg.OpExecutionContext, database: DatabaseResource):
    if database.database.dialect != "postgresql":
        return dg.Output(0, metadata={"note": "SQLite keeps plain tables: nothing to do"})
    created = create_ahead(database.engine, datetime.now(UTC))
    context.log.info(f"created {len(created)} partitions: {', '.join(created) or 'none'}")
    return dg.Output(len(created), metadata={"created": dg.MetadataValue.json(created)})


@dg.op(description="pg_dump -Fc (or SQLite's backup API), verified, keeping the newest N.")
def backup_app_database(
    context: dg.OpExecutionContext, config: BackupConfig, database: DatabaseResource
):
    directory = Path(
        config.directory or os.environ.get("FLOODINGNAQUE_BACKUP_DIR") or DEFAULT_BACKUP_DIR
    )
    backup = backup_database(database.database_url, directory, config.keep)
    context.log.info(f"backup {backup.path.name}: {backup.size_bytes:,} bytes, {backup.verified}")
    return dg.Output(
        str(backup.path),
        metadata={
            "path": dg.MetadataValue.path(str(backup.path)),
            "size_bytes": dg.MetadataValue.int(backup.size_bytes),
            "duration_s": dg.MetadataValue.float(round(backup.duration_s, 2)),
            "verified": dg.MetadataValue.text(backup.verified),
            "removed": dg.MetadataValue.json([p.name for p in backup.removed]),
        },
    )


@dg.op(
    description="Old raw pulls and predictions to gzip files + manifest; they leave the database."
)
def archive_old_raw_pulls(
    context: dg.OpExecutionContext, config: ArchiveConfig, database: DatabaseResource
):
    directory = Path(config.directory) if config.directory else default_archive_dir()
    days = config.after_days or int(
        os.environ.get("FLOODINGNAQUE_ARCHIVE_AFTER_DAYS") or DEFAULT_ARCHIVE_AFTER_DAYS
    )
    cutoff = datetime.now(UTC) - timedelta(days=days)
    months = [
        month
        for spec in ARCHIVED.values()
        for month in archive_months(database.engine, directory, cutoff, spec, log=context.log.info)
    ]
    context.log.info(f"archived {len(months)} table-months older than {cutoff:%Y-%m-%d}")
    return dg.Output(
        len(months),
        metadata={
            "cutoff": dg.MetadataValue.text(cutoff.isoformat()),
            "rows": dg.MetadataValue.json({f"{m.table} {m.month}": m.rows for m in months}),
            "directory": dg.MetadataValue.path(str(directory)),
        },
    )


@dg.job(description="Create weather_data / raw_weather_pulls partitions ahead of time.")
def table_partitions():
    create_partitions_ahead()


@dg.job(description="A verified backup of the app database into FLOODINGNAQUE_BACKUP_DIR.")
def database_backup():
    backup_app_database()


@dg.job(description="Raw pulls / predictions older than FLOODINGNAQUE_ARCHIVE_AFTER_DAYS archived.")
def archive_raw_pulls():
    archive_old_raw_pulls()
