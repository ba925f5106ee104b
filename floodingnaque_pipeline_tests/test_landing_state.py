"""The landing state machine on a real folder, with run outcomes given tick by tick: failed or
lost runs are retried with backoff, reverts are ingested again, successes are remembered."""

from __future__ import annotations

import json
import os
from pathlib import Path

from floodingnaque_pipeline.landing_state import (
    FIRST_RETRY_S,
    LOST_AFTER_S,
    LandingCursor,
    ReadyFile,
    RunOutcome,
    scan,
)
from floodingnaque_pipeline_tests.labels_support import drop

PATH = "flood_records/records.csv"


class Sensor:
    """Ticks `scan` at a controlled clock; `outcomes` plays the instance's runs."""

    def __init__(self, root: Path) -> None:
        self.root, self.cursor, self.now = root, LandingCursor(), 1_000_000.0
        self.outcomes: dict[str, RunOutcome] = {}

    def tick(self, advance: float = 30.0) -> list[ReadyFile]:
        self.now += advance
        ready, self.cursor = scan(
            self.root, self.cursor, lambda k: self.outcomes.get(k, RunOutcome.UNKNOWN), self.now
        )
        return ready

    def settle(self) -> list[ReadyFile]:
        """Two ticks: the first sees the new stat, the second hashes the settled file."""
        assert self.tick() == []
        return self.tick()


def _write(root: Path, content: bytes, mtime_s: int) -> None:
    path = drop(root, PATH, content)
    os.utime(path, ns=(mtime_s * 10**9, mtime_s * 10**9))


def test_failed_run_is_retried_with_backoff_until_it_succeeds(tmp_path: Path) -> None:
    sensor = Sensor(tmp_path)
    _write(tmp_path, b"a,b\n1,2\n", 100)
    [first] = sensor.settle()
    assert first.attempt == 1 and first.run_key.endswith("#1")
    sensor.outcomes[first.run_key] = RunOutcome.IN_FLIGHT
    assert sensor.tick() == [] and sensor.tick() == []  # queued or running: wait

    sensor.outcomes[first.run_key] = RunOutcome.FAILURE
    # Backoff: 30 s after the first failure, then 60 s, 120 s ...
    assert sensor.tick(advance=1) == []
    [second] = sensor.tick(advance=FIRST_RETRY_S)
    assert (second.attempt, second.sha256) == (2, first.sha256)
    assert second.run_key != first.run_key
    sensor.outcomes[second.run_key] = RunOutcome.FAILURE
    assert sensor.tick(advance=1) == [] and sensor.tick(advance=FIRST_RETRY_S) == []
    [third] = sensor.tick(advance=FIRST_RETRY_S)
    assert third.attempt == 3
    sensor.outcomes[third.run_key] = RunOutcome.SUCCESS
    assert sensor.tick(advance=3600) == [] and sensor.tick(advance=3600) == []


def test_new_content_skips_the_backoff_of_failed_content(tmp_path: Path) -> None:
    sensor = Sensor(tmp_path)
    _write(tmp_path, b"broken", 100)
    [first] = sensor.settle()
    sensor.outcomes[first.run_key] = RunOutcome.FAILURE
    _write(tmp_path, b"fixed!", 200)
    [fixed] = sensor.settle()
    assert fixed.attempt == 1 and fixed.sha256 != first.sha256


def test_revert_to_earlier_bytes_is_ingested_again(tmp_path: Path) -> None:
    sensor = Sensor(tmp_path)
    keys = []
    for content, mtime in ((b"X,1\n", 100), (b"Y,1\n", 200), (b"X,1\n", 300)):
        _write(tmp_path, content, mtime)
        [ready] = sensor.settle()
        sensor.outcomes[ready.run_key] = RunOutcome.SUCCESS
        keys.append(ready.run_key)
        assert sensor.tick() == []
    assert keys[0].split("#")[0] == keys[2].split("#")[0]  # same path and bytes ...
    assert len(set(keys)) == 3  # ... yet a run key the daemon has never seen


def test_a_lost_request_is_made_again(tmp_path: Path) -> None:
    sensor = Sensor(tmp_path)
    _write(tmp_path, b"x", 100)
    [first] = sensor.settle()
    assert sensor.tick(advance=LOST_AFTER_S / 2) == []  # no run yet: give the daemon time
    assert sensor.tick(advance=LOST_AFTER_S) == []  # lost: counted as a failed attempt
    [again] = sensor.tick(advance=FIRST_RETRY_S)
    assert again.sha256 == first.sha256 and again.run_key != first.run_key


def test_cursor_round_trips_and_reads_the_old_format(tmp_path: Path) -> None:
    sensor = Sensor(tmp_path)
    _write(tmp_path, b"x", 100)
    [first] = sensor.settle()
    assert LandingCursor.parse(sensor.cursor.dumps()) == sensor.cursor
    old = json.dumps(
        {"seen": {PATH: [1, 100 * 10**9]}, "hashed": {PATH: [1, 100 * 10**9, first.sha256]}}
    )
    sensor.cursor = LandingCursor.parse(old)  # written by the previous sensor version
    assert sensor.tick() == [] and sensor.tick() == []  # taken as ingested
    assert LandingCursor.parse("[1, 2]") == LandingCursor()


def test_a_refused_file_is_not_requested_again_until_its_bytes_change(tmp_path: Path) -> None:
    sensor = Sensor(tmp_path)
    _write(tmp_path, b"DATE,RAIN\n1,2\n", 100)
    [refused] = sensor.settle()
    sensor.outcomes[refused.run_key] = RunOutcome.REFUSED  # the run stored why, then failed
    for advance in (1, FIRST_RETRY_S, 3600, 3600 * 24):  # no backoff retries: never again
        assert sensor.tick(advance=advance) == []
    _write(tmp_path, b"YEAR,MONTH\n1,2\n", 200)  # fixed and dropped again
    [fixed] = sensor.settle()
    assert fixed.attempt == 1 and fixed.sha256 != refused.sha256
