"""The landing folder: which files are there, and reading one of them safely.

Pure module (no Dagster). Only regular files directly inside `pagasa/` and `flood_records/`
count: a symlink (to /etc/passwd, to a 0600 .env, ...) or a sub-folder that is a link is never
listed or read, so nothing outside the folder can reach `ingest_rejections`. What the sensor
remembers between ticks is in `landing_state`.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

# Sub-folder -> what lands there. Partition keys are the landing-relative paths.
FOLDERS = ("pagasa", "flood_records")
_CHUNK = 1 << 20
# A decade of daily station rows is ~1 MB; the biggest CDRRMO export ~160 kB.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024


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


class LandingFileRefused(ValueError):
    """A landing file that exists but must not be read (a link, not a regular file, too big)."""


def _folders(root: Path) -> list[tuple[str, Path]]:
    # A sub-folder that is a symlink could point anywhere: it is not a landing folder.
    return [
        (folder, root / folder)
        for folder in FOLDERS
        if (root / folder).is_dir() and not (root / folder).is_symlink()
    ]


def ensure_landing_folders(root: Path) -> list[str]:
    """Create the landing folder and its sub-folders where missing, so a new user finds where
    to drop files. Returns what was created. An existing entry (a symlink too) is left alone."""
    created = []
    for directory in (root, *(root / folder for folder in FOLDERS)):
        if not directory.exists() and not directory.is_symlink():
            directory.mkdir(parents=True, exist_ok=True)
            created.append(str(directory))
    return created


def unusable_landing_files(root: Path) -> list[str]:
    """CSV entries in the landing sub-folders that are not ingested, each with why."""
    found = []
    for folder in FOLDERS:
        directory = root / folder
        if directory.is_symlink():
            found.append(f"{folder}/ (a symlink; only a real folder is watched)")
            continue
        for entry in sorted(directory.iterdir()) if directory.is_dir() else []:
            name = entry.name
            if not name.lower().endswith(".csv") or name.startswith("."):
                continue
            if entry.is_symlink():
                found.append(f"{folder}/{name} (a symlink; copy the file in instead)")
            elif entry.is_file():
                try:
                    check_relative_path(f"{folder}/{name}")
                except LandingPathError:
                    found.append(f"{folder}/{name} (rename it: not a valid partition key)")
            elif entry.is_dir():
                found.append(f"{folder}/{name}/ (a folder named like a file; drop the CSV itself)")
            else:
                found.append(f"{folder}/{name} (not a regular file: a FIFO, socket or device)")
    return found


def list_landing_files(root: Path) -> list[str]:
    """Landing-relative POSIX paths of `pagasa/*.csv` and `flood_records/*.csv`, sorted.
    Hidden files (editor locks, partial uploads such as `.x.csv.part`) are ignored."""
    found: list[str] = []
    for folder, directory in _folders(root):
        for entry in directory.iterdir():
            relative = f"{folder}/{entry.name}"
            try:
                check_relative_path(relative)
            except LandingPathError:
                continue
            if entry.is_file() and not entry.is_symlink():
                found.append(relative)
    return sorted(found)


def open_landing_file(root: Path, relative_path: str) -> BinaryIO:
    """One regular landing file opened for binary reading, without following links.

    FileNotFoundError when it is gone; LandingFileRefused for a link or a non-regular file.
    """
    path = root.joinpath(*check_relative_path(relative_path).parts)
    if path.parent.is_symlink():
        raise LandingFileRefused(f"{relative_path}: its folder is a symlink; not read")
    try:
        # O_NONBLOCK: a FIFO named like a CSV must not hang the run waiting for a writer.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if path.is_symlink():
            raise LandingFileRefused(f"{relative_path} is a symlink; copy the file in") from None
        if isinstance(error, FileNotFoundError):
            raise
        raise LandingFileRefused(f"{relative_path}: cannot be opened ({error.strerror})") from None
    handle = os.fdopen(descriptor, "rb")
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        handle.close()
        raise LandingFileRefused(f"{relative_path} is not a regular file")
    return handle


class CappedReader(io.RawIOBase):
    """Reads a landing file through a sha256 and a size cap: the run hashes exactly the bytes
    it parses, and a file growing past the cap while it is read is caught too."""

    def __init__(self, raw: BinaryIO, relative_path: str, max_bytes: int) -> None:
        self._raw, self._path, self._max = raw, relative_path, max_bytes
        self._digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        self.size += len(data)
        if self.size > self._max:
            raise LandingFileRefused(
                f"{self._path} is over the landing size limit of {self._max:,} bytes "
                "(FLOODINGNAQUE_LANDING_MAX_BYTES); split it or raise the limit"
            )
        self._digest.update(data)
        buffer[: len(data)] = data
        return len(data)

    def drain(self) -> str:
        """Read what the parser left unread (it may stop early) and return the file's sha256."""
        buffer = bytearray(_CHUNK)
        while self.readinto(buffer):
            pass
        return self._digest.hexdigest()

    def close(self) -> None:
        self._raw.close()
        super().close()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
