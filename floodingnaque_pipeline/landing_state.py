"""What the landing sensor remembers per file, and the decision of one tick.

Pure module (no Dagster): the sensor passes in how each requested run ended, so the rules are
testable on a real folder. Per path the state keeps the digest of the last *settled* ingest (a
success, or a run that stored a whole-file refusal); a file is requested whenever its settled
content differs from that digest, so:

* a run that failed (or was lost) is requested again, after a backoff that grows per failure;
* a file that returns to earlier bytes (X -> Y -> X) is requested again: Y was ingested last;
* the same bytes after a success or a refusal, a touch, or a remove-and-redrop are not
  requested (a refused file is not retried in a loop: only new bytes can fix it).

Every request gets a fresh run key (`path@sha256#n`): the daemon never reuses a run key, so a
key derived from the content alone would make a retry or a revert impossible.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path

from floodingnaque_pipeline.landing import list_landing_files, sha256_file

SHA256_TAG = "floodingnaque/file_sha256"  # run tag: the content the run must ingest
REFUSED_TAG = "floodingnaque/refused"  # run tag: the run stored a whole-file refusal, then failed
FIRST_RETRY_S = 30.0
MAX_RETRY_S = 3600.0
LOST_AFTER_S = 600.0  # a requested run the instance never shows was dropped: request again
# A 0-byte file is usually an upload that has created the file but not written it yet: it is
# requested (and refused as "empty file", once) only after it stayed empty this long.
EMPTY_SETTLE_S = 300.0


class RunOutcome(Enum):
    SUCCESS = "success"
    # Failed because the file was refused whole (its refusal stored): settled like a success,
    # so the same bytes are not requested again; new bytes are.
    REFUSED = "refused"
    FAILURE = "failure"  # failed or canceled, and no automatic retry on its way
    IN_FLIGHT = "in_flight"  # queued, running, or failed with a retry coming
    UNKNOWN = "unknown"  # no run with this key (yet)


@dataclass
class FileState:
    stat: list[int] | None = None  # [size, mtime_ns] when `sha256` was computed
    sha256: str | None = None
    ingested: str | None = None  # digest of the last settled ingest (success or refusal)
    pending_key: str | None = None
    pending_sha256: str | None = None
    pending_since: float | None = None
    requests: int = 0  # makes every run key unique
    failures: int = 0  # consecutive failures of `failed_sha256`
    failed_sha256: str | None = None
    retry_at: float = 0.0
    empty_since: float | None = None  # when the file was first seen settled at 0 bytes


@dataclass
class LandingCursor:
    """`seen`: {path: [size, mtime_ns]} on the previous tick; `files`: FileState per path (kept
    after a file disappears, so re-dropping ingested bytes does not ingest them twice)."""

    seen: dict[str, list[int]] = field(default_factory=dict)
    files: dict[str, FileState] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: str | None) -> LandingCursor:
        try:
            data = json.loads(raw or "{}")
            files = {p: FileState(**s) for p, s in dict(data.get("files", {})).items()}
            # Cursors written before states existed: {path: [size, mtime_ns, sha256]}, taken
            # as ingested (their runs' outcomes were never recorded).
            for path, (size, mtime, sha) in dict(data.get("hashed", {})).items():
                files.setdefault(path, FileState([size, mtime], sha, sha))
            return cls(seen=dict(data.get("seen", {})), files=files)
        except (ValueError, AttributeError, TypeError):
            # Unreadable (e.g. reset by hand): start over; files are re-hashed and re-ingested,
            # which the per-file replace makes harmless.
            return cls()

    def dumps(self) -> str:
        files = {p: asdict(s) for p, s in self.files.items()}
        return json.dumps({"seen": self.seen, "files": files}, sort_keys=True)


@dataclass(frozen=True)
class ReadyFile:
    path: str  # landing-relative, e.g. 'pagasa/naia_daily.csv'
    sha256: str
    run_key: str
    attempt: int  # 1 for new content, k for its k-th try


def scan(
    root: Path,
    cursor: LandingCursor,
    outcome: Callable[[str], RunOutcome],
    now: float,
    first_retry_s: float = FIRST_RETRY_S,
    empty_settle_s: float = EMPTY_SETTLE_S,
) -> tuple[list[ReadyFile], LandingCursor]:
    """One tick: the files to ingest now, and the cursor for the next tick. A failed run is
    retried `first_retry_s` later, then after twice as long each time (at most an hour). A
    0-byte file waits `empty_settle_s`, then gets one run (which refuses it as empty)."""
    files = {p: FileState(**asdict(s)) for p, s in cursor.files.items()}
    for state in files.values():
        _settle_pending(state, outcome, now, first_retry_s)
    ready: list[ReadyFile] = []
    seen: dict[str, list[int]] = {}
    for relative in list_landing_files(root):
        try:
            stat = (root / relative).stat()
        except FileNotFoundError:  # removed between listing and stat
            continue
        current = [stat.st_size, stat.st_mtime_ns]
        seen[relative] = current
        if cursor.seen.get(relative) != current:
            continue  # new or changed since the last tick: may still be growing, wait a tick
        state = files.setdefault(relative, FileState())
        if stat.st_size == 0:
            state.empty_since = now if state.empty_since is None else state.empty_since
            if now - state.empty_since < empty_settle_s:
                continue  # no run (and no failure alert) per tick for an upload not written yet
        else:
            state.empty_since = None
        if state.stat != current:
            try:
                state.sha256, state.stat = sha256_file(root / relative), current
            except FileNotFoundError:
                continue
            if state.sha256 != state.failed_sha256:
                state.failures, state.retry_at = 0, 0.0  # new content: no backoff
        if state.pending_key or state.sha256 == state.ingested or now < state.retry_at:
            continue
        state.requests += 1
        state.pending_key = f"{relative}@{state.sha256}#{state.requests}"
        state.pending_sha256, state.pending_since = state.sha256, now
        assert state.sha256 is not None
        ready.append(ReadyFile(relative, state.sha256, state.pending_key, state.failures + 1))
    return ready, LandingCursor(seen=seen, files=files)


def _settle_pending(
    state: FileState, outcome: Callable[[str], RunOutcome], now: float, first_retry_s: float
) -> None:
    if state.pending_key is None:
        return
    result = outcome(state.pending_key)
    if result is RunOutcome.IN_FLIGHT:
        return
    if result is RunOutcome.UNKNOWN and now - (state.pending_since or now) < LOST_AFTER_S:
        return
    if result in (RunOutcome.SUCCESS, RunOutcome.REFUSED):
        state.ingested, state.failures, state.retry_at = state.pending_sha256, 0, 0.0
    else:
        state.failures += 1
        state.failed_sha256 = state.pending_sha256
        state.retry_at = now + min(first_retry_s * 2 ** (state.failures - 1), MAX_RETRY_S)
    state.pending_key = state.pending_sha256 = state.pending_since = None


def waiting_empty(
    cursor: LandingCursor, now: float, empty_settle_s: float = EMPTY_SETTLE_S
) -> list[str]:
    """The 0-byte files still given time to be written, each with how long (for the log)."""
    return [
        f"{path} is empty (0 bytes): refused as an empty file if still empty in "
        f"{max(0, round(state.empty_since + empty_settle_s - now))} s"
        for path, state in sorted(cursor.files.items())
        if state.empty_since is not None
        and path in cursor.seen
        and now - state.empty_since < empty_settle_s
    ]
