"""The list of verified backups (`backups.json` beside them) and which ones retention deletes.

Only a backup that was restored into a scratch database and matched its source's row counts is
listed; a partial dump, a temporary file or a file from elsewhere is never counted or deleted.
Backups are ordered by their sequence number (one more than the highest listed), never by
their timestamp: a clock stepped back must not make the newest backup look the oldest.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from floodingnaque_pipeline.db.durable import write_atomic

MANIFEST = "backups.json"


@dataclass(frozen=True)
class VerifiedBackup:
    file: str  # name inside the backup folder
    seq: int  # 1, 2, ...: the order the backups were made in
    created_at: str  # ISO time by the clock of the run (may step back; informational)
    size_bytes: int
    sha256: str
    tables: dict[str, int] = field(default_factory=dict)  # rows per table, as verified


def read_manifest(directory: Path) -> list[VerifiedBackup]:
    path = directory / MANIFEST
    if not path.exists():
        return []
    return [VerifiedBackup(**entry) for entry in json.loads(path.read_text())["backups"]]


def write_manifest(directory: Path, backups: list[VerifiedBackup]) -> None:
    ordered = sorted(backups, key=lambda b: b.seq)
    body = {"backups": [asdict(b) for b in ordered]}
    write_atomic(directory / MANIFEST, json.dumps(body, indent=2).encode())


def next_seq(backups: list[VerifiedBackup]) -> int:
    return max((b.seq for b in backups), default=0) + 1


def plan_retention(backups: list[VerifiedBackup], keep: int) -> list[VerifiedBackup]:
    """The verified backups to delete so that the newest `keep` remain (at least one).

    Pure: the newest is the highest sequence number, whatever `created_at` says."""
    ordered = sorted(backups, key=lambda b: b.seq)
    return ordered[: max(0, len(ordered) - max(keep, 1))]
