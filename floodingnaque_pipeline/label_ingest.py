"""One landing label file into the database, streamed: scan, parse, store, verify.

1. Scan the bytes (sha256, size, encoding). Not the bytes the landing sensor hashed, or 0 bytes
   the sensor did not see settle as 0 bytes (a rewrite in progress), fail here before anything
   is written; a file the sensor saw stay empty is refused whole as "empty file".
2. Read it again as lines, parse as it streams and store in batches, all in the caller's
   transaction, hashing the bytes as they are read.
3. If that second read was not the same bytes (rewritten meanwhile), raise: the caller's
   transaction rolls back and the file's stored rows stay as they were.

Memory is bounded by a batch, not by the file (measured: bench/landing_memory.py). No Dagster.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.engine import DEFAULT_DATABASE_URL
from floodingnaque_pipeline.db.label_repeats import CrossFileRepeats, flood_repeats, station_repeats
from floodingnaque_pipeline.db.labels import (
    CDRRMO,
    PAGASA,
    FileLoadCounts,
    store_flood_file,
    store_station_file,
)
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.landing import (
    DEFAULT_MAX_BYTES,
    CappedReader,
    LandingFileRefused,
    open_landing_file,
)
from floodingnaque_pipeline.sources.cdrrmo import iter_cdrrmo
from floodingnaque_pipeline.sources.csv_files import (
    cap_refusals,
    refuse_csv_errors,
    whole_file_refusal,
)
from floodingnaque_pipeline.sources.pagasa import iter_pagasa_file
from floodingnaque_pipeline.sources.text_stream import CHUNK, read_chunks, scan_chunks, text_lines

PREVIEW_ROWS = 10
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
EMPTY_FILE = (
    "empty file (0 bytes, and still empty after the landing sensor's settle time): "
    "export it again and drop it again"
)


class FileChangedError(RuntimeError):
    """The file read is not the one the sensor hashed, or it changed between the two reads."""


@dataclass(frozen=True)
class LabelKind:
    """What differs between the PAGASA and the CDRRMO files."""

    source: str
    parse: Callable[[Iterable[str], str], Iterator[Any]]
    store: Callable[..., FileLoadCounts]
    repeats: Callable[[Session, str, Sequence[Any]], CrossFileRepeats]
    date_field: str


STATIONS = LabelKind(PAGASA, iter_pagasa_file, store_station_file, station_repeats, "observed_on")
FLOODS = LabelKind(
    CDRRMO, lambda lines, _name: iter_cdrrmo(lines), store_flood_file, flood_repeats, "event_date"
)


@dataclass
class StoredLabelFile:
    sha256: str
    counts: FileLoadCounts
    repeats: CrossFileRepeats
    notes: list[str] = field(default_factory=list)
    first_day: date | None = None
    last_day: date | None = None
    preview: list[Any] = field(default_factory=list)  # the first accepted records
    long_reasons: list[str] = field(default_factory=list)  # cut reasons in full, for the log


def ingest_label_file(
    session: Session,
    kind: LabelKind,
    root: Path,
    path: str,
    *,
    max_bytes: int,
    expected_sha256: str | None,
    run_id: str | None,
) -> StoredLabelFile:
    """Store landing file `path` in the caller's session; see the module docstring.

    FileNotFoundError when the file is gone; FileChangedError as described above. A link, a
    non-regular file or one over `max_bytes` is refused whole (stored as the reason)."""
    try:
        with _reader(root, path, max_bytes) as reader:
            scan = scan_chunks(read_chunks(io.BufferedReader(reader, CHUNK)))
    except LandingFileRefused as refused:
        return _store(session, kind, path, EMPTY_SHA256, [whole_file_refusal(str(refused))],
                      run_id, notes=[])  # fmt: skip
    if scan.size == 0 and expected_sha256 == EMPTY_SHA256:  # the sensor saw it settle empty
        return _store(session, kind, path, EMPTY_SHA256, [whole_file_refusal(EMPTY_FILE)],
                      run_id, notes=[])  # fmt: skip
    if scan.size == 0:
        raise FileChangedError(
            f"{path} read as 0 bytes (being rewritten?); its stored rows are kept. The landing "
            "sensor ingests it once it has settled."
        )
    if expected_sha256 and scan.sha256 != expected_sha256:
        raise FileChangedError(
            f"{path} changed after the landing sensor hashed it (expected sha256 "
            f"{expected_sha256[:12]}…, read {scan.sha256[:12]}…); nothing written. "
            "The sensor requests the new content once it has settled."
        )
    notes = [scan.note] if scan.note else []
    if scan.encoding is None:
        refusal = [whole_file_refusal(scan.refusal or "undecodable file")]
        return _store(session, kind, path, scan.sha256, refusal, run_id, notes)
    with _reader(root, path, max_bytes) as reader:
        buffered = io.BufferedReader(reader, CHUNK)  # held: its collection would close `reader`
        lines = text_lines(buffered, scan.encoding)
        items = refuse_csv_errors(lines, lambda lines: kind.parse(lines, path))
        stored = _store(session, kind, path, scan.sha256, items, run_id, notes)
        if reader.drain() != scan.sha256:
            raise FileChangedError(
                f"{path} changed while it was being read; nothing written. The sensor "
                "requests the new content once it has settled."
            )
    return stored


def _reader(root: Path, path: str, max_bytes: int) -> CappedReader:
    return CappedReader(open_landing_file(root, path), path, max_bytes)


def _store(
    session: Session,
    kind: LabelKind,
    path: str,
    sha256: str,
    items: Iterable[Any],
    run_id: str | None,
    notes: list[str],
) -> StoredLabelFile:
    stored = StoredLabelFile(sha256, FileLoadCounts(0, 0, 0, 0, 0, 0), CrossFileRepeats(), notes)

    def before_batch(session: Session, records: list[Any]) -> None:
        # Measured before the batch is written: a PAGASA file takes over the days it repeats.
        stored.repeats = stored.repeats + kind.repeats(session, path, records)
        days = [getattr(r, kind.date_field) for r in records]
        if days:
            stored.first_day = min([*days, stored.first_day or days[0]])
            stored.last_day = max([*days, stored.last_day or days[0]])
        stored.preview.extend(records[: PREVIEW_ROWS - len(stored.preview)])

    capped = cap_refusals(items, stored.long_reasons)
    stored.counts = kind.store(session, path, sha256, capped, run_id, before_batch)
    return stored


def main(argv: list[str]) -> int:
    """Ingest one landing file by hand, outside Dagster (the same code path as the assets)."""
    parser = argparse.ArgumentParser(
        prog="python -m floodingnaque_pipeline.label_ingest",
        description="Store one landing file (pagasa/*.csv or flood_records/*.csv) into "
        "DATABASE_URL and print what was stored, with the time and peak memory taken.",
    )
    parser.add_argument("path", help="landing-relative path, e.g. pagasa/naia_daily.csv")
    parser.add_argument("--landing-dir", default=os.environ.get("FLOODINGNAQUE_LANDING_DIR", "."))
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES)
    args = parser.parse_args(argv)
    kind = STATIONS if args.path.startswith("pagasa/") else FLOODS
    database = AppDatabase(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    database.migrate()
    started = time.perf_counter()
    with database.session() as session:
        stored = ingest_label_file(
            session, kind, Path(args.landing_dir), args.path, max_bytes=args.max_bytes,
            expected_sha256=None, run_id=None,
        )  # fmt: skip
    seconds = time.perf_counter() - started
    database.dispose()
    peak_mb = _peak_rss_mb()
    counts = stored.counts
    print(json.dumps({
        "path": args.path, "sha256": stored.sha256, "accepted": counts.accepted,
        "rejected": counts.rejected, "inserted": counts.inserted, "updated": counts.updated,
        "unchanged": counts.unchanged, "removed": counts.removed, "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_mb, 1), "notes": stored.notes,
        "refused_whole": counts.refused_whole, "kept_previous": counts.kept_previous,
    }))  # fmt: skip
    return 1 if counts.refused_whole else 0


def _peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: ru_maxrss survives exec, so a child of
    a big parent would report the parent's size from before the exec."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:  # not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kilobytes) / 1024


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
