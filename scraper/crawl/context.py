"""One run's shared parts: the jobs, the scheduler, the fetcher behind robots.txt, the counters."""

from __future__ import annotations

import copy
import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..config import Config, SourceConfig
from ..errors import ExtractionError, FetchError, OutputError, RobotsRefusal
from ..fetch import Fetcher, Page, redact_url
from ..politeness import HostScheduler
from ..robots import RobotsCache
from ..state import CrawlState
from .summary import Progress, RunSummary

log = logging.getLogger(__name__)

__all__ = ["Job", "Run", "Stopped", "failure_reason", "source_key"]


class Stopped(Exception):  # noqa: N818 - control flow: a retry wait interrupted by a stop request
    """Raised from the fetcher's retry sleep when the run is stopping."""


@dataclass(frozen=True, slots=True)
class Job:
    """One request to make: a source document or an article page."""

    kind: str  # "source" | "sitemap" | "site" | "article"
    url: str
    source: int = -1  # index into config.sources
    key: str = ""  # normalised URL (articles)
    as_type: str = ""  # a feed or sitemap a "site" source discovered: read as this type


def failure_reason(exc: BaseException) -> str:
    """A short, stable failure reason for the summary, from the error's type (``FetchError.kind``)."""
    if isinstance(exc, FetchError):
        return exc.kind
    if isinstance(exc, ExtractionError):
        return "no_article"
    return "error"


def source_key(index: int, source: SourceConfig) -> str:
    """How the state credits a URL to the configured source that found it."""
    return source.url or f"urls:{index}"


class Run:
    """What every step of one run shares. Not reusable: make one per run."""

    def __init__(
        self,
        config: Config,
        *,
        state: CrawlState,
        stop: threading.Event,
        progress: Progress,
        summary: RunSummary,
    ) -> None:
        self.config = config
        self.cfg = config.crawl
        self.state = state
        self.stop = stop
        self.progress = progress
        self.summary = summary
        self.sched: HostScheduler[Job] = HostScheduler(delay=self.cfg.delay, stop=stop)
        self.fetcher = Fetcher(config.fetch, sleep=self.sleep)
        self.robots = RobotsCache(self.fetcher) if config.fetch.respect_robots else None
        self.robots_seen: set[str] = set()
        self.local = threading.local()  # the delay of the lane this worker thread is on
        self.lock = threading.Lock()  # summary counters, budgets
        self.budget = self.cfg.page_budget
        self.taken: Counter[int] = Counter()  # new articles taken per source

    def sleep(self, seconds: float) -> None:
        """The fetcher's retry wait: never shorter than the host's delay; ``Stopped`` when the run stops."""
        # a retry is a request like any other: never sooner than the host's delay
        seconds = max(seconds, getattr(self.local, "delay", 0.0))
        self.local.extra_requests = True
        if self.stop.wait(seconds):
            raise Stopped()

    def count(self, bucket: dict[str, int], reason: str) -> None:
        """Add one to ``bucket[reason]`` (a summary's ``skipped`` or ``failed``)."""
        with self.lock:
            bucket[reason] = bucket.get(reason, 0) + 1

    def fetch(self, lane: str, url: str, **kwargs: Any) -> Page:
        """One request on ``lane`` (robots.txt checked and its crawl-delay applied first)."""
        if self.robots is not None:
            self._check_robots(lane, url, self.robots)
        with self.lock:
            self.summary.requests += 1
        self.local.delay = self.sched.delay_of(lane)
        return self.fetcher.fetch(url, **kwargs)

    def _check_robots(self, lane: str, url: str, robots: RobotsCache) -> None:
        first = lane not in self.robots_seen  # lanes are serial: no other thread is on this host
        allowed = robots.allowed(url)
        if first:
            self.robots_seen.add(lane)
            with self.lock:
                self.summary.requests += 1
            delay = robots.crawl_delay(url)
            if delay:
                self.sched.set_delay(lane, delay)
            if allowed:  # robots.txt was a request too: wait before the next one
                self.sleep(self.sched.delay_of(lane))
        if not allowed:
            cause = robots.failure(url)
            if cause is not None:  # robots.txt could not be had: report what kept it from us
                raise copy.copy(cause)
            raise RobotsRefusal(f"disallowed by robots.txt: {redact_url(url)}", url=redact_url(url))

    def enqueue_articles(self, keys_urls: list[tuple[str, str]], source: int) -> None:
        """Queue article URLs within the page budget; the rest stay pending in the state."""
        with self.lock:
            take = keys_urls[: max(0, self.budget)]
            self.budget -= len(take)
        for key, url in take:
            self.sched.add(url, Job("article", url, source, key))
        if take:
            self.progress.add_total(len(take))

    def guarded(self, job: Job, step: Callable[..., None], *args: Any) -> None:
        """Run one step of a job; an output error stops the run, any other surprise fails the URL only."""
        try:
            step(*args)
        except OutputError as exc:
            log.error("%s", exc)
            with self.lock:
                self.summary.error = self.summary.error or str(exc)
            self.stop.set()
        except Exception:  # a bug must not end the run: log it, count it, go on
            log.exception("unexpected error on %s", redact_url(job.url))
            self.count(self.summary.failed, "error")
            if job.kind == "article":
                self.state.failed(
                    job.key, "error", retry_limit=self.cfg.retry_limit, backoff=self.cfg.retry_backoff
                )
                self.progress.advance("error")
