"""Scheduled crawling: sources -> new URLs -> fetch -> extract -> write, politely, resumable, cron-safe.

``crawl(config, out=..., state_path=...)`` runs once and returns a ``RunSummary``:

1. take the run lock (``OUT/.scraper.lock``, and ``STATE.lock`` when the state lives elsewhere); a
   second run exits at once with ``CrawlLockedError``;
2. settle what a killed run left behind (rows in ``writing``: the file is there or it is not);
3. queue the URLs still due from earlier runs (pending, and failed ones whose retry time has come) and
   every source; sources found new URLs, which are saved as pending before they are queued;
4. workers fetch through a per-host scheduler (``politeness.HostScheduler``), robots.txt consulted and
   its Crawl-delay honoured; each article is extracted and written, and only then marked done;
5. the summary is appended to ``OUT/runs.jsonl``.

Stopping (``stop`` event, set by the CLI on SIGINT/SIGTERM): no new job starts, jobs in flight finish,
retry waits end at once, and what was not fetched stays pending for the next run.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import logging
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .config import Config, SourceConfig
from .discover import REDISCOVER_AFTER, Discovery, discover_site, recommended
from .errors import (
    ConfigError,
    CrawlLockedError,
    ExtractionError,
    FetchError,
    HTTPStatusError,
    OutputError,
    RobotsRefusal,
)
from .extract import extract
from .fetch import Fetcher, Page, redact_url
from .politeness import HostScheduler
from .record import Article, normalize_url
from .robots import RobotsCache
from .sources import (
    Link,
    SourceError,
    links_of,
    parse_date,
    parse_feed,
    parse_page_links,
    parse_sitemap,
    parse_url_list,
    select_links,
    site_of,
    too_old,
)
from .state import LOCK_FILE, RUNS_FILE, STATE_FILE, CrawlState
from .write import append_jsonl, write_record

log = logging.getLogger(__name__)

__all__ = ["CrawlLockedError", "Progress", "RunSummary", "crawl", "crawl_lock", "record_path"]

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


class _Stopped(Exception):  # noqa: N818 - control flow: a retry wait interrupted by a stop request
    """Raised from the fetcher's retry sleep when the run is stopping."""


@dataclass
class RunSummary:
    """What one run did; ``to_dict()`` is the line appended to ``OUT/runs.jsonl``."""

    started: str
    out: str
    finished: str = ""
    duration: float = 0.0
    sources: int = 0  # sources configured
    sources_not_modified: int = 0  # answered 304
    sitemaps: int = 0  # sitemap files fetched (index children included)
    found: int = 0  # article URLs listed by the sources (after include/exclude/age filters)
    new: int = 0  # of those, never seen before
    retried: int = 0  # URLs from earlier runs: left pending, or failed and due for a retry
    fetched: int = 0  # article pages downloaded
    written: int = 0  # records written
    skipped: dict[str, int] = field(default_factory=dict)  # not failures: robots, alias, too_old, no_article
    failed: dict[str, int] = field(default_factory=dict)  # by reason
    pending: int = 0  # left for the next run (page budget, stop)
    requests: int = 0  # HTTP requests made (robots.txt included, retries not)
    interrupted: bool = False
    error: str | None = None  # a fatal error that ended the run early (e.g. disk full)
    records: list[str] = field(default_factory=list, repr=False)  # paths written (not in the JSON line)

    @property
    def failed_total(self) -> int:
        """Pages and sources that failed, all reasons."""
        return sum(self.failed.values())

    @property
    def failure_share(self) -> float:
        """Failed share of the pages and sources this run tried (0.0 when it tried none)."""
        # a failed source is one of the sources tried: count it once
        failed_pages = sum(n for reason, n in self.failed.items() if not reason.startswith("source_"))
        tried = self.written + failed_pages + sum(self.skipped.values()) + self._sources_tried
        return self.failed_total / tried if tried else 0.0

    _sources_tried: int = field(default=0, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        return {
            "started": self.started, "finished": self.finished, "duration": round(self.duration, 3),
            "out": self.out, "sources": self.sources, "sources_not_modified": self.sources_not_modified,
            "sitemaps": self.sitemaps, "found": self.found, "new": self.new, "retried": self.retried,
            "fetched": self.fetched, "written": self.written, "skipped": dict(sorted(self.skipped.items())),
            "failed": dict(sorted(self.failed.items())), "failure_share": round(self.failure_share, 4),
            "pending": self.pending, "requests": self.requests, "interrupted": self.interrupted,
            "error": self.error,
        }


class Progress:
    """Hooks for a progress display; the default does nothing. The CLI passes a tqdm-backed one."""

    def add_total(self, n: int) -> None:
        """``n`` more article URLs were queued."""

    def advance(self, outcome: str) -> None:
        """One queued article URL is finished (``written``, a skip reason or a failure reason)."""


@contextlib.contextmanager
def crawl_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` or raise ``CrawlLockedError`` at once (no waiting).

    The kernel drops the lock when the process dies, however it dies; the file is left in place
    (deleting it would let two runs lock two different files).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot create lock file {path}: {exc.strerror or exc}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            who = f" by pid {holder}" if holder.isdigit() else ""
            raise CrawlLockedError(f"another crawl is running (lock {path} held{who}); exiting") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def record_path(out: Path, article: Article) -> Path:
    """``OUT/YYYY/MM/DD/ID.json``, dated by the article's published date, else its fetch date, else today."""
    for value in (article.published, article.fetched_at):
        match = _DAY.match(value or "")
        if match and 1 <= int(match.group(2)) <= 12 and 1 <= int(match.group(3)) <= 31:
            y, m, d = match.groups()
            break
    else:
        y, m, d = datetime.now(UTC).strftime("%Y-%m-%d").split("-")
    return out / y / m / d / f"{article.id}.json"


@dataclass(frozen=True, slots=True)
class _Job:
    kind: str  # "source" | "sitemap" | "site" | "article"
    url: str
    source: int = -1  # index into config.sources
    key: str = ""  # normalised URL (articles)
    as_type: str = ""  # a feed or sitemap a "site" source discovered: read as this type


def _reason(exc: BaseException) -> str:
    """A short, stable failure reason for the summary, from the error's type (``FetchError.kind``)."""
    if isinstance(exc, FetchError):
        return exc.kind
    if isinstance(exc, ExtractionError):
        return "no_article"
    return "error"


def _transient(exc: FetchError) -> bool:
    """Worth trying again on a later run: 429, 5xx (even with a Retry-After too long to wait), network."""
    if isinstance(exc, HTTPStatusError):
        return exc.status == 429 or exc.status >= 500
    return exc.retryable


def _source_key(index: int, source: SourceConfig) -> str:
    """How the state credits a URL to the configured source that found it."""
    return source.url or f"urls:{index}"


class _Crawl:
    """One run's moving parts. Not reusable: make one per run."""

    def __init__(self, config: Config, *, out: Path, state: CrawlState, stop: threading.Event,
                 progress: Progress, summary: RunSummary) -> None:
        self.config = config
        self.cfg = config.crawl
        self.out = out
        self.state = state
        self.stop = stop
        self.progress = progress
        self.summary = summary
        self.sched: HostScheduler[_Job] = HostScheduler(delay=self.cfg.delay, stop=stop)
        self.fetcher = Fetcher(config.fetch, sleep=self._sleep)
        self.robots = RobotsCache(self.fetcher) if config.fetch.respect_robots else None
        self.robots_seen: set[str] = set()
        self.local = threading.local()  # the delay of the lane this worker thread is on
        processors = max(2, min(self.cfg.workers, os.cpu_count() or 2))
        self.processing = ThreadPoolExecutor(max_workers=processors, thread_name_prefix="extract")
        self.handoff = threading.BoundedSemaphore(2 * max(1, self.cfg.workers))
        self.lock = threading.Lock()  # summary counters, budgets, the JSONL file
        self.claim_lock = threading.Lock()  # duplicate-body check and the 'writing' claim
        self.budget = self.cfg.page_budget
        self.sitemaps_left = self.cfg.max_sitemaps
        self.sitemaps_seen: set[str] = set()
        self.taken: Counter[int] = Counter()  # new articles taken per source
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        self.jsonl_path = out / f"crawl-{stamp}.jsonl"

    # -- plumbing ----------------------------------------------------------------------------------

    def _sleep(self, seconds: float) -> None:
        # a retry is a request like any other: never sooner than the host's delay
        seconds = max(seconds, getattr(self.local, "delay", 0.0))
        self.local.extra_requests = True
        if self.stop.wait(seconds):
            raise _Stopped()

    def _count(self, bucket: dict[str, int], reason: str) -> None:
        with self.lock:
            bucket[reason] = bucket.get(reason, 0) + 1

    def _fetch(self, lane: str, url: str, **kwargs: Any) -> Page:
        """One request on ``lane`` (robots.txt checked and its crawl-delay applied first)."""
        if self.robots is not None:
            first = lane not in self.robots_seen  # lanes are serial: no other thread is on this host
            allowed = self.robots.allowed(url)
            if first:
                self.robots_seen.add(lane)
                with self.lock:
                    self.summary.requests += 1
                delay = self.robots.crawl_delay(url)
                if delay:
                    self.sched.set_delay(lane, delay)
                if allowed:  # robots.txt was a request too: wait before the next one
                    self._sleep(self.sched.delay_of(lane))
            if not allowed:
                cause = self.robots.failure(url)
                if cause is not None:  # robots.txt could not be had: report what kept it from us
                    raise copy.copy(cause)
                raise RobotsRefusal(f"disallowed by robots.txt: {redact_url(url)}", url=redact_url(url))
        with self.lock:
            self.summary.requests += 1
        self.local.delay = self.sched.delay_of(lane)
        return self.fetcher.fetch(url, **kwargs)

    def enqueue_articles(self, keys_urls: list[tuple[str, str]], source: int) -> None:
        """Queue article URLs within the page budget; the rest stay pending in the state."""
        with self.lock:
            take = keys_urls[: max(0, self.budget)]
            self.budget -= len(take)
        for key, url in take:
            self.sched.add(url, _Job("article", url, source, key))
        if take:
            self.progress.add_total(len(take))

    # -- the run -----------------------------------------------------------------------------------

    def run(self) -> None:
        due = self.state.due()
        by_key = {_source_key(i, src): i for i, src in reversed(list(enumerate(self.config.sources)))}
        groups: dict[int, list[tuple[str, str]]] = {}
        for row in due:
            index = by_key.get(row.source, -1)
            limit = self.config.sources[index].max_articles if index >= 0 else 0
            if limit and row.status == "pending":  # kept from an earlier run: still within max_articles
                if self.taken[index] >= limit:
                    continue
                self.taken[index] += 1
            groups.setdefault(index, []).append((row.key, row.url))
        self.summary.retried = sum(len(pairs) for pairs in groups.values())
        for index, pairs in groups.items():
            self.enqueue_articles(pairs, index)
        for i, source in enumerate(self.config.sources):
            if source.type == "urls" and not source.url.lower().startswith(("http://", "https://")):
                urls = list(source.urls)
                if source.url:
                    urls += parse_url_list(_read_list(Path(source.url), self.config.fetch.max_bytes))
                self._take_links(i, source, "", links_of(urls), etag=None, last_modified=None)
            else:
                kind = source.type if source.type in ("sitemap", "site") else "source"
                self.sched.add(source.url, _Job(kind, source.url, i))
        workers = max(1, self.cfg.workers)
        try:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crawl") as pool:
                futures = [pool.submit(self._worker) for _ in range(workers)]
                pending = set(futures)
                while pending:  # short waits so signal handlers run promptly in the main thread
                    _, pending = wait(pending, timeout=0.25)
                    if self.stop.is_set():
                        self.sched.wake()
                for future in futures:
                    future.result()
        finally:
            # the pages already fetched are records in flight: they are finished, even when stopping
            self.processing.shutdown(wait=True)
            self.fetcher.close()

    def _worker(self) -> None:
        while True:
            item = self.sched.next_job()
            if item is None:
                return
            lane, job = item
            released = False

            self.local.extra_requests = False

            def release(lane: str = lane) -> None:
                nonlocal released
                if not released:
                    released = True
                    hold = self.sched.delay_of(lane) if self.local.extra_requests else 0.0
                    self.sched.release(lane, hold=hold)

            try:
                if job.kind == "article":
                    self._guarded(job, self._article, lane, job, release)
                elif job.kind == "site":
                    self._guarded(job, self._site, lane, job, release)
                else:
                    self._guarded(job, self._source, lane, job, release)
            finally:
                release()
                self.sched.finished()

    def _guarded(self, job: _Job, step: Callable[..., None], *args: Any) -> None:
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
            self._count(self.summary.failed, "error")
            if job.kind == "article":
                self.state.failed(job.key, "error", retry_limit=self.cfg.retry_limit,
                                  backoff=self.cfg.retry_backoff)
                self.progress.advance("error")

    # -- sources -----------------------------------------------------------------------------------

    def _site(self, lane: str, job: _Job, release: Callable[[], None]) -> None:
        """A ``type = "site"`` source: queue the feeds and sitemaps discovery finds (or found on an earlier
        run, kept in the state for ``REDISCOVER_AFTER``). Nothing found is not kept: the next run looks again,
        and an earlier finding stays in use meanwhile."""
        source = self.config.sources[job.source]
        name = source.name or redact_url(source.url)
        with self.lock:
            self.summary._sources_tried += 1
        cached = self.state.discovery(job.url)
        if cached is not None and time.time() - cached[1] < REDISCOVER_AFTER:
            release()
            discovery = Discovery.from_json(cached[0])
        else:
            def pause() -> None:  # discovery's requests are spaced like any others on this host
                self._sleep(self.sched.delay_of(lane))

            try:
                discovery = discover_site(job.url, fetch=lambda url, **kw: self._fetch(lane, url, **kw),
                                          robots=self.robots or RobotsCache(self.fetcher), pause=pause,
                                          max_bytes=self.config.fetch.max_bytes)
            except _Stopped:
                return
            finally:
                release()
            if discovery.found:
                self.state.save_discovery(job.url, discovery.to_json())
            elif cached is not None:  # the site is down, or hides its feeds today: keep what it had
                log.warning("source %s: discovery found nothing this time; using what it found before", name)
                discovery = Discovery.from_json(cached[0])
        chosen = recommended(discovery)
        if not chosen:
            log.warning("source %s: no feed or sitemap found (%d requests)", name, discovery.checked)
            self._count(self.summary.failed, "source_not_found")
            return
        log.info("source %s: %s", name, ", ".join(f"{f.type} {redact_url(f.url)}" for f in chosen))
        for found in chosen:
            kind = "sitemap" if found.type == "sitemap" else "source"
            self.sched.add(found.url, _Job(kind, found.url, job.source, as_type=found.type))

    def _source(self, lane: str, job: _Job, release: Callable[[], None]) -> None:
        source = self.config.sources[job.source]
        stype = job.as_type or source.type
        name = source.name or redact_url(source.url)
        if job.kind == "sitemap":
            with self.lock:
                if job.url in self.sitemaps_seen:  # an index listing itself, or two indexes one child
                    return
                self.sitemaps_seen.add(job.url)
                if self.sitemaps_left <= 0:
                    log.warning("%s: max_sitemaps (%d) reached; skipping %s", name, self.cfg.max_sitemaps,
                                redact_url(job.url))
                    self.summary.skipped["max_sitemaps"] = self.summary.skipped.get("max_sitemaps", 0) + 1
                    return
                self.sitemaps_left -= 1
                self.summary.sitemaps += 1
        etag, last_modified = self.state.validators(job.url)
        with self.lock:
            self.summary._sources_tried += 1
        try:
            page = self._fetch(lane, job.url, html_only=stype == "page", etag=etag,
                               last_modified=last_modified)
        except _Stopped:
            return
        except FetchError as exc:
            log.warning("source %s: %s", name, exc)
            self._count(self.summary.failed, "source_" + _reason(exc))
            return
        finally:
            release()
        if page.status == 304:
            log.info("source %s: not modified", redact_url(job.url))
            with self.lock:
                self.summary.sources_not_modified += 1
            if job.kind == "sitemap":  # an index: its children may have changed all the same
                saved = [Link(url, parse_date(lastmod)) for url, lastmod in self.state.sitemap_children(job.url)]
                for child in select_links(saved, SourceConfig(max_age_days=source.max_age_days)):
                    self.sched.add(child.url, _Job("sitemap", child.url, job.source, as_type=job.as_type))
            return
        children: list[Link] | None = None
        try:
            if stype == "feed":
                links = parse_feed(page.content, page.final_url, content_type=page.content_type)
            elif stype == "page":
                links = links_of(parse_page_links(page.content, page.final_url, http_charset=page.encoding))
            elif stype == "urls":
                links = links_of(parse_url_list(page.text or page.content.decode("utf-8", "replace")))
            else:
                doc = parse_sitemap(page.content, page.final_url, max_bytes=self.config.fetch.max_bytes)
                links = doc.links
                if doc.sitemaps:  # an index: children saved with its validators, for the runs it answers 304
                    children = doc.sitemaps
                    for child in select_links(children, SourceConfig(max_age_days=source.max_age_days)):
                        self.sched.add(child.url, _Job("sitemap", child.url, job.source, as_type=job.as_type))
        except (SourceError, ExtractionError) as exc:
            log.warning("source %s: %s", name, exc)
            self._count(self.summary.failed, "source_" + _reason(exc))
            return
        self._take_links(job.source, source, page.final_url, links,
                         etag=page.etag, last_modified=page.last_modified, validator_url=job.url,
                         children=children)

    def _take_links(self, index: int, source: SourceConfig, source_url: str, links: list[Link], *,
                    etag: str | None, last_modified: str | None, validator_url: str = "",
                    children: list[Link] | None = None) -> None:
        selected = select_links(links, source, source_url=source_url or source.url,
                                same_host=source.type == "page")
        pairs: list[tuple[str, str]] = []
        seen: set[str] = set()
        for link in selected:
            key = normalize_url(link.url)
            if key not in seen:
                seen.add(key)
                pairs.append((key, link.url))
        if source.type == "page":  # after the include/exclude filters, so navigation links do not crowd out
            pairs = pairs[: self.cfg.max_links]
        known = self.state.known(k for k, _ in pairs)
        fresh = [p for p in pairs if p[0] not in known]
        saved_children = None
        if children is not None:
            saved_children = [(c.url, c.date.isoformat() if c.date else None) for c in children]
        # every new URL is saved as pending, so one beyond max_articles waits for a later run
        new = self.state.discovered(validator_url or _source_key(index, source), fresh, etag=etag,
                                    last_modified=last_modified, source=_source_key(index, source),
                                    children=saved_children)
        take = new
        if source.max_articles:
            with self.lock:
                room = max(0, source.max_articles - self.taken[index])
                take = new[:room]
                self.taken[index] += len(take)
        with self.lock:
            self.summary.found += len(pairs)
            self.summary.new += len(new)
        label = redact_url(validator_url or source.url) if validator_url or source.url else "urls"
        kept = f", {len(new) - len(take)} kept for a later run (max_articles)" if len(take) < len(new) else ""
        log.info("source %s: %d links, %d new%s", source.name or label, len(pairs), len(new), kept)
        self.enqueue_articles(take, index)

    # -- articles ----------------------------------------------------------------------------------

    def _article(self, lane: str, job: _Job, release: Callable[[], None]) -> None:
        cfg = self.cfg
        try:
            page = self._fetch(lane, job.url)
        except _Stopped:
            return  # stays pending (or failed) for the next run
        except FetchError as exc:
            reason = _reason(exc)
            if isinstance(exc, RobotsRefusal):
                # robots.txt may be down (5xx: the whole site is off limits for this run) or change:
                # checked again on later runs, which costs no request, until the retry limit
                log.info("%s", exc)
                self._count(self.summary.skipped, "robots")
                self.state.failed(job.key, "robots", retry_limit=cfg.retry_limit, backoff=cfg.retry_backoff)
                self.progress.advance("robots")
                return
            log.warning("%s", exc)
            self._count(self.summary.failed, reason)
            if _transient(exc):
                status = self.state.failed(job.key, reason, retry_limit=cfg.retry_limit, backoff=cfg.retry_backoff)
                if status == "gave_up":
                    log.warning("giving up on %s after %d runs", redact_url(job.url), cfg.retry_limit)
            else:
                self.state.skipped(job.key, reason)
            self.progress.advance(reason)
            return
        finally:
            release()
        with self.lock:
            self.summary.fetched += 1
        # extraction and writing run on the processing threads, so this fetch worker is free for the
        # next host at once; the semaphore bounds the pages waiting there (back-pressure, memory)
        self.handoff.acquire()
        try:
            future = self.processing.submit(self._guarded, job, self._process, job, page)
        except BaseException:
            self.handoff.release()
            raise
        future.add_done_callback(lambda _: self.handoff.release())

    def _process(self, job: _Job, page: Page) -> None:
        """Extract, filter and write one fetched article."""
        source = self.config.sources[job.source] if 0 <= job.source < len(self.config.sources) else None
        try:
            article = extract(page.content, job.url, config=self.config, final_url=page.final_url,
                              fetched_at=page.fetched_at, http_charset=page.encoding)
        except ExtractionError as exc:
            if source is not None and source.type == "page":
                # a start page's link is a guess: a page without an article is not a failure
                log.info("%s: %s", redact_url(job.url), exc)
                self._count(self.summary.skipped, "no_article")
            else:
                log.warning("%s: %s", redact_url(job.url), exc)
                self._count(self.summary.failed, "no_article")
            self.state.skipped(job.key, "no_article")
            self.progress.advance("no_article")
            return
        if source is not None and too_old(article.published, source.max_age_days):
            self._count(self.summary.skipped, "too_old")
            self.state.skipped(job.key, "too_old")
            self.progress.advance("too_old")
            return
        path = self._write(job.key, article)
        if path is None:
            self._count(self.summary.skipped, "alias")
            self.progress.advance("alias")
            return
        with self.lock:
            self.summary.written += 1
            self.summary.records.append(str(path))
        self.progress.advance("written")

    def _same_body_owner(self, key: str, article: Article) -> str | None:
        """The record id of another URL's record with this body, under ``crawl.dedup``; None: write it."""
        if self.cfg.dedup == "none":
            return None
        site = site_of(key)
        for other_key, record_id in self.state.hash_owners(article.content_hash, key):
            if record_id == article.id:  # the same record (one canonical URL): it is replaced
                continue
            if self.cfg.dedup == "global" or site_of(other_key) == site:
                return record_id
        return None

    def _write(self, key: str, article: Article) -> Path | None:
        """Write the record, marking the row ``writing`` before and ``done`` after (see ``settle``).

        None if, under ``crawl.dedup``, another URL's record already holds the same body: this URL is
        then kept in the state as an alias of that record.
        """
        path = self.jsonl_path if self.cfg.output == "jsonl" else record_path(self.out, article)
        with self.claim_lock:  # check and claim together: two threads with one body write it once
            owner = self._same_body_owner(key, article)
            if owner is not None:
                log.info("%s: same body as record %s; kept as its alias", redact_url(article.url or key), owner)
                self.state.alias(key, owner)
                return None
            previous = self.state.writing(key, record_id=article.id, path=str(path),
                                          content_hash=article.content_hash)
        if self.cfg.output == "jsonl":
            with self.lock:
                append_jsonl([article], path)
        else:
            write_record(article, path.parent, indent=self.config.output.indent)
            if previous and previous != str(path) and previous.endswith(".json") \
                    and not self.state.record_path_in_use(previous, key):
                with contextlib.suppress(OSError):  # the same record, re-dated: keep one copy
                    Path(previous).unlink()
        self.state.done(key)
        return path


def _read_list(path: Path, max_bytes: int) -> str:
    """A local URL list file (at most ``max_bytes``); an unreadable one is an error in the config."""
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise ConfigError(f"sources: cannot read URL list {path}: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise ConfigError(f"sources: URL list {path} is larger than fetch.max_bytes ({max_bytes})")
    return data.decode("utf-8", "replace")


def settle(state: CrawlState) -> tuple[int, int]:
    """Finish what a killed run left in ``writing``: done if its record is on disk, else pending again.

    Files: the record file must parse with the expected id (a stray temporary file beside it is
    removed). JSON Lines: the file's partial last line is cut, then the record id must be in it.
    Returns (done, back to pending).
    """
    done = again = 0
    jsonl_ids: dict[str, set[str]] = {}
    for row in state.unfinished_writes():
        path = Path(row.path or "")
        ok = False
        if path.suffix == ".jsonl":
            ids = jsonl_ids.get(str(path))
            if ids is None:
                ids = jsonl_ids[str(path)] = _jsonl_ids(path)
            ok = row.record_id in ids
        elif row.path:
            for tmp in path.parent.glob(f".{path.name}.*.tmp"):
                with contextlib.suppress(OSError):
                    tmp.unlink()
            try:
                ok = json.loads(path.read_text(encoding="utf-8")).get("id") == row.record_id
            except (OSError, ValueError, AttributeError):
                ok = False
        if ok:
            state.done(row.key)
            done += 1
        else:
            state.back_to_pending(row.key)
            again += 1
    if done or again:
        log.info("settled an interrupted run: %d records confirmed, %d URLs to fetch again", done, again)
    return done, again


def _jsonl_ids(path: Path) -> set[str]:
    if not path.exists():
        return set()
    append_jsonl([], path)  # cuts a partial last line
    ids: set[str] = set()
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            with contextlib.suppress(ValueError, AttributeError):
                ids.add(json.loads(line).get("id"))
    return ids


def crawl(
    config: Config,
    *,
    out: str | Path | None = None,
    state_path: str | Path | None = None,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Run one crawl of ``config.sources`` into ``out`` (default ``config.crawl.out``); see the module doc.

    Raises ``CrawlLockedError`` if another run holds the lock, ``OutputError`` if the output folder or
    the state cannot be opened. Failures of single pages or sources are counted in the summary.
    """
    out_dir = Path(out if out is not None else config.crawl.out)
    state_file = Path(state_path or config.crawl.state or out_dir / STATE_FILE)
    stop = stop or threading.Event()
    started = time.monotonic()
    summary = RunSummary(started=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), out=str(out_dir),
                         sources=len(config.sources))
    with contextlib.ExitStack() as stack:
        stack.enter_context(crawl_lock(out_dir / LOCK_FILE))
        if state_file.resolve().parent != out_dir.resolve():
            stack.enter_context(crawl_lock(state_file.with_name(state_file.name + ".lock")))
        state = CrawlState(state_file)
        stack.callback(state.close)
        settle(state)
        run = _Crawl(config, out=out_dir, state=state, stop=stop, progress=progress or Progress(),
                     summary=summary)
        run.run()
        summary.interrupted = stop.is_set() and summary.error is None
        summary.pending = state.counts().get("pending", 0)
        summary.duration = time.monotonic() - started
        summary.finished = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            append_jsonl([summary.to_dict()], out_dir / RUNS_FILE)
        except OutputError as exc:
            log.error("%s", exc)
            summary.error = summary.error or str(exc)
    return summary
