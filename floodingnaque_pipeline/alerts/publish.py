"""Where an issue's files go, and writing them whole (a reader never sees half a bulletin)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from floodingnaque_pipeline.domain.time import MANILA


def bulletin_dir() -> Path:
    """FLOODINGNAQUE_BULLETIN_DIR, else <DAGSTER_HOME>/bulletins, else ./bulletins."""
    if chosen := os.environ.get("FLOODINGNAQUE_BULLETIN_DIR"):
        return Path(chosen).expanduser()
    if home := os.environ.get("DAGSTER_HOME"):
        return Path(home) / "bulletins"
    return Path("bulletins")


def issue_stem(issued_at: datetime) -> str:
    return f"flood-risk-{issued_at.astimezone(MANILA):%Y%m%dT%H%M}"


def write_whole(path: Path, content: str | bytes) -> Path:
    """Temp file, then rename: a re-issue of the hour replaces the file in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    data = content.encode("utf-8") if isinstance(content, str) else content
    temporary.write_bytes(data)
    temporary.replace(path)
    return path
