"""A small news site for the crawl tests, served by ``tests.servers.LocalServer`` on 127.0.0.1.

It has a robots.txt (a disallowed path, a Crawl-delay), an RSS feed and a sitemap index (one plain
sitemap, one gzipped Google News sitemap) that honour ETag/Last-Modified with 304s, articles made from a
template, and the troublemakers: a 503 that recovers, a 429 with Retry-After, a 404 and a slow page.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from collections.abc import Callable

from tests.servers import LocalServer, Request

LAST_MODIFIED = "Mon, 02 Nov 2026 10:00:00 GMT"
_TEXT = (
    "the council said on tuesday that the new bridge would open next spring after years of delays "
    "and a long argument about its cost which residents say has doubled since the plan was first "
    "announced by the mayor"
)
WORDS = _TEXT.split()


def article_html(n: int, *, title: str | None = None, published: str = "2026-11-20T08:00:00Z") -> bytes:
    """An article page with a headline, a date and several paragraphs of distinct text."""
    title = title or f"Story number {n} about the bridge"
    paras = []
    for p in range(5):
        words = [WORDS[(n * 7 + p * 3 + i) % len(WORDS)] for i in range(40)]
        paras.append(f"<p>Paragraph {p} of story {n}: {' '.join(words)}.</p>")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><meta property='og:title' content='{title}'>"
        f"<meta property='article:published_time' content='{published}'></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news/'>News</a></nav>"
        f"<article><h1>{title}</h1>{''.join(paras)}</article>"
        "<footer>Copyright the Example Times</footer></body></html>"
    ).encode()


class NewsSite:
    """Routes for a ``LocalServer``; ``server.hits(path)`` counts requests."""

    def __init__(
        self,
        server: LocalServer,
        *,
        articles: int = 12,
        crawl_delay: float = 0.05,
        slow: float = 0.3,
        retry_after: int = 1,
    ) -> None:
        self.server = server
        self.articles = articles
        self.crawl_delay = crawl_delay
        self.slow = slow
        self.retry_after = retry_after
        self.lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.article_times: list[float] = []  # monotonic time of each article request
        self.feed_items = [f"/news/{n}" for n in range(1, articles // 2 + 1)] + [
            "/private/secret",
            "/news/flaky",
            "/news/limited",
            "/news/missing",
            "/news/slow",
            "/news/1?utm_source=rss#top",  # the same article as /news/1, once normalised
        ]
        self.sitemap_items = [f"/news/{n}" for n in range(articles // 2 + 1, articles + 1)]
        self.install()

    # -- documents --------------------------------------------------------------------------------

    def robots(self) -> bytes:
        return f"User-agent: *\nDisallow: /private/\nCrawl-delay: {self.crawl_delay}\n".encode()

    def feed(self) -> bytes:
        items = "".join(
            f"<item><title>Item {i}</title><link>{self.server.url(path).replace('&', '&amp;')}</link>"
            f"<pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate></item>"
            for i, path in enumerate(self.feed_items)
        )
        return (
            f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Example Times</title>"
            f"<link>{self.server.url('/')}</link>{items}</channel></rss>"
        ).encode()

    def sitemap_index(self) -> bytes:
        maps = "".join(
            f"<sitemap><loc>{self.server.url(p)}</loc><lastmod>2026-11-20</lastmod></sitemap>"
            for p in ("/sitemap-1.xml", "/sitemap-news.xml.gz")
        )
        return (
            f"<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"{maps}</sitemapindex>"
        ).encode()

    def sitemap(self, paths: list[str], *, news: bool = False) -> bytes:
        ns = " xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'" if news else ""
        urls = []
        for path in paths:
            extra = (
                ("<news:news><news:publication_date>2026-11-20T08:00:00Z</news:publication_date></news:news>")
                if news
                else "<lastmod>2026-11-20</lastmod>"
            )
            urls.append(f"<url><loc>{self.server.url(path)}</loc>{extra}</url>")
        return (
            f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'{ns}>"
            f"{''.join(urls)}</urlset>"
        ).encode()

    # -- routes -----------------------------------------------------------------------------------

    def _conditional(self, body: bytes, content_type: str, etag: str) -> Callable[[Request], tuple]:
        def handler(request: Request) -> tuple:
            if (
                request.headers.get("If-None-Match") == etag
                or request.headers.get("If-Modified-Since") == LAST_MODIFIED
            ):
                return 304, {"ETag": etag}, b""
            return 200, {"Content-Type": content_type, "ETag": etag, "Last-Modified": LAST_MODIFIED}, body

        return handler

    def _count(self, name: str) -> int:
        with self.lock:
            self.calls[name] += 1
            return self.calls[name]

    def _timed(self, handler: Callable[[Request], tuple]) -> Callable[[Request], tuple]:
        def timed(request: Request) -> tuple:
            with self.lock:
                self.article_times.append(time.monotonic())
            return handler(request)

        return timed

    def install(self) -> None:
        s = self.server
        html = {"Content-Type": "text/html; charset=utf-8"}
        s.route("/robots.txt", lambda r: (200, {"Content-Type": "text/plain"}, self.robots()))
        s.route("/feed.xml", self._conditional(self.feed(), "application/rss+xml", '"feed-v1"'))
        s.route("/sitemap_index.xml", self._conditional(self.sitemap_index(), "application/xml", '"idx-v1"'))
        half = self.sitemap_items[: len(self.sitemap_items) // 2]
        rest = self.sitemap_items[len(self.sitemap_items) // 2 :]
        s.route("/sitemap-1.xml", self._conditional(self.sitemap(half), "application/xml", '"sm1-v1"'))
        s.route(
            "/sitemap-news.xml.gz",
            self._conditional(gzip.compress(self.sitemap(rest, news=True)), "application/gzip", '"sm2-v1"'),
        )
        for n in range(1, self.articles + 1):
            s.route(f"/news/{n}", self._timed(lambda r, n=n: (200, html, article_html(n))))
        s.route("/private/secret", lambda r: (200, html, article_html(999)))

        def flaky(request: Request) -> tuple:
            if self._count("flaky") <= 2:
                return 503, {"Content-Type": "text/plain"}, b"busy"
            return 200, html, article_html(101)

        def limited(request: Request) -> tuple:
            if self._count("limited") <= 1:
                return 429, {"Retry-After": str(self.retry_after)}, b"slow down"
            return 200, html, article_html(102)

        def slow(request: Request) -> tuple:
            page = article_html(103)
            return 200, {**html, "Content-Length": str(len(page))}, [page[:100], self.slow, page[100:]]

        s.route("/news/flaky", self._timed(flaky))
        s.route("/news/limited", self._timed(limited))
        s.route("/news/slow", self._timed(slow))
        # /news/missing: no route, the server answers 404

    def article_hits(self) -> int:
        """Requests for article pages (everything under /news/ and /private/)."""
        with self.server.lock:
            return sum(1 for r in self.server.requests if r.path.startswith(("/news/", "/private/")))

    def config_toml(self, out: str, *, delay: float = 0.02, output: str = "files", extra: str = "") -> str:
        """A config crawling this site's feed and sitemap index."""
        return f"""
[fetch]
allow_private = true
retries = 3
backoff_base = 0.01
backoff_max = 0.05
total_timeout = 5.0
read_timeout = 2.0

[crawl]
out = "{out}"
output = "{output}"
delay = {delay}
workers = 4
retry_backoff = 0.0
{extra}

[[sources]]
type = "feed"
url = "{self.server.url("/feed.xml")}"

[[sources]]
type = "sitemap"
url = "{self.server.url("/sitemap_index.xml")}"
"""
