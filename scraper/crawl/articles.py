"""The article step: fetch an article page, then extract, filter and write it on a processing thread.

A failed fetch is recorded by its type: a robots.txt refusal is a skip (checked again on later runs), a
retryable failure is retried on a later run up to ``crawl.retry_limit``, any other is skipped for good.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ..errors import ExtractionError, FetchError, RobotsRefusal
from ..fetch import Page, redact_url
from ..record import Article
from ..sources import SOURCE_TYPES, too_old
from .context import Job, Run, Stopped, failure_reason
from .records import RecordWriter

log = logging.getLogger(__name__)

__all__ = ["ArticleStep", "Extractor"]

Extractor = Callable[..., Article]  # scraper.extract.extract's signature


class ArticleStep:
    """Fetches articles on the crawl workers and hands each page to a pool of processing threads."""

    def __init__(self, run: Run, writer: RecordWriter, *, extract: Extractor) -> None:
        self.run = run
        self.writer = writer
        self.extract = extract
        workers = max(1, run.cfg.workers)
        processors = max(2, min(workers, os.cpu_count() or 2))
        self.processing = ThreadPoolExecutor(max_workers=processors, thread_name_prefix="extract")
        self.handoff = threading.BoundedSemaphore(2 * workers)

    def close(self) -> None:
        """Wait for the pages handed off: records in flight are finished, even when stopping."""
        self.processing.shutdown(wait=True)

    def __call__(self, lane: str, job: Job, release: Callable[[], None]) -> None:
        run = self.run
        try:
            page = run.fetch(lane, job.url)
        except Stopped:
            return  # stays pending (or failed) for the next run
        except FetchError as exc:
            self._failed(job, exc)
            return
        finally:
            release()
        with run.lock:
            run.summary.fetched += 1
        # extraction and writing run on the processing threads, so this fetch worker is free for the
        # next host at once; the semaphore bounds the pages waiting there (back-pressure, memory)
        self.handoff.acquire()
        try:
            future = self.processing.submit(run.guarded, job, self._process, job, page)
        except BaseException:
            self.handoff.release()
            raise
        future.add_done_callback(lambda _: self.handoff.release())

    def _failed(self, job: Job, exc: FetchError) -> None:
        """Record a failed fetch in the summary and the state, as its type says."""
        run, cfg = self.run, self.run.cfg
        if isinstance(exc, RobotsRefusal):
            # robots.txt may be down (5xx: the whole site is off limits for this run) or change:
            # checked again on later runs, which costs no request, until the retry limit
            log.info("%s", exc)
            run.count(run.summary.skipped, "robots")
            run.state.failed(job.key, "robots", retry_limit=cfg.retry_limit, backoff=cfg.retry_backoff)
            run.progress.advance("robots")
            return
        reason = failure_reason(exc)
        log.warning("%s", exc)
        run.count(run.summary.failed, reason)
        if exc.retryable:  # 429, 5xx (even with a Retry-After too long to wait now), network
            status = run.state.failed(job.key, reason, retry_limit=cfg.retry_limit, backoff=cfg.retry_backoff)
            if status == "gave_up":
                log.warning("giving up on %s after %d runs", redact_url(job.url), cfg.retry_limit)
        else:
            run.state.skipped(job.key, reason)
        run.progress.advance(reason)

    def _process(self, job: Job, page: Page) -> None:
        """Extract, filter and write one fetched article."""
        run = self.run
        sources = run.config.sources
        source = sources[job.source] if 0 <= job.source < len(sources) else None
        try:
            article = self.extract(
                page.content,
                job.url,
                config=run.config,
                final_url=page.final_url,
                fetched_at=page.fetched_at,
                http_charset=page.encoding,
            )
        except ExtractionError as exc:
            if source is not None and SOURCE_TYPES[source.type].same_host:
                # a start page's link is a guess (an article-like link of its host): no article is no failure
                log.info("%s: %s", redact_url(job.url), exc)
                run.count(run.summary.skipped, "no_article")
            else:
                log.warning("%s: %s", redact_url(job.url), exc)
                run.count(run.summary.failed, "no_article")
            self._skip(job, "no_article")
            return
        if source is not None and too_old(article.published, source.max_age_days):
            run.count(run.summary.skipped, "too_old")
            self._skip(job, "too_old")
            return
        path = self.writer.write(job.key, article)
        if path is None:
            run.count(run.summary.skipped, "alias")
            run.progress.advance("alias")
            return
        with run.lock:
            run.summary.written += 1
            run.summary.records.append(str(path))
        run.progress.advance("written")

    def _skip(self, job: Job, reason: str) -> None:
        self.run.state.skipped(job.key, reason)
        self.run.progress.advance(reason)
