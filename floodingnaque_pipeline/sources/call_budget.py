"""Client-side rate limit in weighted calls per sliding window (Open-Meteo counts this way), and
the time budget of one step (all its requests, retries and waits together)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


class WaitTooLong(Exception):
    """The rate limit would make the caller wait longer than it may."""


@dataclass
class StepBudget:
    """Seconds one step may spend on HTTP in all, from its first request. `origin` says where
    the number comes from (shown in the error when it runs out)."""

    seconds: float
    origin: str
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=-1.0)

    def __post_init__(self) -> None:
        if self.started < 0:
            self.started = self.clock()

    def remaining(self) -> float:
        return self.seconds - (self.clock() - self.started)

    def describe(self) -> str:
        return f"step budget of {self.seconds:g} s ({self.origin})"


class CallBudget:
    """Client-side limit on weighted calls in any sliding `window_seconds` (Open-Meteo: 600/min).

    `acquire(cost)` blocks (via the injectable `sleep`) until the call fits. A single call costing
    more than the whole limit is let through once the window is empty instead of waiting forever.
    """

    def __init__(
        self,
        calls_per_minute: float,
        *,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if calls_per_minute <= 0:
            raise ValueError("calls_per_minute must be positive")
        self.limit = calls_per_minute
        self.window = window_seconds
        self._clock, self._sleep = clock, sleep
        self._spent: deque[tuple[float, float]] = deque()  # (timestamp, cost)
        self._lock = threading.Lock()
        self.waited_seconds = 0.0

    def used(self) -> float:
        with self._lock:
            self._expire(self._clock())
            return sum(cost for _, cost in self._spent)

    def acquire(self, cost: float, max_wait: float | None = None) -> float:
        """Record `cost` once it fits in the window; returns the seconds spent waiting.
        WaitTooLong when that would take more than `max_wait` seconds in all."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._expire(now)
                used = sum(c for _, c in self._spent)
                if not self._spent or used + cost <= self.limit + 1e-9:
                    self._spent.append((now, cost))
                    self.waited_seconds += waited
                    return waited
                # Wait until enough of the oldest spending leaves the window.
                need, freed, wait = used + cost - self.limit, 0.0, 0.0
                for stamp, spent in self._spent:
                    freed += spent
                    wait = stamp + self.window - now
                    if freed >= need - 1e-9:
                        break
            wait = max(wait, 0.001)
            if max_wait is not None and waited + wait > max_wait:
                raise WaitTooLong(f"the rate limit asks for {waited + wait:.0f} s of waiting")
            self._sleep(wait)
            waited += wait

    def _expire(self, now: float) -> None:
        while self._spent and self._spent[0][0] + self.window <= now:
            self._spent.popleft()
