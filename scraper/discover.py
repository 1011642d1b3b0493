"""Discovery of a site's feeds and sitemaps, for ``scraper discover URL`` and ``type = "site"`` sources.

Candidates, in order:

1. the feeds the start page declares (``<link rel="alternate" type="application/rss+xml">`` and Atom);
2. the ``Sitemap:`` lines of robots.txt (read through ``robots.RobotsCache``);
3. only when the site declares none of a kind: common feed paths (``/feed``, ``/rss.xml``...) and common
   sitemap paths (``/sitemap.xml``, ``/sitemap_index.xml``, ``/news-sitemap.xml``...);
4. the children of a sitemap index whose URL says "news", to find news sitemaps.

Each candidate is fetched and must parse (``sources.parse_feed`` / ``parse_sitemap``): a soft 404 that
answers HTML at ``/feed`` is not a feed. The fetching is the caller's: ``discover_site`` takes a ``fetch``
function, so the crawl runs discovery through its per-host scheduler and robots.txt checks, and the CLI
through a plain ``Fetcher``. ``to_toml`` prints ``[[sources]]`` entries ready to paste into config.toml.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from .errors import ExtractionError, FetchError
from .parse import parse_html
from .sources import gunzip_capped, parse_feed, parse_sitemap
from .urls import is_http_url

if TYPE_CHECKING:
    from .fetch import Page
    from .robots import RobotsCache

log = logging.getLogger(__name__)

__all__ = ["Discovery", "Found", "REDISCOVER_AFTER", "discover_site", "recommended", "to_toml"]

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
# Tried only when the start page declares no feed: WordPress, static site generators, Blogger
COMMON_FEED_PATHS = (
    "/feed",
    "/rss",
    "/rss.xml",
    "/feed.xml",
    "/atom.xml",
    "/index.xml",
    "/feeds/posts/default",
)
# Tried only when robots.txt lists no sitemap
COMMON_SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml", "/sitemap-news.xml")
NEWS_NAMESPACE = b"http://www.google.com/schemas/sitemap-news/0.9"
MAX_DECLARED = 8  # declared feeds, or robots.txt sitemaps, checked at most (some pages declare dozens)
MAX_INDEX_CHILDREN = 3  # children of a sitemap index checked for news sitemaps
# A site's feeds rarely move: a crawl re-checks what it discovered after a week.
REDISCOVER_AFTER = 7 * 24 * 3600.0

Fetch = Callable[..., "Page"]


@dataclass(frozen=True, slots=True)
class Found:
    """A feed or sitemap that answered and parsed."""

    type: str  # "feed" | "sitemap"
    url: str  # as it answered (after redirects)
    entries: int  # feed entries; sitemap URLs; child sitemaps of an index
    via: str  # "page" (declared by the start page) | "robots" | "guess" | "index"
    title: str = ""  # the title the start page gives a declared feed
    news: bool = False  # a Google News sitemap (publication dates)
    index: bool = False  # a sitemap index


@dataclass
class Discovery:
    """What discovery found on one site, and how many candidates it checked."""

    site: str
    found: list[Found] = field(default_factory=list)
    checked: int = 0
    page_error: str = ""  # why the page given could not be read, if it could not

    def to_json(self) -> str:
        return json.dumps(
            {"site": self.site, "checked": self.checked, "found": [asdict(f) for f in self.found]}
        )

    @classmethod
    def from_json(cls, text: str) -> Discovery:
        data = json.loads(text)
        return cls(
            site=data["site"], checked=data.get("checked", 0), found=[Found(**f) for f in data["found"]]
        )


def site_root(url: str) -> str:
    """``scheme://host[:port]/`` of ``url``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "/", "", ""))


def declared_feeds(html: bytes, url: str, *, http_charset: str | None = None) -> list[tuple[str, str]]:
    """(URL, title) of the feeds a page declares with ``<link rel="alternate" type="...rss+xml|atom+xml">``."""
    try:
        tree = parse_html(html, http_charset=http_charset)
    except ExtractionError:
        return []
    base = url
    for href in tree.xpath("//base/@href")[:1]:
        base = urljoin(url, str(href).strip())
    out: list[tuple[str, str]] = []
    for link in tree.xpath("//link[@href]"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" not in rels or kind not in FEED_TYPES:
            continue
        href = urljoin(base, link.get("href").strip())
        if is_http_url(href) and href not in (u for u, _ in out):
            out.append((href, " ".join((link.get("title") or "").split())))
    return out


class _Checker:
    """Fetches and parses candidates, each URL once, pausing between requests."""

    def __init__(self, fetch: Fetch, pause: Callable[[], None] | None, max_bytes: int) -> None:
        self.fetch = fetch
        self.pause = pause
        self.max_bytes = max_bytes
        self.requests = 0
        self.seen: set[str] = set()
        self.children: list[str] = []  # the child sitemaps of the last sitemap index checked
        self.error = ""  # the last fetch error

    def get(self, url: str, **kwargs: Any) -> Page | None:
        if self.requests and self.pause is not None:
            self.pause()
        self.requests += 1
        try:
            return self.fetch(url, **kwargs)
        except FetchError as exc:
            log.info("discover: %s", exc)
            self.error = str(exc)
            return None

    def first_visit(self, url: str) -> Page | None:
        """The page at ``url`` unless it (or where it redirects) was looked at already, or cannot be had."""
        if url in self.seen:
            return None
        self.seen.add(url)
        page = self.get(url, html_only=False)
        if page is None or (page.final_url != url and page.final_url in self.seen):  # a redirect to one seen
            return None
        self.seen.add(page.final_url)
        return page

    def feed(self, url: str, via: str, title: str = "") -> Found | None:
        page = self.first_visit(url)
        if page is None:
            return None
        try:
            entries = parse_feed(page.content, page.final_url, content_type=page.content_type)
        except FetchError as exc:  # SourceError: not a feed, or a hostile one
            log.info("discover: %s", exc)
            return None
        return Found("feed", page.final_url, len(entries), via, title=title)

    def sitemap(self, url: str, via: str) -> Found | None:
        page = self.first_visit(url)
        if page is None:
            return None
        try:
            doc = parse_sitemap(page.content, page.final_url, max_bytes=self.max_bytes)
            news = NEWS_NAMESPACE in gunzip_capped(page.content, max_bytes=self.max_bytes, url=page.final_url)
        except FetchError as exc:
            log.info("discover: %s", exc)
            return None
        if doc.sitemaps:
            found = Found("sitemap", page.final_url, len(doc.sitemaps), via, index=True)
            self.children = [link.url for link in doc.sitemaps]
            return found
        return Found("sitemap", page.final_url, len(doc.links), via, news=news)


def discover_site(
    url: str,
    *,
    fetch: Fetch,
    robots: RobotsCache | None = None,
    pause: Callable[[], None] | None = None,
    max_bytes: int = 10_000_000,
) -> Discovery:
    """Find and check the feeds and sitemaps of the site of ``url`` (see the module doc).

    ``fetch(url, html_only=...)`` returns a ``fetch.Page`` or raises ``FetchError``; ``pause()`` is called
    between two requests; ``robots`` gives the ``Sitemap:`` lines of robots.txt.
    """
    start = url if urlsplit(url).path not in ("", "/") else site_root(url)
    check = _Checker(fetch, pause, max_bytes)
    found: list[Found] = []

    declared: list[tuple[str, str]] = []
    page = check.get(start, html_only=True)
    page_error = check.error if page is None else ""
    if page is not None:
        declared = declared_feeds(page.content, page.final_url, http_charset=page.encoding)
    for feed_url, title in declared[:MAX_DECLARED]:
        if (hit := check.feed(feed_url, "page", title)) is not None:
            found.append(hit)
    if not any(f.type == "feed" for f in found):
        root = site_root(start)
        for path in COMMON_FEED_PATHS:
            if (hit := check.feed(urljoin(root, path), "guess")) is not None:
                found.append(hit)
                break  # one working guess is enough: the others are usually the same feed

    listed: list[str] = []
    if robots is not None:
        try:
            listed = robots.sitemaps(start)
        except FetchError as exc:
            log.info("discover: robots.txt: %s", exc)
    candidates = [(u, "robots") for u in listed[:MAX_DECLARED]] or [
        (urljoin(site_root(start), p), "guess") for p in COMMON_SITEMAP_PATHS
    ]
    for sitemap_url, via in candidates:
        check.children = []
        hit = check.sitemap(sitemap_url, via)
        if hit is None:
            continue
        found.append(hit)
        news_children = [c for c in check.children if "news" in c.lower()][:MAX_INDEX_CHILDREN]
        for child in news_children:
            child_hit = check.sitemap(child, "index")
            if child_hit is not None and child_hit.news:
                found.append(child_hit)
    return Discovery(site=site_root(start), found=found, checked=check.requests, page_error=page_error)


def recommended(discovery: Discovery) -> list[Found]:
    """The sources worth crawling: the feeds and news sitemaps; failing those, the sitemaps."""
    best = [f for f in discovery.found if f.type == "feed" or f.news]
    return best or [f for f in discovery.found if f.type == "sitemap"]


def _toml_string(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes; TOML also wants DEL escaped
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _describe(f: Found) -> str:
    where = {
        "page": "declared by the site's page",
        "robots": "listed in robots.txt",
        "guess": "at a common path",
        "index": "in the sitemap index",
    }[f.via]
    if f.type == "feed":
        return f"feed, {f.entries} entries, {where}"
    if f.index:
        return f"sitemap index, {f.entries} sitemaps, {where}"
    kind = "news sitemap" if f.news else "sitemap"
    return f"{kind}, {f.entries} URLs, {where}"


def to_toml(discovery: Discovery) -> str:
    """``[[sources]]`` entries for config.toml: the recommended ones, then the others commented out."""
    host = urlsplit(discovery.site).hostname or discovery.site
    chosen = recommended(discovery)
    lines = [f"# {discovery.site}: {len(discovery.found)} found, {discovery.checked} requests"]
    for f in chosen + [f for f in discovery.found if f not in chosen]:
        mark = "" if f in chosen else "# "
        name = f.title or f"{host} {'feed' if f.type == 'feed' else 'news sitemap' if f.news else 'sitemap'}"
        lines += [
            "",
            f"# {_describe(f)}" + ("" if f in chosen else " (not needed with the above)"),
            f"{mark}[[sources]]",
            f"{mark}name = {_toml_string(name)}",
            f'{mark}type = "{f.type}"',
            f"{mark}url = {_toml_string(f.url)}",
        ]
    return "\n".join(lines) + "\n"
