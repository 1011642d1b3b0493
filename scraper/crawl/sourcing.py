"""The source steps: read feeds, sitemaps, start pages, URL lists and sites into new article URLs.

Every URL a source lists is saved in the state as pending before it is queued, so a killed run or a
304 next time loses nothing; ``max_articles`` and the page budget only decide what this run takes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from ..config import SourceConfig
from ..discover import REDISCOVER_AFTER, Discovery, discover_site, recommended
from ..errors import ConfigError, ExtractionError, FetchError, ScraperError, TooLargeError
from ..fetch import Page, redact_url
from ..inputs import read_page_file
from ..record import normalize_url
from ..robots import RobotsCache
from ..sources import (
    SOURCE_TYPES,
    Link,
    SourceError,
    links_of,
    parse_link_date,
    parse_url_list,
    read_source,
    select_links,
)
from ..urls import is_http_url
from .context import Job, Run, Stopped, failure_reason, source_key

log = logging.getLogger(__name__)

__all__ = ["SourceSteps"]


def _read_list(path: str, max_bytes: int) -> str:
    """A local URL list file, read as a saved page is; an unreadable one is an error in the config."""
    try:
        data = read_page_file(path, max_bytes=max_bytes)
    except TooLargeError:
        raise ConfigError(f"sources: URL list {path} is larger than fetch.max_bytes ({max_bytes})") from None
    except ScraperError as exc:
        why = getattr(exc.__cause__, "strerror", None) or exc.__cause__ or exc
        raise ConfigError(f"sources: cannot read URL list {path}: {why}") from exc
    return data.decode("utf-8", "replace")


def _job_kind(stype: str) -> str:
    """The step a source of type ``stype`` takes: discovery (``site``), the sitemap step (each sitemap once a
    run, within ``crawl.max_sitemaps``) or the step of any other fetched source."""
    return stype if stype in ("sitemap", "site") else "source"


class SourceSteps:
    """Turns the configured sources into article jobs on ``run``'s scheduler."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.sitemaps_left = run.cfg.max_sitemaps
        self.sitemaps_seen: set[str] = set()

    def queue_all(self) -> None:
        """Queue every configured source; a local URL list is read (and its URLs taken) at once."""
        run = self.run
        for i, source in enumerate(run.config.sources):
            if SOURCE_TYPES[source.type].local_list and not is_http_url(source.url):
                urls = list(source.urls)
                if source.url:
                    urls += parse_url_list(_read_list(source.url, run.config.fetch.max_bytes))
                self.take_links(i, source, "", links_of(urls), etag=None, last_modified=None)
            else:
                run.sched.add(source.url, Job(_job_kind(source.type), source.url, i))

    # -- a site: discovery ---------------------------------------------------------------------------

    def site(self, lane: str, job: Job, release: Callable[[], None]) -> None:
        """A ``type = "site"`` source: queue the feeds and sitemaps discovery finds (or found on an earlier
        run, kept in the state for ``REDISCOVER_AFTER``). Nothing found is not kept: the next run looks again,
        and an earlier finding stays in use meanwhile."""
        run = self.run
        source = run.config.sources[job.source]
        name = source.name or redact_url(source.url)
        with run.lock:
            run.summary._sources_tried += 1
        cached = run.state.discovery(job.url)
        if cached is not None and time.time() - cached[1] < REDISCOVER_AFTER:
            release()
            discovery = Discovery.from_json(cached[0])
        else:
            try:
                discovery = self._discover(lane, job, release)
            except Stopped:
                return
            if discovery.found:
                run.state.save_discovery(job.url, discovery.to_json())
            elif cached is not None:  # the site is down, or hides its feeds today: keep what it had
                log.warning("source %s: discovery found nothing this time; using what it found before", name)
                discovery = Discovery.from_json(cached[0])
        chosen = recommended(discovery)
        if not chosen:
            log.warning("source %s: no feed or sitemap found (%d requests)", name, discovery.checked)
            run.count(run.summary.failed, "source_not_found")
            return
        log.info("source %s: %s", name, ", ".join(f"{f.type} {redact_url(f.url)}" for f in chosen))
        for found in chosen:
            run.sched.add(found.url, Job(_job_kind(found.type), found.url, job.source, as_type=found.type))

    def _discover(self, lane: str, job: Job, release: Callable[[], None]) -> Discovery:
        run = self.run

        def pause() -> None:  # discovery's requests are spaced like any others on this host
            run.sleep(run.sched.delay_of(lane))

        try:
            return discover_site(
                job.url,
                fetch=lambda url, **kw: run.fetch(lane, url, **kw),
                robots=run.robots or RobotsCache(run.fetcher),
                pause=pause,
                max_bytes=run.config.fetch.max_bytes,
            )
        finally:
            release()

    # -- a feed, sitemap, start page or URL list -----------------------------------------------------

    def source(self, lane: str, job: Job, release: Callable[[], None]) -> None:
        """Fetch one source document (with its saved validators) and take the article links it lists."""
        run = self.run
        source = run.config.sources[job.source]
        name = source.name or redact_url(source.url)
        if job.kind == "sitemap" and not self._claim_sitemap(job, name):
            return
        etag, last_modified = run.state.validators(job.url)
        with run.lock:
            run.summary._sources_tried += 1
        html_only = SOURCE_TYPES[job.as_type or source.type].html_only
        try:
            page = run.fetch(lane, job.url, html_only=html_only, etag=etag, last_modified=last_modified)
        except Stopped:
            return
        except FetchError as exc:
            log.warning("source %s: %s", name, exc)
            run.count(run.summary.failed, "source_" + failure_reason(exc))
            return
        finally:
            release()
        if page.status == 304:
            self._not_modified(job, source)
            return
        try:
            links, children = self._links(page, job, source)
        except (SourceError, ExtractionError) as exc:
            log.warning("source %s: %s", name, exc)
            run.count(run.summary.failed, "source_" + failure_reason(exc))
            return
        self.take_links(
            job.source,
            source,
            page.final_url,
            links,
            etag=page.etag,
            last_modified=page.last_modified,
            validator_url=job.url,
            children=children,
        )

    def _claim_sitemap(self, job: Job, name: str) -> bool:
        """Whether this sitemap is fetched: once per run, within ``crawl.max_sitemaps``."""
        run = self.run
        with run.lock:
            if job.url in self.sitemaps_seen:  # an index listing itself, or two indexes one child
                return False
            self.sitemaps_seen.add(job.url)
            if self.sitemaps_left <= 0:
                log.warning(
                    "%s: max_sitemaps (%d) reached; skipping %s",
                    name,
                    run.cfg.max_sitemaps,
                    redact_url(job.url),
                )
                run.summary.skipped["max_sitemaps"] = run.summary.skipped.get("max_sitemaps", 0) + 1
                return False
            self.sitemaps_left -= 1
            run.summary.sitemaps += 1
        return True

    def _not_modified(self, job: Job, source: SourceConfig) -> None:
        run = self.run
        log.info("source %s: not modified", redact_url(job.url))
        with run.lock:
            run.summary.sources_not_modified += 1
        if job.kind == "sitemap":  # an index: its children may have changed all the same
            saved = [
                Link(url, parse_link_date(lastmod)) for url, lastmod in run.state.sitemap_children(job.url)
            ]
            self._queue_sitemaps(saved, job, source)

    def _queue_sitemaps(self, children: list[Link], job: Job, source: SourceConfig) -> None:
        for child in select_links(children, SourceConfig(max_age_days=source.max_age_days)):
            self.run.sched.add(child.url, Job("sitemap", child.url, job.source, as_type=job.as_type))

    def _links(self, page: Page, job: Job, source: SourceConfig) -> tuple[list[Link], list[Link] | None]:
        """The article links of a fetched source, and the child sitemaps of an index (queued here)."""
        doc = read_source(
            job.as_type or source.type,
            page.content,
            page.final_url,
            content_type=page.content_type,
            http_charset=page.encoding,
            text=page.text,
            max_bytes=self.run.config.fetch.max_bytes,
        )
        if not doc.sitemaps:
            return doc.links, None
        # an index: children saved with its validators, for the runs it answers 304
        self._queue_sitemaps(doc.sitemaps, job, source)
        return doc.links, doc.sitemaps

    # -- the links found -----------------------------------------------------------------------------

    def take_links(
        self,
        index: int,
        source: SourceConfig,
        source_url: str,
        links: list[Link],
        *,
        etag: str | None,
        last_modified: str | None,
        validator_url: str = "",
        children: list[Link] | None = None,
    ) -> None:
        """Save the new links as pending (with the source's validators) and queue what this run takes."""
        run = self.run
        pairs = self._selected(source, source_url, links)
        known = run.state.known(k for k, _ in pairs)
        fresh = [p for p in pairs if p[0] not in known]
        saved_children = None
        if children is not None:
            saved_children = [(c.url, c.date.isoformat() if c.date else None) for c in children]
        # every new URL is saved as pending, so one beyond max_articles waits for a later run
        new = run.state.discovered(
            validator_url or source_key(index, source),
            fresh,
            etag=etag,
            last_modified=last_modified,
            source=source_key(index, source),
            children=saved_children,
        )
        take = new
        if source.max_articles:
            with run.lock:
                room = max(0, source.max_articles - run.taken[index])
                take = new[:room]
                run.taken[index] += len(take)
        with run.lock:
            run.summary.found += len(pairs)
            run.summary.new += len(new)
        label = redact_url(validator_url or source.url) if validator_url or source.url else "urls"
        kept = f", {len(new) - len(take)} kept for a later run (max_articles)" if len(take) < len(new) else ""
        log.info("source %s: %d links, %d new%s", source.name or label, len(pairs), len(new), kept)
        run.enqueue_articles(take, index)

    def _selected(self, source: SourceConfig, source_url: str, links: list[Link]) -> list[tuple[str, str]]:
        """``(key, url)`` of the links the source's filters keep, each normalised URL once."""
        same_host = SOURCE_TYPES[source.type].same_host
        selected = select_links(links, source, source_url=source_url or source.url, same_host=same_host)
        pairs: list[tuple[str, str]] = []
        seen: set[str] = set()
        for link in selected:
            key = normalize_url(link.url)
            if key not in seen:
                seen.add(key)
                pairs.append((key, link.url))
        if same_host:  # after the include/exclude filters, so navigation links do not crowd out
            pairs = pairs[: self.run.cfg.max_links]
        return pairs
