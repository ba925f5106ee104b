"""`manifest.json` of the archive: {table: {YYYY-MM: {file, rows, sha256, archived_at, ids}}}.

A month is archived once its entry is in the manifest; the manifest is replaced whole
(temporary name, fsync, rename, folder fsync), so a crash leaves the old or the new version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from floodingnaque_pipeline.db.durable import write_atomic

MANIFEST = "manifest.json"
RAW_PULLS_TABLE = "raw_weather_pulls"


class ArchiveError(RuntimeError):
    """An archive file that is missing, damaged or not what the manifest says."""


@dataclass(frozen=True)
class ArchivedMonth:
    table: str
    month: str  # YYYY-MM (UTC)
    file: str
    rows: int
    sha256: str
    ids: tuple[int, ...] = ()  # raw pull ids: weather_data rows still point at them


def read_manifest(directory: Path) -> dict[str, dict[str, dict[str, Any]]]:
    path = directory / MANIFEST
    return json.loads(path.read_text()) if path.exists() else {}


def record_month(directory: Path, month: ArchivedMonth) -> None:
    """Commit the month's entry: once this returns, the entry survives a crash."""
    manifest = read_manifest(directory)
    manifest.setdefault(month.table, {})[month.month] = {
        "file": month.file,
        "rows": month.rows,
        "sha256": month.sha256,
        "archived_at": datetime.now(UTC).isoformat(),
        **({"ids": list(month.ids)} if month.ids else {}),
    }
    write_atomic(directory / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())


def archived_pull_ids(directory: Path) -> frozenset[int]:
    """Ids of the raw pulls moved to the archive: a weather_data row pointing at one is still
    traceable (through the archive file), though the pull left the database."""
    months = read_manifest(directory).get(RAW_PULLS_TABLE, {})
    return frozenset(i for entry in months.values() for i in entry.get("ids", ()))
