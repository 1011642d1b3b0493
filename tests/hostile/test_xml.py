"""Hostile feeds and sitemaps: XXE, billion laughs, external DTDs, gzip bombs, sitemap-index bombs."""

from __future__ import annotations

import gzip
import tomllib
from pathlib import Path

import pytest

from scraper.config import config_from_dict
from scraper.crawl import crawl
from scraper.sources import SourceError, parse_feed, parse_sitemap
from tests.servers import LocalServer

LAUGHS = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
    b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
)
XXE = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def feed(entity: str) -> bytes:
    return (
        f'<rss version="2.0"><channel><title>&{entity};</title>'
        f"<item><title>&{entity};</title><link>https://x.example/a</link></item></channel></rss>"
    ).encode()


def urlset(entity: str) -> bytes:
    return (
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.example/&{entity};'
        f"</loc></url></urlset>"
    ).encode()


@pytest.mark.parametrize("doc", [LAUGHS + feed("lol9"), XXE + feed("xxe")], ids=["billion-laughs", "xxe"])
def test_feed_with_entities_refused(doc: bytes) -> None:
    with pytest.raises(SourceError, match="entity declarations"):
        parse_feed(doc, "https://x.example/feed")


@pytest.mark.parametrize(
    "doc",
    [
        LAUGHS + urlset("lol9"),
        XXE + urlset("xxe"),
        b'<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "http://127.0.0.1:1/x.dtd">' + urlset("amp"),
    ],
    ids=["billion-laughs", "xxe", "external-dtd"],
)
def test_sitemap_with_dtd_refused(doc: bytes) -> None:
    with pytest.raises(SourceError, match="DTD or entities"):
        parse_sitemap(doc, "https://x.example/sitemap.xml")
    with pytest.raises(SourceError, match="DTD or entities"):
        parse_sitemap(gzip.compress(doc), "https://x.example/sitemap.xml.gz")


def test_gzip_bomb_sitemap_capped() -> None:
    body = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + b" " * 30_000_000 + b"</urlset>"
    bomb = gzip.compress(body, compresslevel=9)
    assert len(bomb) < 100_000
    with pytest.raises(SourceError, match="larger than"):
        parse_sitemap(bomb, "https://x.example/s.xml.gz", max_bytes=10_000_000)


def _config(server: LocalServer, out: Path, sources: str, extra: str = "") -> object:
    text = f"""
[fetch]
allow_private = true
[crawl]
out = "{out}"
delay = 0.0
max_failure_share = 1.0
{extra}
{sources}
"""
    return config_from_dict(tomllib.loads(text), text=text)


def test_crawl_refuses_hostile_feed_and_never_fetches_external_dtd(tmp_path: Path) -> None:
    with LocalServer() as server:
        external = (
            b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "'
            + server.url("/evil.dtd").encode()
            + b'"><rss version="2.0"><channel><title>t</title></channel></rss>'
        )
        server.route(
            "/laughs.xml", lambda r: (200, {"Content-Type": "application/rss+xml"}, LAUGHS + feed("lol9"))
        )
        server.route("/xxe.xml", lambda r: (200, {"Content-Type": "application/rss+xml"}, XXE + feed("xxe")))
        server.route("/external.xml", lambda r: (200, {"Content-Type": "application/rss+xml"}, external))
        server.route("/evil.dtd", lambda r: (200, {}, b'<!ENTITY title "pwned">'))
        sources = "".join(
            f'[[sources]]\ntype = "feed"\nurl = "{server.url(p)}"\n'
            for p in ("/laughs.xml", "/xxe.xml", "/external.xml")
        )
        summary = crawl(_config(server, tmp_path / "out", sources))
        assert summary.failed == {"source_bad_source": 2}  # the third is an empty feed: no entries, no error
        assert summary.written == 0 and server.hits("/evil.dtd") == 0


def test_sitemap_index_bomb_is_capped(tmp_path: Path) -> None:
    """An index of 500 sitemaps, each another index (and one listing itself): max_sitemaps fetches at most."""
    with LocalServer() as server:

        def index(request):
            depth = request.path.count("/")
            children = "".join(
                f"<sitemap><loc>{server.url(f'/idx/{depth}-{i}.xml')}</loc></sitemap>" for i in range(500)
            )
            children += f"<sitemap><loc>{server.url(request.path)}</loc></sitemap>"
            return (
                200,
                {"Content-Type": "application/xml"},
                (
                    f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{children}</sitemapindex>'
                ).encode(),
            )

        server.route("/sitemap.xml", index)
        for depth in range(1, 3):
            for i in range(500):
                server.route(f"/idx/{depth}-{i}.xml", index)
        sources = f'[[sources]]\ntype = "sitemap"\nurl = "{server.url("/sitemap.xml")}"\n'
        summary = crawl(_config(server, tmp_path / "out", sources, extra="max_sitemaps = 7"))
        fetched = sum(1 for r in server.requests if r.path.endswith(".xml"))
        assert fetched == summary.sitemaps == 7
        assert summary.skipped["max_sitemaps"] > 400
