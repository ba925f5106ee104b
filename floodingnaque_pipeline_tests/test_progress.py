"""Issue 21 item 7: long work logs units done of the total, rows, rate and ETA."""

from __future__ import annotations

from floodingnaque_pipeline.domain.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rate_and_eta_follow_the_units_done() -> None:
    clock, lines = Clock(), []
    progress = Progress("backfill", 4, lines.append, unit="month", clock=clock)
    clock.now += 10
    progress.done(5_000, "2024-01")
    assert lines[-1] == (
        "backfill: month 1 of 4 (2024-01), 5,000 rows, 500 rows/s, 0:10 elapsed, ETA 0:30"
    )
    clock.now += 30  # slower month: the ETA follows the average pace
    progress.done(5_000)
    assert lines[-1].endswith("10,000 rows, 250 rows/s, 0:40 elapsed, ETA 0:40")
    clock.now += 3600
    progress.done(0)
    progress.done(0)
    assert lines[-1].endswith("1:00:40 elapsed, done in 1:00:40")


def test_skipped_units_cost_no_time_in_the_eta() -> None:
    clock, lines = Clock(), []
    progress = Progress("open_meteo_raw", 3, lines.append, clock=clock)
    progress.done(skipped=True, what="already stored")
    assert "ETA" not in lines[-1]  # nothing measured yet: no guess
    clock.now += 20
    progress.done(1_000)
    assert lines[-1].endswith("ETA 0:20")  # one worked chunk took 20 s, one is left
