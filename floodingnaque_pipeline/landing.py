"""The landing folder: which files are there, and which of them are new, settled content.

Pure module (no Dagster), so the landing sensor's decisions are testable on a real folder.
The sensor keeps `LandingCursor` between ticks. A file is *settled* when its (size, mtime_ns)
is the same on two consecutive ticks; only settled files are hashed, and a settled file whose
SHA-256 differs from the content last requested for that path is *ready* to be ingested.
Files are never parsed here: ticks stay cheap and a broken file is judged by the run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# Sub-folder -> what lands there. Partition keys are the landing-relative paths.
FOLDERS = ("pagasa", "flood_records")
_CHUNK = 1 << 20


class LandingPathError(ValueError):
    """A path that is not a CSV file inside one of the landing sub-folders."""


def check_relative_path(relative_path: str) -> PurePosixPath:
    """'pagasa/naia_daily.csv' is fine; '../x.csv', 'pagasa/a/b.csv', 'other/x.csv' are not."""
    path = PurePosixPath(relative_path)
    if (
        len(path.parts) != 2
        or path.parts[0] not in FOLDERS
        or path.name.startswith(".")
        or path.suffix.lower() != ".csv"
    ):
        raise LandingPathError(
            f"{relative_path!r} is not a landing file (expected one of "
            + ", ".join(f"{f}/<name>.csv" for f in FOLDERS)
            + ")"
        )
    if "..." in path.name or not path.name.isprintable():
        # Dagster refuses such partition keys; the sensor warns about the file instead.
        raise LandingPathError(f"{relative_path!r}: rename it ('...' or control characters)")
    return path


def unusable_landing_files(root: Path) -> list[str]:
    """CSV files in the landing sub-folders whose names cannot become partition keys."""
    found = []
    for folder in FOLDERS:
        for entry in sorted((root / folder).glob("*")) if (root / folder).is_dir() else []:
            name = entry.name
            if entry.is_file() and name.lower().endswith(".csv") and not name.startswith("."):
                try:
                    check_relative_path(f"{folder}/{name}")
                except LandingPathError:
                    found.append(f"{folder}/{name}")
    return found


def list_landing_files(root: Path) -> list[str]:
    """Landing-relative POSIX paths of `pagasa/*.csv` and `flood_records/*.csv`, sorted.
    Hidden files (editor locks, partial uploads such as `.x.csv.part`) are ignored."""
    found: list[str] = []
    for folder in FOLDERS:
        directory = root / folder
        if not directory.is_dir():
            continue
        for entry in directory.iterdir():
            relative = f"{folder}/{entry.name}"
            try:
                check_relative_path(relative)
            except LandingPathError:
                continue
            if entry.is_file():
                found.append(relative)
    return sorted(found)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass
class LandingCursor:
    """`seen`: {path: [size, mtime_ns]} observed on the previous tick.
    `hashed`: {path: [size, mtime_ns, sha256]}: the last content requested for the path and the
    stat it had when hashed (kept after a file disappears, so re-dropping the same bytes later
    does not ingest them twice)."""

    seen: dict[str, list[int]] = field(default_factory=dict)
    hashed: dict[str, list[int | str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: str | None) -> LandingCursor:
        try:
            data = json.loads(raw or "{}")
            return cls(seen=dict(data.get("seen", {})), hashed=dict(data.get("hashed", {})))
        except (ValueError, AttributeError, TypeError):
            # An unreadable cursor (e.g. reset by hand) starts over: files are re-hashed, and
            # content already ingested is not run twice thanks to the path@sha256 run keys.
            return cls()

    def dumps(self) -> str:
        return json.dumps({"seen": self.seen, "hashed": self.hashed}, sort_keys=True)


@dataclass(frozen=True)
class ReadyFile:
    path: str  # landing-relative, e.g. 'pagasa/naia_daily.csv'
    sha256: str


def scan(root: Path, cursor: LandingCursor) -> tuple[list[ReadyFile], LandingCursor]:
    """One tick: the files to ingest now, and the cursor for the next tick."""
    ready: list[ReadyFile] = []
    seen: dict[str, list[int]] = {}
    hashed = dict(cursor.hashed)
    for relative in list_landing_files(root):
        try:
            stat = (root / relative).stat()
        except FileNotFoundError:  # removed between listing and stat
            continue
        now = [stat.st_size, stat.st_mtime_ns]
        seen[relative] = now
        if cursor.seen.get(relative) != now:
            continue  # new or changed since the last tick: may still be growing, wait a tick
        previous = hashed.get(relative)
        if previous is not None and previous[:2] == now:
            continue  # settled and already hashed at this stat
        try:
            digest = sha256_file(root / relative)
        except FileNotFoundError:
            continue
        hashed[relative] = [*now, digest]
        if previous is None or previous[2] != digest:
            ready.append(ReadyFile(relative, digest))
        # else: touched or rewritten with identical bytes; nothing to ingest
    return ready, LandingCursor(seen=seen, hashed=hashed)
