"""Sources of article URLs: RSS/Atom feeds, sitemaps, start pages and URL lists. Parsing only, no I/O.

The crawler fetches a source with the ``Fetcher`` and hands the bytes here:

* feeds are parsed by ``feedparser``, after ``defusedxml`` has refused any entity declaration
  (feedparser's expat parser would expand internal entities: a billion-laughs feed would blow up);
* sitemaps (urlset or sitemap index, gzip or not, Google News ``news:publication_date``, ``lastmod``)
  are parsed by ``defusedxml.ElementTree`` with DTDs forbidden, after a capped gunzip;
* start pages give their ``<a href>`` links, resolved against the page URL;
* URL lists are text, one URL a line, ``#`` comments allowed.

``select_links`` applies a source's include/exclude patterns and age limit; for start pages it also
keeps only links to article-like pages of the page's own host (``NON_ARTICLE_PATHS``).

One registry, ``SOURCE_TYPES``: each ``type`` of a ``[[sources]]`` entry, how its fetched document is read
(``read_source``) and how it is fetched and filtered. Adding a source type touches its reader here and its
entry.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit, urlunsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException

from . import sniff
from .config import SourceConfig
from .errors import ScraperError, SourceError, TooLargeError
from .parse import parse_html
from .urls import HTTP_SCHEMES, is_http_url, parse_url_list

log = logging.getLogger(__name__)

__all__ = [
    "Link",
    "SitemapDoc",
    "SourceError",
    "SourceType",
    "SOURCE_TYPES",
    "NON_ARTICLE_PATHS",
    "gunzip_capped",
    "is_article_link",
    "parse_link_date",
    "parse_feed",
    "parse_page_links",
    "parse_sitemap",
    "read_source",
    "select_links",
    "site_of",
]

# Paths a start page links to that are never articles: the home page, site furniture, listings, media.
# Matched against the URL path (lowercased); a start page's links matching one are not followed.
NON_ARTICLE_PATHS = tuple(
    re.compile(p)
    for p in (
        r"^/?$",  # the home page
        r"^/(about(-us)?|contact(-us)?|privacy(-policy)?|terms(-of-(use|service))?|cookies?(-policy)?|legal|help|"
        r"faq|advertise|careers|jobs|subscribe|subscriptions|newsletters?|log-?in|sign-?in|register|sign-?up|"
        r"account|search|shop|donate|sitemap)(/|\.html?|$)",
        r"/(tags?|topics?|sections?|categor(y|ies)|authors?|page|feeds?|rss)(/|$)",
        r"\.(jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|mp[34]|m4[av]|mov|avi|webm|ogg|wav|flac|pdf|zip|gz|"
        r"rar|7z|exe|dmg|apk|docx?|xlsx?|pptx?|csv|css|js|json|xml|rss|atom|txt)$",
    )
)
_SKIP_SCHEMES = re.compile(r"^\s*(javascript|mailto|tel|data|ftp|file):", re.I)


@dataclass(frozen=True, slots=True)
class Link:
    """An URL found in a source, with the date the source gives for it (if any)."""

    url: str
    date: datetime | None = None


@dataclass(frozen=True, slots=True)
class SitemapDoc:
    """A parsed sitemap: article links (urlset) and child sitemaps (sitemap index)."""

    links: list[Link] = field(default_factory=list)
    sitemaps: list[Link] = field(default_factory=list)


def parse_link_date(value: str | None) -> datetime | None:
    """The date a sitemap or feed gives a link, as an aware datetime: from ISO 8601 (W3C datetime, as in
    sitemaps) or RFC 2822 text; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def gunzip_capped(data: bytes, *, max_bytes: int, url: str = "") -> bytes:
    """``data`` gunzipped if it is gzip (sitemap.xml.gz), refusing more than ``max_bytes`` decompressed
    (``sniff.gunzip_capped``, its failures as ``SourceError``)."""
    try:
        return sniff.gunzip_capped(data, max_bytes=max_bytes)
    except TooLargeError:
        too_large = f"gzip sitemap larger than {max_bytes} bytes decompressed: {url}"
        raise SourceError(too_large, url=url) from None
    except ScraperError as exc:  # "bad gzip data", "bad gzip data (truncated)"
        raise SourceError(f"{exc}: {url}", url=url) from exc


def _refuse_entities(data: bytes, url: str) -> None:
    """Raise SourceError if the XML declares entities or external references (XXE, billion laughs)."""
    try:
        SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SourceError(
            f"refused XML with entity declarations ({type(exc).__name__}): {url}", url=url
        ) from None
    except (ParseError, ValueError):
        pass  # malformed: feedparser's lenient parser copes, and it never expands declared entities


def _struct_to_dt(value: object) -> datetime | None:
    try:
        return datetime(*value[:6], tzinfo=UTC)  # type: ignore[index,misc]
    except (TypeError, ValueError):
        return None


def parse_feed(data: bytes, url: str, *, content_type: str | None = None) -> list[Link]:
    """The entry links of an RSS or Atom feed, in feed order, with their published/updated dates."""
    _refuse_entities(data, url)
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(data, response_headers=headers)
    if not parsed.entries and not parsed.get("version"):
        why = f" ({parsed.get('bozo_exception')!s:.80})" if parsed.get("bozo") else ""
        raise SourceError(f"not a feed{why}: {url}", url=url)
    links: list[Link] = []
    for entry in parsed.entries:
        href = entry.get("link")
        if not href:
            alternates = [
                x.get("href") for x in entry.get("links", []) if x.get("rel", "alternate") == "alternate"
            ]
            href = next((h for h in alternates if h), None)
        if not href:
            continue
        date = _struct_to_dt(entry.get("published_parsed") or entry.get("updated_parsed"))
        links.append(Link(urljoin(url, href.strip()), date))
    return links


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(elem: Element, name: str) -> str | None:
    for child in elem:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _news_date(elem: Element) -> str | None:
    for child in elem:
        if _local(child.tag) == "news":
            return _child_text(child, "publication_date")
    return None


def parse_sitemap(data: bytes, url: str, *, max_bytes: int = 50_000_000) -> SitemapDoc:
    """A sitemap (``urlset``) or sitemap index, gzipped or not; DTDs and entities are refused."""
    data = gunzip_capped(data, max_bytes=max_bytes, url=url)
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SourceError(
            f"refused sitemap with a DTD or entities ({type(exc).__name__}): {url}", url=url
        ) from None
    except ParseError as exc:
        raise SourceError(f"malformed sitemap ({exc}): {url}", url=url) from None
    kind = _local(root.tag)
    doc = SitemapDoc()
    if kind not in ("urlset", "sitemapindex"):
        raise SourceError(f"not a sitemap (root element <{kind}>): {url}", url=url)
    target = doc.links if kind == "urlset" else doc.sitemaps
    for elem in root:
        if _local(elem.tag) not in ("url", "sitemap"):
            continue
        loc = _child_text(elem, "loc")
        if not loc:
            continue
        date = parse_link_date(_news_date(elem)) or parse_link_date(_child_text(elem, "lastmod"))
        target.append(Link(urljoin(url, loc), date))
    return doc


def parse_page_links(html: bytes | str, url: str, *, http_charset: str | None = None) -> list[str]:
    """Absolute http(s) links of a start page (``<base href>`` honoured), without fragments, in page order."""
    tree = parse_html(html, http_charset=http_charset)
    base = url
    for href in tree.xpath("//base/@href")[:1]:
        base = urljoin(url, str(href).strip())
    links: list[str] = []
    for href in tree.xpath("//a/@href"):
        href = str(href).strip()
        if not href or href.startswith("#") or _SKIP_SCHEMES.match(href):
            continue
        try:
            parts = urlsplit(urljoin(base, href))
        except ValueError:
            continue
        if parts.scheme not in HTTP_SCHEMES:
            continue
        links.append(urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, "")))
    return links


def site_of(url: str) -> str:
    """``host[:port]`` of ``url``, lowercased, without a leading ``www.``."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return ""
    return (host[4:] if host.startswith("www.") else host) + port


def is_article_link(url: str, start_url: str) -> bool:
    """Whether a start page's link may be an article: same host, not the page itself, not ``NON_ARTICLE_PATHS``."""
    if site_of(url) != site_of(start_url):
        return False
    try:
        parts, start = urlsplit(url), urlsplit(start_url)
    except ValueError:
        return False
    path = parts.path or "/"
    if (path.rstrip("/"), parts.query) == ((start.path or "/").rstrip("/"), start.query):
        return False
    return not any(p.search(path.lower()) for p in NON_ARTICLE_PATHS)


def select_links(
    links: Iterable[Link],
    source: SourceConfig,
    *,
    source_url: str = "",
    same_host: bool = False,
    now: datetime | None = None,
) -> list[Link]:
    """Filter by the source's include/exclude patterns and ``max_age_days``; drop repeats; keep order.

    ``same_host`` (start pages): keep only links that may be articles of the source's own host
    (``is_article_link``), whatever the include patterns say.
    """
    include = [re.compile(p) for p in source.include]
    exclude = [re.compile(p) for p in source.exclude]
    cutoff = None
    if source.max_age_days:
        cutoff = (now or datetime.now(UTC)) - timedelta(days=source.max_age_days)
    seen: set[str] = set()
    out: list[Link] = []
    for link in links:
        if link.url in seen:
            continue
        seen.add(link.url)
        if not is_http_url(link.url):
            continue
        if same_host and not is_article_link(link.url, source_url):
            continue
        if include and not any(p.search(link.url) for p in include):
            continue
        if any(p.search(link.url) for p in exclude):
            continue
        if cutoff is not None and link.date is not None and link.date < cutoff:
            continue
        out.append(link)
    return out


def too_old(published: str | None, max_age_days: float, *, now: datetime | None = None) -> bool:
    """True if an article's ``published`` date is known and older than ``max_age_days`` (0: never)."""
    if not max_age_days:
        return False
    when = parse_link_date(published)
    return when is not None and when < (now or datetime.now(UTC)) - timedelta(days=max_age_days)


def links_of(urls: Sequence[str]) -> list[Link]:
    """Plain URLs as undated links."""
    return [Link(u) for u in urls]


# -- the registry ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched source document, as its reader gets it."""

    content: bytes
    url: str
    content_type: str | None
    http_charset: str | None
    text: str | None  # the content decoded, when the fetcher did it
    max_bytes: int


def _read_feed(doc: Fetched) -> SitemapDoc:
    return SitemapDoc(links=parse_feed(doc.content, doc.url, content_type=doc.content_type))


def _read_sitemap(doc: Fetched) -> SitemapDoc:
    return parse_sitemap(doc.content, doc.url, max_bytes=doc.max_bytes)


def _read_page(doc: Fetched) -> SitemapDoc:
    return SitemapDoc(links=links_of(parse_page_links(doc.content, doc.url, http_charset=doc.http_charset)))


def _read_url_list(doc: Fetched) -> SitemapDoc:
    return SitemapDoc(links=links_of(parse_url_list(doc.text or doc.content.decode("utf-8", "replace"))))


Reader = Callable[[Fetched], SitemapDoc]


@dataclass(frozen=True, slots=True)
class SourceType:
    """A ``type`` of ``[[sources]]`` entry: how its document is read into links (and child sitemaps).

    ``read`` is None for a type whose own URL is not read but explored (``site``: discovery finds its
    feeds and sitemaps, each then read as its own type). ``html_only``: fetched as an HTML page.
    ``same_host``: only links to article-like pages of the source's own host are kept, and at most
    ``crawl.max_links`` of them. ``local_list``: its ``url`` may name a local file (read, not fetched).
    """

    name: str
    read: Reader | None
    html_only: bool = False
    same_host: bool = False
    local_list: bool = False


# type -> its entry, in the order the docs list them (config.py's choices of sources.type: a test checks)
SOURCE_TYPES: dict[str, SourceType] = {
    t.name: t
    for t in (
        SourceType("feed", _read_feed),
        SourceType("sitemap", _read_sitemap),
        SourceType("page", _read_page, html_only=True, same_host=True),
        SourceType("urls", _read_url_list, local_list=True),
        SourceType("site", None),
    )
}


def read_source(
    stype: str,
    content: bytes,
    url: str,
    *,
    content_type: str | None = None,
    http_charset: str | None = None,
    text: str | None = None,
    max_bytes: int = 50_000_000,
) -> SitemapDoc:
    """The links (and, for a sitemap index, the child sitemaps) of a fetched source of type ``stype``;
    ``SourceError`` (or ``ExtractionError`` for a page) when it cannot be read."""
    entry = SOURCE_TYPES.get(stype)
    if entry is None or entry.read is None:
        raise ValueError(f"a {stype} source has no document to read")
    return entry.read(Fetched(content, url, content_type, http_charset, text, max_bytes))
