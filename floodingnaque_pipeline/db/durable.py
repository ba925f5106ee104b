"""Files that survive a crash or a power cut: fsync the data, then the folder that names it.

A rename is durable only once the folder is fsynced; data renamed before its own fsync can
come back empty after a power cut. So: write a temporary name, fsync it, rename, fsync the
folder, and only then count on the file (or drop what it holds elsewhere).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def fsync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def publish(partial: Path, final: Path) -> None:
    """fsync `partial`, rename it to `final` (atomic, same folder), fsync the folder."""
    fsync_file(partial)
    os.replace(partial, final)
    fsync_dir(final.parent)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` all at once: readers see the old or the new file, whole."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        publish(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def folder_lock(folder: Path, name: str) -> Iterator[None]:
    """One run at a time per folder (blocks until the other ends). The kernel releases the lock
    when its holder dies, even by `kill -9`, so a crashed run never leaves the folder locked."""
    with (folder / name).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
