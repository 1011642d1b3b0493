"""Sources: feeds, sitemaps (index, gzip, Google News, lastmod), start-page links, URL lists, filters."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from scraper.config import SourceConfig
from scraper.sources import (
    Link,
    SourceError,
    gunzip_capped,
    parse_feed,
    parse_link_date,
    parse_page_links,
    parse_sitemap,
    select_links,
    too_old,
)
from scraper.urls import parse_url_list

NOW = datetime(2026, 11, 29, tzinfo=UTC)

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>T</title>
<item><title>A</title><link>https://news.example/a</link><pubDate>Fri, 27 Nov 2026 08:00:00 GMT</pubDate></item>
<item><title>B</title><link>/b</link><pubDate>Mon, 02 Nov 2026 08:00:00 +0000</pubDate></item>
<item><title>no link</title></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>A</title><link rel="alternate" href="https://news.example/atom-a"/>
<updated>2026-11-28T10:00:00Z</updated></entry></feed>"""

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/1</loc><lastmod>2026-11-28</lastmod></url>
<url><loc>https://news.example/2</loc>
  <news:news><news:publication><news:name>X</news:name></news:publication>
  <news:publication_date>2026-11-27T09:30:00+01:00</news:publication_date></news:news></url>
<url><loc> https://news.example/3 </loc></url>
<url><lastmod>2026-11-28</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example/sm-1.xml</loc><lastmod>2026-11-28</lastmod></sitemap>
<sitemap><loc>https://news.example/sm-old.xml.gz</loc><lastmod>2020-01-01</lastmod></sitemap>
</sitemapindex>"""


def test_rss_links_dates_and_relative_urls() -> None:
    links = parse_feed(RSS, "https://news.example/feed")
    assert [link.url for link in links] == ["https://news.example/a", "https://news.example/b"]
    assert links[0].date == datetime(2026, 11, 27, 8, tzinfo=UTC)


def test_atom_alternate_link() -> None:
    (link,) = parse_feed(ATOM, "https://news.example/atom")
    assert link.url == "https://news.example/atom-a" and link.date == datetime(2026, 11, 28, 10, tzinfo=UTC)


def test_not_a_feed() -> None:
    with pytest.raises(SourceError, match="not a feed"):
        parse_feed(b"<html><body>hello</body></html>", "https://news.example/feed")


def test_sitemap_urlset_lastmod_and_news_dates() -> None:
    doc = parse_sitemap(URLSET, "https://news.example/sitemap.xml")
    assert [link.url for link in doc.links] == [f"https://news.example/{n}" for n in (1, 2, 3)]
    assert doc.links[0].date == datetime(2026, 11, 28, tzinfo=UTC)
    assert doc.links[1].date == datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
    assert doc.links[2].date is None and doc.sitemaps == []


def test_sitemap_index_and_gzip() -> None:
    doc = parse_sitemap(gzip.compress(INDEX), "https://news.example/index.xml.gz")
    assert [s.url for s in doc.sitemaps] == [
        "https://news.example/sm-1.xml",
        "https://news.example/sm-old.xml.gz",
    ]
    fresh = select_links(doc.sitemaps, SourceConfig(max_age_days=30), now=NOW)
    assert [s.url for s in fresh] == ["https://news.example/sm-1.xml"]


def test_sitemap_errors() -> None:
    with pytest.raises(SourceError, match="malformed"):
        parse_sitemap(b"<urlset><url>", "https://x/s.xml")
    with pytest.raises(SourceError, match="not a sitemap"):
        parse_sitemap(b"<html/>", "https://x/s.xml")
    with pytest.raises(SourceError, match="bad gzip"):
        parse_sitemap(b"\x1f\x8b\x08\x00garbage", "https://x/s.xml.gz")


def test_gunzip_is_capped() -> None:
    bomb = gzip.compress(b"<" * 5_000_000)
    assert len(bomb) < 20_000
    with pytest.raises(SourceError, match="larger than 1000000"):
        gunzip_capped(bomb, max_bytes=1_000_000)
    assert gunzip_capped(b"plain", max_bytes=1) == b"plain"  # not gzip: untouched


def test_page_links_resolved_without_fragments() -> None:
    html = b"""<html><head><base href="https://news.example/section/"></head><body>
    <a href="story-1#comments">1</a> <a href="/story-2?x=1">2</a> <a href="#top">top</a>
    <a href="mailto:x@y">m</a> <a href="javascript:void(0)">j</a> <a href="https://other.example/z">z</a>
    </body></html>"""
    assert parse_page_links(html, "https://news.example/") == [
        "https://news.example/section/story-1",
        "https://news.example/story-2?x=1",
        "https://other.example/z",
    ]


def test_url_list() -> None:
    assert parse_url_list("# comment\nhttps://a/1\n\n  https://a/2  \n") == ["https://a/1", "https://a/2"]


def test_select_links_include_exclude_age_same_host() -> None:
    links = [
        Link("https://news.example/2026/a"),
        Link("https://news.example/video/b"),
        Link("https://news.example/2026/c", NOW.replace(year=2020)),
        Link("https://ads.example/2026/d"),
        Link("https://news.example/2026/a"),
        Link("ftp://news.example/2026/e"),
    ]
    source = SourceConfig(include=(r"/2026/",), exclude=(r"/video/",), max_age_days=7)
    assert [x.url for x in select_links(links, source, now=NOW)] == [
        "https://news.example/2026/a",
        "https://ads.example/2026/d",
    ]
    page = SourceConfig(type="page", url="https://news.example/")
    kept = select_links(links, page, source_url="https://news.example/", same_host=True, now=NOW)
    assert "https://ads.example/2026/d" not in [x.url for x in kept] and len(kept) == 3


def test_dates_and_age() -> None:
    assert parse_link_date("2026-11-28") == datetime(2026, 11, 28, tzinfo=UTC)
    assert parse_link_date("Sat, 28 Nov 2026 10:00:00 GMT") == datetime(2026, 11, 28, 10, tzinfo=UTC)
    assert parse_link_date("yesterday") is None and parse_link_date(None) is None
    assert too_old("2026-01-01T00:00:00Z", 30, now=NOW)
    assert not too_old("2026-11-20T00:00:00Z", 30, now=NOW)
    assert not too_old(None, 30, now=NOW) and not too_old("2000-01-01", 0, now=NOW)
