"""Politeness: a per-host scheduler for a pool of worker threads.

Every host is a lane: one request at a time, and at least ``delay`` seconds between the starts of two
requests to it (the larger of the configured delay and robots.txt's Crawl-delay). Workers take the next
job from whichever ready lane has the most work left, so the run's wall time approaches the politeness
lower bound: the busiest host's page count times its delay. A lane is held only while its request is
on the wire; extracting and writing happen after the lane is released.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

__all__ = ["HostScheduler", "host_key"]

T = TypeVar("T")


def host_key(url: str) -> str:
    """The politeness lane of ``url``: ``scheme://host[:port]``, lowercased."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return url
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}{port}"


@dataclass(slots=True)
class _Lane(Generic[T]):
    delay: float
    queue: deque[T] = field(default_factory=deque)
    busy: bool = False
    next_start: float = 0.0
    last_start: float = 0.0


class HostScheduler(Generic[T]):
    """Hands jobs to worker threads, one at a time per host, spaced by the host's delay.

    ``next_job`` blocks until a job is ready and returns ``(lane, job)``, or ``None`` once every queue is
    empty and no job is running (running jobs may add more) or ``stop`` is set. Each job handed out
    must be followed by ``release(lane)`` (when its request is done) and ``finished()`` (when the job is).
    """

    def __init__(
        self,
        *,
        delay: float,
        stop: threading.Event | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.delay = delay
        self.stop = stop or threading.Event()
        self._clock = clock
        self._lanes: dict[str, _Lane[T]] = {}
        self._cond = threading.Condition()
        self._active = 0
        self._queued = 0

    def add(self, url: str, job: T) -> None:
        """Queue ``job`` on the lane of ``url``'s host."""
        key = host_key(url)
        with self._cond:
            lane = self._lanes.get(key)
            if lane is None:
                lane = self._lanes[key] = _Lane(delay=self.delay)
            lane.queue.append(job)
            self._queued += 1
            self._cond.notify()

    def set_delay(self, lane_key: str, delay: float) -> None:
        """Use ``delay`` on this lane from now on if it is longer than the current one (robots Crawl-delay)."""
        with self._cond:
            lane = self._lanes.get(lane_key)
            if lane is not None and delay > lane.delay:
                log.info("%s: crawl-delay %.2f s", lane_key, delay)
                lane.delay = delay
                lane.next_start = max(lane.next_start, lane.last_start + delay)

    def delay_of(self, lane_key: str) -> float:
        """The current delay of a lane (the default delay for an unknown one)."""
        with self._cond:
            lane = self._lanes.get(lane_key)
            return lane.delay if lane is not None else self.delay

    def next_job(self) -> tuple[str, T] | None:
        """The next ready job and its lane, waiting as needed; None when the work is done or stopped."""
        with self._cond:
            while True:
                if self.stop.is_set():
                    self._cond.notify_all()
                    return None
                now = self._clock()
                best: tuple[str, _Lane[T]] | None = None
                wait: float | None = None
                for key, lane in self._lanes.items():
                    if lane.busy or not lane.queue:
                        continue
                    if lane.next_start <= now:
                        if best is None or len(lane.queue) > len(best[1].queue):
                            best = (key, lane)
                    else:
                        gap = lane.next_start - now
                        wait = gap if wait is None else min(wait, gap)
                if best is not None:
                    key, lane = best
                    lane.busy = True
                    lane.last_start = now
                    lane.next_start = now + lane.delay
                    self._active += 1
                    self._queued -= 1
                    return key, lane.queue.popleft()
                if self._active == 0 and self._queued == 0:
                    self._cond.notify_all()
                    return None
                # a stop request is noticed within half a second even when the next lane opens later
                self._cond.wait(timeout=min(wait, 0.5) if wait is not None else 0.5)

    def release(self, lane_key: str, *, hold: float = 0.0) -> None:
        """The lane's request is done: the next may start once the delay has passed (and ``hold`` from now).

        ``hold`` is for jobs that made more than one request (retries): the delay then counts from the
        end of the job, as the scheduler did not see those later requests start.
        """
        with self._cond:
            lane = self._lanes.get(lane_key)
            if lane is not None and lane.busy:
                lane.busy = False
                if hold:
                    lane.next_start = max(lane.next_start, self._clock() + hold)
                self._cond.notify_all()

    def finished(self) -> None:
        """A job handed out by ``next_job`` is complete (including any jobs it added)."""
        with self._cond:
            self._active -= 1
            self._cond.notify_all()

    def wake(self) -> None:
        """Wake waiting workers (after ``stop`` is set)."""
        with self._cond:
            self._cond.notify_all()
